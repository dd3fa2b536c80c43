#include "kronika/srs/config/site_config.h"

#include <toml++/toml.h>

#include <fstream>
#include <initializer_list>
#include <sstream>

namespace kronika::srs {
namespace {

using policy::SitePolicy;

Status OnlyKeys(const toml::table& t, std::string_view source, std::string_view section,
                std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : t) {
    bool known = false;
    for (std::string_view a : allowed) known = known || key.str() == a;
    if (!known) {
      return MakeError(ErrorCode::kInvalidInput,
                       std::string(source) + ": " +
                           (section.empty() ? "" : "[" + std::string(section) + "] ") +
                           "unknown key '" + std::string(key.str()) + "'");
    }
  }
  return OkStatus();
}

const toml::table& Section(const toml::table& doc, std::string_view name) {
  static const toml::table kEmpty;
  const toml::table* t = doc[name].as_table();
  return t != nullptr ? *t : kEmpty;
}

Result<std::vector<std::string>> Strings(const toml::table& t, std::string_view key,
                                         std::string_view where) {
  std::vector<std::string> out;
  const toml::node* node = t.get(key);
  if (node == nullptr) return out;
  const toml::array* a = node->as_array();
  if (a == nullptr)
    return MakeError(ErrorCode::kInvalidInput,
                     std::string(where) + " " + std::string(key) + ": expected a list of strings");
  for (const toml::node& n : *a) {
    std::optional<std::string> s = n.value<std::string>();
    if (!s)
      return MakeError(ErrorCode::kInvalidInput, std::string(where) + " " + std::string(key) +
                                                     ": expected a list of strings");
    out.push_back(*s);
  }
  return out;
}

template <typename T>
Status Get(const toml::table& t, std::string_view key, std::string_view where, T& out) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return OkStatus();
  std::optional<T> v = node->value<T>();
  if (!v)
    return MakeError(ErrorCode::kInvalidInput,
                     std::string(where) + " " + std::string(key) + ": wrong type");
  out = *v;
  return OkStatus();
}

Result<SitePolicy> FromToml(const toml::table& doc, std::string_view source) {
  const std::string src(source);
  RETURN_IF_ERROR(OnlyKeys(doc, source, "", {"site", "numbers", "scope", "hours", "consent", "retention", "quota"}));
  const toml::table& site = Section(doc, "site");
  const toml::table& numbers = Section(doc, "numbers");
  const toml::table& scope = Section(doc, "scope");
  const toml::table& hours = Section(doc, "hours");
  const toml::table& consent = Section(doc, "consent");
  const toml::table& retention = Section(doc, "retention");
  const toml::table& quota = Section(doc, "quota");
  RETURN_IF_ERROR(OnlyKeys(site, source, "site", {"id", "name", "time_zone"}));
  RETURN_IF_ERROR(OnlyKeys(numbers, source, "numbers",
                       {"country_code", "national_number_length", "internal_prefixes",
                        "internal_ranges", "extension_lengths"}));
  RETURN_IF_ERROR(OnlyKeys(scope, source, "scope",
                       {"incoming", "outgoing", "internal", "not_recorded", "reject_status", "do_not_record"}));
  RETURN_IF_ERROR(OnlyKeys(hours, source, "hours", {"always", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "holidays"}));
  RETURN_IF_ERROR(OnlyKeys(consent, source, "consent", {"incoming", "outgoing", "internal", "info_clause_dtmf",
                                                      "extension_elements", "extension_values"}));
  RETURN_IF_ERROR(OnlyKeys(retention, source, "retention", {"months", "sweep_max_gap_hours", "sweep_clock_tolerance_s"}));
  RETURN_IF_ERROR(OnlyKeys(quota, source, "quota", {"limit_mib", "warn_percent", "at_limit", "refuse_status", "retry_after_s"}));

  SitePolicy p;
  const std::string w = src + ":";
  RETURN_IF_ERROR(Get(site, "id", w + " [site]", p.site_id));
  RETURN_IF_ERROR(Get(site, "time_zone", w + " [site]", p.time_zone_rule));
  RETURN_IF_ERROR(Get(numbers, "country_code", w + " [numbers]", p.numbers.country_code));
  RETURN_IF_ERROR(Get(numbers, "national_number_length", w + " [numbers]", p.numbers.national_number_length));
  ASSIGN_OR_RETURN(std::vector<std::string> prefixes,
                   Strings(numbers, "internal_prefixes", w + " [numbers]"));
  p.numbers.internal_prefixes = std::move(prefixes);
  if (const toml::array* ranges = numbers["internal_ranges"].as_array()) {
    for (const toml::node& r : *ranges) {
      const toml::table* t = r.as_table();
      if (t == nullptr)
        return MakeError(ErrorCode::kInvalidInput,
                         w + " [numbers] internal_ranges: expected { first, last } tables");
      p.numbers.internal_ranges.push_back({(*t)["first"].value_or(std::string()), (*t)["last"].value_or(std::string())});
    }
  }
  if (const toml::array* lengths = numbers["extension_lengths"].as_array()) {
    for (const toml::node& n : *lengths) p.numbers.extension_lengths.push_back(n.value_or(0));
  }
  RETURN_IF_ERROR(Get(scope, "incoming", w + " [scope]", p.scope.record_incoming));
  RETURN_IF_ERROR(Get(scope, "outgoing", w + " [scope]", p.scope.record_outgoing));
  RETURN_IF_ERROR(Get(scope, "internal", w + " [scope]", p.scope.record_internal));
  std::string not_recorded = "reject";
  RETURN_IF_ERROR(Get(scope, "not_recorded", w + " [scope]", not_recorded));
  const auto action = policy::ParseNotRecordedAction(not_recorded);
  if (!action)
    return MakeError(ErrorCode::kInvalidInput, w + " [scope] not_recorded: '" + not_recorded +
                                                   "' is not reject or answer-and-drop");
  p.scope.not_recorded_action = *action;
  RETURN_IF_ERROR(Get(scope, "reject_status", w + " [scope]", p.scope.reject_status));
  ASSIGN_OR_RETURN(std::vector<std::string> dnr, Strings(scope, "do_not_record", w + " [scope]"));
  p.scope.do_not_record = std::move(dnr);
  RETURN_IF_ERROR(Get(hours, "always", w + " [hours]", p.hours.always));
  for (int d = 0; d < 7; ++d) {
    const std::string_view day = policy::WeekdayKey(static_cast<policy::Weekday>(d));
    ASSIGN_OR_RETURN(std::vector<std::string> windows, Strings(hours, day, w + " [hours]"));
    for (const std::string& text : windows) {
      Result<policy::TimeWindow> window = policy::ParseTimeWindow(text);
      if (!window.ok())
        return MakeError(ErrorCode::kInvalidInput,
                         w + " [hours] " + std::string(day) + ": " + window.error().message);
      p.hours.weekly[static_cast<size_t>(d)].push_back(*window);
    }
  }
  if (const toml::array* holidays = hours["holidays"].as_array()) {
    for (const toml::node& n : *holidays) {
      std::optional<toml::date> date = n.value<toml::date>();
      if (!date)
        return MakeError(ErrorCode::kInvalidInput,
                         w + " [hours] holidays: expected dates (2026-12-25)");
      p.hours.holidays.push_back(policy::CivilDate{date->year, date->month, date->day});
    }
  }
  for (auto [key, field] : {std::pair{"incoming", &p.consent.incoming}, std::pair{"outgoing", &p.consent.outgoing},
                            std::pair{"internal", &p.consent.internal}}) {
    std::string text(policy::ConsentBasisName(*field));
    RETURN_IF_ERROR(Get(consent, key, w + " [consent]", text));
    const auto basis = policy::ParseConsentBasis(text);
    if (!basis)
      return MakeError(ErrorCode::kInvalidInput,
                       w + " [consent] " + key + ": '" + text +
                           "' is not announcement, employee-statement or unknown");
    *field = *basis;
  }
  RETURN_IF_ERROR(Get(consent, "info_clause_dtmf", w + " [consent]", p.consent.info_clause_dtmf));
  ASSIGN_OR_RETURN(std::vector<std::string> elements,
                   Strings(consent, "extension_elements", w + " [consent]"));
  p.consent.extension_elements = std::move(elements);
  if (const toml::node* values = consent.get("extension_values")) {
    const toml::table* table = values->as_table();
    if (table == nullptr)
      return MakeError(ErrorCode::kInvalidInput,
                       w + " [consent] extension_values: expected a table of strings");
    for (const auto& [value, meaning] : *table) {
      std::optional<std::string> text = meaning.value<std::string>();
      if (!text)
        return MakeError(ErrorCode::kInvalidInput,
                         w + " [consent] extension_values: expected a table of strings");
      p.consent.extension_values[std::string(value.str())] = *text;
    }
  }
  RETURN_IF_ERROR(Get(retention, "months", w + " [retention]", p.retention.months));
  RETURN_IF_ERROR(Get(retention, "sweep_max_gap_hours", w + " [retention]", p.retention.sweep_max_gap_hours));
  RETURN_IF_ERROR(Get(retention, "sweep_clock_tolerance_s", w + " [retention]", p.retention.sweep_clock_tolerance_s));
  int64_t limit_mib = 0;
  RETURN_IF_ERROR(Get(quota, "limit_mib", w + " [quota]", limit_mib));
  if (limit_mib < 0)
    return MakeError(ErrorCode::kInvalidInput, w + " [quota] limit_mib: must not be negative");
  p.quota.limit_mib = static_cast<uint64_t>(limit_mib);
  RETURN_IF_ERROR(Get(quota, "warn_percent", w + " [quota]", p.quota.warn_percent));
  std::string at_limit(policy::QuotaActionName(p.quota.at_limit));
  RETURN_IF_ERROR(Get(quota, "at_limit", w + " [quota]", at_limit));
  const auto quota_action = policy::ParseQuotaAction(at_limit);
  if (!quota_action)
    return MakeError(ErrorCode::kInvalidInput,
                     w + " [quota] at_limit: '" + at_limit + "' is not evict-oldest or refuse-new");
  p.quota.at_limit = *quota_action;
  RETURN_IF_ERROR(Get(quota, "refuse_status", w + " [quota]", p.quota.refuse_status));
  RETURN_IF_ERROR(Get(quota, "retry_after_s", w + " [quota]", p.quota.retry_after_s));

  Result<SitePolicy> valid = policy::ValidateSitePolicy(std::move(p));
  if (!valid.ok()) return MakeError(ErrorCode::kInvalidInput, w + " " + valid.error().message);
  return valid;
}

#undef KRONIKA_TRY

}  // namespace

Result<policy::SitePolicy> ParseSitePolicy(std::string_view toml_text, std::string_view source) {
  toml::table doc;
  try {
    doc = toml::parse(toml_text, std::string(source));
  } catch (const toml::parse_error& e) {
    return MakeError(ErrorCode::kInvalidInput, std::string(source) + ":" +
                                                   std::to_string(e.source().begin.line) + ":" +
                                                   std::to_string(e.source().begin.column) + ": " +
                                                   std::string(e.description()));
  }
  return FromToml(doc, source);
}

Result<policy::SitePolicy> LoadSitePolicyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return MakeError(ErrorCode::kInvalidInput, "policy.site_files: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return ParseSitePolicy(text.str(), path);
}

SitePolicies::SitePolicies() : history_(std::make_unique<History>()) { Install({}); }

SitePolicies::SitePolicies(const SitePolicies& other) : SitePolicies() { Install(other.all()); }

SitePolicies& SitePolicies::operator=(const SitePolicies& other) {
  if (this != &other) Install(other.all());
  return *this;
}

SitePolicies::~SitePolicies() = default;

void SitePolicies::Install(Sites sites) {
  if (history_ == nullptr) history_ = std::make_unique<History>();  // a moved-from object
  MutexLock lock(history_->mu);
  history_->kept.push_back(std::make_unique<const Sites>(std::move(sites)));
  history_->current.store(history_->kept.back().get(), std::memory_order_release);
}

const std::vector<policy::SitePolicy>& SitePolicies::all() const {
  static const Sites kNone;
  if (history_ == nullptr) return kNone;  // a moved-from object
  return *history_->current.load(std::memory_order_acquire);
}

Result<SitePolicies> SitePolicies::Load(const std::vector<std::string>& files) {
  Sites sites;
  for (const std::string& file : files) {
    ASSIGN_OR_RETURN(policy::SitePolicy site, LoadSitePolicyFile(file));
    for (const policy::SitePolicy& known : sites) {
      if (known.site_id == site.site_id) {
        return MakeError(ErrorCode::kInvalidInput, "policy.site_files: site id '" + site.site_id +
                                                       "' appears twice (" + file + ")");
      }
    }
    sites.push_back(std::move(site));
  }
  SitePolicies out;
  out.Install(std::move(sites));
  return out;
}

void SitePolicies::Add(policy::SitePolicy policy) {
  Sites sites = all();
  bool replaced = false;
  for (policy::SitePolicy& s : sites) {
    if (s.site_id == policy.site_id) {
      s = std::move(policy);
      replaced = true;
      break;
    }
  }
  if (!replaced) sites.push_back(std::move(policy));
  Install(std::move(sites));
}

void SitePolicies::Replace(const SitePolicies& next) { Install(next.all()); }

const policy::SitePolicy* SitePolicies::Find(std::string_view id) const {
  for (const policy::SitePolicy& s : all()) {
    if (s.site_id == id) return &s;
  }
  return nullptr;
}

const policy::SitePolicy* SitePolicies::ForRecording(std::string_view id) const {
  const Sites& sites = all();  // one generation for both lookups
  for (const policy::SitePolicy& s : sites) {
    if (s.site_id == id) return &s;
  }
  return sites.empty() ? nullptr : &sites.front();
}

}  // namespace kronika::srs
