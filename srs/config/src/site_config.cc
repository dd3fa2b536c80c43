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
      return MakeError(400, std::string(source) + ": " +
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
  if (a == nullptr) return MakeError(400, std::string(where) + " " + std::string(key) + ": expected a list of strings");
  for (const toml::node& n : *a) {
    std::optional<std::string> s = n.value<std::string>();
    if (!s) return MakeError(400, std::string(where) + " " + std::string(key) + ": expected a list of strings");
    out.push_back(*s);
  }
  return out;
}

template <typename T>
Status Get(const toml::table& t, std::string_view key, std::string_view where, T& out) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return OkStatus();
  std::optional<T> v = node->value<T>();
  if (!v) return MakeError(400, std::string(where) + " " + std::string(key) + ": wrong type");
  out = *v;
  return OkStatus();
}

#define KRONIKA_TRY(expr)            \
  do {                               \
    Status kronika_s = (expr);       \
    if (!kronika_s.ok()) return kronika_s.error(); \
  } while (0)

Result<SitePolicy> FromToml(const toml::table& doc, std::string_view source) {
  const std::string src(source);
  KRONIKA_TRY(OnlyKeys(doc, source, "", {"site", "numbers", "scope", "hours", "consent", "retention", "quota"}));
  const toml::table& site = Section(doc, "site");
  const toml::table& numbers = Section(doc, "numbers");
  const toml::table& scope = Section(doc, "scope");
  const toml::table& hours = Section(doc, "hours");
  const toml::table& consent = Section(doc, "consent");
  const toml::table& retention = Section(doc, "retention");
  const toml::table& quota = Section(doc, "quota");
  KRONIKA_TRY(OnlyKeys(site, source, "site", {"id", "name", "time_zone"}));
  KRONIKA_TRY(OnlyKeys(numbers, source, "numbers",
                       {"country_code", "national_number_length", "internal_prefixes",
                        "internal_ranges", "extension_lengths"}));
  KRONIKA_TRY(OnlyKeys(scope, source, "scope",
                       {"incoming", "outgoing", "internal", "not_recorded", "reject_status", "do_not_record"}));
  KRONIKA_TRY(OnlyKeys(hours, source, "hours", {"always", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "holidays"}));
  KRONIKA_TRY(OnlyKeys(consent, source, "consent", {"incoming", "outgoing", "internal", "info_clause_dtmf",
                                                      "extension_elements", "extension_values"}));
  KRONIKA_TRY(OnlyKeys(retention, source, "retention", {"months", "sweep_max_gap_hours", "sweep_clock_tolerance_s"}));
  KRONIKA_TRY(OnlyKeys(quota, source, "quota", {"limit_mib", "warn_percent", "at_limit", "refuse_status", "retry_after_s"}));

  SitePolicy p;
  const std::string w = src + ":";
  KRONIKA_TRY(Get(site, "id", w + " [site]", p.site_id));
  KRONIKA_TRY(Get(site, "time_zone", w + " [site]", p.time_zone_rule));
  KRONIKA_TRY(Get(numbers, "country_code", w + " [numbers]", p.numbers.country_code));
  KRONIKA_TRY(Get(numbers, "national_number_length", w + " [numbers]", p.numbers.national_number_length));
  Result<std::vector<std::string>> prefixes = Strings(numbers, "internal_prefixes", w + " [numbers]");
  if (!prefixes.ok()) return prefixes.error();
  p.numbers.internal_prefixes = std::move(*prefixes);
  if (const toml::array* ranges = numbers["internal_ranges"].as_array()) {
    for (const toml::node& r : *ranges) {
      const toml::table* t = r.as_table();
      if (t == nullptr) return MakeError(400, w + " [numbers] internal_ranges: expected { first, last } tables");
      p.numbers.internal_ranges.push_back({(*t)["first"].value_or(std::string()), (*t)["last"].value_or(std::string())});
    }
  }
  if (const toml::array* lengths = numbers["extension_lengths"].as_array()) {
    for (const toml::node& n : *lengths) p.numbers.extension_lengths.push_back(n.value_or(0));
  }
  KRONIKA_TRY(Get(scope, "incoming", w + " [scope]", p.scope.record_incoming));
  KRONIKA_TRY(Get(scope, "outgoing", w + " [scope]", p.scope.record_outgoing));
  KRONIKA_TRY(Get(scope, "internal", w + " [scope]", p.scope.record_internal));
  std::string not_recorded = "reject";
  KRONIKA_TRY(Get(scope, "not_recorded", w + " [scope]", not_recorded));
  const auto action = policy::ParseNotRecordedAction(not_recorded);
  if (!action) return MakeError(400, w + " [scope] not_recorded: '" + not_recorded + "' is not reject or answer-and-drop");
  p.scope.not_recorded_action = *action;
  KRONIKA_TRY(Get(scope, "reject_status", w + " [scope]", p.scope.reject_status));
  Result<std::vector<std::string>> dnr = Strings(scope, "do_not_record", w + " [scope]");
  if (!dnr.ok()) return dnr.error();
  p.scope.do_not_record = std::move(*dnr);
  KRONIKA_TRY(Get(hours, "always", w + " [hours]", p.hours.always));
  for (int d = 0; d < 7; ++d) {
    const std::string_view day = policy::WeekdayKey(static_cast<policy::Weekday>(d));
    Result<std::vector<std::string>> windows = Strings(hours, day, w + " [hours]");
    if (!windows.ok()) return windows.error();
    for (const std::string& text : *windows) {
      Result<policy::TimeWindow> window = policy::ParseTimeWindow(text);
      if (!window.ok()) return MakeError(400, w + " [hours] " + std::string(day) + ": " + window.error().message);
      p.hours.weekly[static_cast<size_t>(d)].push_back(*window);
    }
  }
  if (const toml::array* holidays = hours["holidays"].as_array()) {
    for (const toml::node& n : *holidays) {
      std::optional<toml::date> date = n.value<toml::date>();
      if (!date) return MakeError(400, w + " [hours] holidays: expected dates (2026-12-25)");
      p.hours.holidays.push_back(policy::CivilDate{date->year, date->month, date->day});
    }
  }
  for (auto [key, field] : {std::pair{"incoming", &p.consent.incoming}, std::pair{"outgoing", &p.consent.outgoing},
                            std::pair{"internal", &p.consent.internal}}) {
    std::string text(policy::ConsentBasisName(*field));
    KRONIKA_TRY(Get(consent, key, w + " [consent]", text));
    const auto basis = policy::ParseConsentBasis(text);
    if (!basis) return MakeError(400, w + " [consent] " + key + ": '" + text + "' is not announcement, employee-statement or unknown");
    *field = *basis;
  }
  KRONIKA_TRY(Get(consent, "info_clause_dtmf", w + " [consent]", p.consent.info_clause_dtmf));
  Result<std::vector<std::string>> elements = Strings(consent, "extension_elements", w + " [consent]");
  if (!elements.ok()) return elements.error();
  p.consent.extension_elements = std::move(*elements);
  if (const toml::node* values = consent.get("extension_values")) {
    const toml::table* table = values->as_table();
    if (table == nullptr) return MakeError(400, w + " [consent] extension_values: expected a table of strings");
    for (const auto& [value, meaning] : *table) {
      std::optional<std::string> text = meaning.value<std::string>();
      if (!text) return MakeError(400, w + " [consent] extension_values: expected a table of strings");
      p.consent.extension_values[std::string(value.str())] = *text;
    }
  }
  KRONIKA_TRY(Get(retention, "months", w + " [retention]", p.retention.months));
  KRONIKA_TRY(Get(retention, "sweep_max_gap_hours", w + " [retention]", p.retention.sweep_max_gap_hours));
  KRONIKA_TRY(Get(retention, "sweep_clock_tolerance_s", w + " [retention]", p.retention.sweep_clock_tolerance_s));
  int64_t limit_mib = 0;
  KRONIKA_TRY(Get(quota, "limit_mib", w + " [quota]", limit_mib));
  if (limit_mib < 0) return MakeError(400, w + " [quota] limit_mib: must not be negative");
  p.quota.limit_mib = static_cast<uint64_t>(limit_mib);
  KRONIKA_TRY(Get(quota, "warn_percent", w + " [quota]", p.quota.warn_percent));
  std::string at_limit(policy::QuotaActionName(p.quota.at_limit));
  KRONIKA_TRY(Get(quota, "at_limit", w + " [quota]", at_limit));
  const auto quota_action = policy::ParseQuotaAction(at_limit);
  if (!quota_action) return MakeError(400, w + " [quota] at_limit: '" + at_limit + "' is not evict-oldest or refuse-new");
  p.quota.at_limit = *quota_action;
  KRONIKA_TRY(Get(quota, "refuse_status", w + " [quota]", p.quota.refuse_status));
  KRONIKA_TRY(Get(quota, "retry_after_s", w + " [quota]", p.quota.retry_after_s));

  Result<SitePolicy> valid = policy::ValidateSitePolicy(std::move(p));
  if (!valid.ok()) return MakeError(400, w + " " + valid.error().message);
  return valid;
}

#undef KRONIKA_TRY

}  // namespace

Result<policy::SitePolicy> ParseSitePolicy(std::string_view toml_text, std::string_view source) {
  toml::table doc;
  try {
    doc = toml::parse(toml_text, std::string(source));
  } catch (const toml::parse_error& e) {
    return MakeError(400, std::string(source) + ":" + std::to_string(e.source().begin.line) + ":" +
                              std::to_string(e.source().begin.column) + ": " + std::string(e.description()));
  }
  return FromToml(doc, source);
}

Result<policy::SitePolicy> LoadSitePolicyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return MakeError(400, "policy.site_files: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return ParseSitePolicy(text.str(), path);
}

Result<SitePolicies> SitePolicies::Load(const std::vector<std::string>& files) {
  SitePolicies out;
  for (const std::string& file : files) {
    Result<policy::SitePolicy> site = LoadSitePolicyFile(file);
    if (!site.ok()) return site.error();
    if (out.Find(site->site_id) != nullptr) {
      return MakeError(400, "policy.site_files: site id '" + site->site_id + "' appears twice (" + file + ")");
    }
    out.sites_.push_back(std::move(*site));
  }
  return out;
}

void SitePolicies::Add(policy::SitePolicy policy) {
  for (policy::SitePolicy& s : sites_) {
    if (s.site_id == policy.site_id) {
      s = std::move(policy);
      return;
    }
  }
  sites_.push_back(std::move(policy));
}

const policy::SitePolicy* SitePolicies::Find(std::string_view id) const {
  for (const policy::SitePolicy& s : sites_) {
    if (s.site_id == id) return &s;
  }
  return nullptr;
}

const policy::SitePolicy* SitePolicies::ForRecording(std::string_view id) const {
  if (const policy::SitePolicy* s = Find(id)) return s;
  return sites_.empty() ? nullptr : &sites_.front();
}

}  // namespace kronika::srs
