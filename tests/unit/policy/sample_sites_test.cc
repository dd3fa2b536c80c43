// The five sample site policies in config/sites/ (one per regulation) must validate and
// say what docs/compliance.md says they say. The TOML -> SitePolicy mapping below is a
// reference for the daemon's config loader (srs/); it refuses unknown keys.
#include <toml++/toml.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "kronika/policy/consent.h"
#include "kronika/policy/retention.h"
#include "kronika/policy/scope.h"
#include "kronika/policy/site_policy.h"
#include "test_sites.h"

namespace kronika::policy {
namespace {

using testing::Utc;

const std::string kSitesDir = std::string(KRONIKA_FIXTURES_DIR) + "/../../config/sites/";

void RequireOnlyKeys(const toml::table& t, const std::string& section,
                     std::set<std::string> allowed) {
  for (const auto& [key, value] : t) {
    INFO("[" << section << "] " << key.str());
    REQUIRE(allowed.count(std::string(key.str())) == 1);
  }
}

std::vector<std::string> Strings(toml::node_view<toml::node> node) {
  std::vector<std::string> out;
  if (const toml::array* a = node.as_array()) {
    for (const toml::node& n : *a) out.push_back(n.value_or(std::string()));
  }
  return out;
}

SitePolicy LoadSite(const std::string& name) {
  toml::table doc;
  try {
    doc = toml::parse_file(kSitesDir + name + ".toml");
  } catch (const toml::parse_error& e) {
    FAIL(name << ".toml: " << e.description() << " at line " << e.source().begin.line);
  }
  RequireOnlyKeys(doc, "", {"site", "numbers", "scope", "hours", "consent", "retention", "quota"});
  RequireOnlyKeys(*doc["site"].as_table(), "site", {"id", "name", "time_zone"});
  RequireOnlyKeys(*doc["numbers"].as_table(), "numbers",
                  {"country_code", "national_number_length", "internal_prefixes", "internal_ranges",
                   "extension_lengths"});
  RequireOnlyKeys(
      *doc["scope"].as_table(), "scope",
      {"incoming", "outgoing", "internal", "not_recorded", "reject_status", "do_not_record"});
  RequireOnlyKeys(*doc["hours"].as_table(), "hours",
                  {"always", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "holidays"});
  RequireOnlyKeys(*doc["consent"].as_table(), "consent",
                  {"incoming", "outgoing", "internal", "info_clause_dtmf"});
  RequireOnlyKeys(*doc["retention"].as_table(), "retention",
                  {"months", "sweep_max_gap_hours", "sweep_clock_tolerance_s"});
  RequireOnlyKeys(*doc["quota"].as_table(), "quota", {"limit_mib", "warn_percent", "at_limit"});

  SitePolicy p;
  p.site_id = doc["site"]["id"].value_or(std::string());
  p.time_zone_rule = doc["site"]["time_zone"].value_or(p.time_zone_rule);
  p.numbers.country_code = doc["numbers"]["country_code"].value_or(p.numbers.country_code);
  p.numbers.national_number_length =
      doc["numbers"]["national_number_length"].value_or(p.numbers.national_number_length);
  p.numbers.internal_prefixes = Strings(doc["numbers"]["internal_prefixes"]);
  if (const toml::array* ranges = doc["numbers"]["internal_ranges"].as_array()) {
    for (const toml::node& r : *ranges) {
      const toml::table& t = *r.as_table();
      p.numbers.internal_ranges.push_back(
          {t["first"].value_or(std::string()), t["last"].value_or(std::string())});
    }
  }
  if (const toml::array* lengths = doc["numbers"]["extension_lengths"].as_array()) {
    for (const toml::node& n : *lengths) p.numbers.extension_lengths.push_back(n.value_or(0));
  }
  p.scope.record_incoming = doc["scope"]["incoming"].value_or(true);
  p.scope.record_outgoing = doc["scope"]["outgoing"].value_or(true);
  p.scope.record_internal = doc["scope"]["internal"].value_or(false);
  const auto action =
      ParseNotRecordedAction(doc["scope"]["not_recorded"].value_or(std::string("reject")));
  REQUIRE(action.has_value());
  p.scope.not_recorded_action = *action;
  p.scope.reject_status = doc["scope"]["reject_status"].value_or(603);
  p.scope.do_not_record = Strings(doc["scope"]["do_not_record"]);
  p.hours.always = doc["hours"]["always"].value_or(true);
  for (int d = 0; d < 7; ++d) {
    for (const std::string& w : Strings(doc["hours"][WeekdayKey(static_cast<Weekday>(d))])) {
      Result<TimeWindow> window = ParseTimeWindow(w);
      REQUIRE(window.ok());
      p.hours.weekly[static_cast<size_t>(d)].push_back(*window);
    }
  }
  if (const toml::array* hol = doc["hours"]["holidays"].as_array()) {
    for (const toml::node& n : *hol) {
      const toml::date date = n.value_or(toml::date{});
      p.hours.holidays.push_back(CivilDate{date.year, date.month, date.day});
    }
  }
  for (auto [key, field] :
       {std::pair{"incoming", &p.consent.incoming}, std::pair{"outgoing", &p.consent.outgoing},
        std::pair{"internal", &p.consent.internal}}) {
    const auto basis = ParseConsentBasis(doc["consent"][key].value_or(std::string()));
    REQUIRE(basis.has_value());
    *field = *basis;
  }
  p.consent.info_clause_dtmf = doc["consent"]["info_clause_dtmf"].value_or(std::string());
  p.retention.months = doc["retention"]["months"].value_or(0);
  p.retention.sweep_max_gap_hours = doc["retention"]["sweep_max_gap_hours"].value_or(int64_t{168});
  p.retention.sweep_clock_tolerance_s =
      doc["retention"]["sweep_clock_tolerance_s"].value_or(int64_t{600});
  p.quota.limit_mib = doc["quota"]["limit_mib"].value_or(uint64_t{0});
  p.quota.warn_percent = doc["quota"]["warn_percent"].value_or(90);
  const auto at_limit = ParseQuotaAction(doc["quota"]["at_limit"].value_or(std::string()));
  REQUIRE(at_limit.has_value());
  p.quota.at_limit = *at_limit;

  Result<SitePolicy> valid = ValidateSitePolicy(p);
  if (!valid.ok()) FAIL(name << ".toml: " << valid.error().message);
  return std::move(valid).value();
}

}  // namespace

TEST_CASE("RET-1 sample sites keep recordings 12/3/3/12/6 months and all use Europe/Warsaw") {
  struct Want {
    const char* name;
    int months;
  };
  for (const Want& w : {Want{"lubliniec", 12}, Want{"bydgoszcz", 3}, Want{"boleslawiec", 3},
                        Want{"halinow", 12}, Want{"szczecin", 6}}) {
    const SitePolicy site = LoadSite(w.name);
    CHECK(site.site_id == w.name);
    CHECK(site.retention.months == w.months);
    CHECK(site.zone.rule() == kEuropeWarsawTzRule);
  }
}

TEST_CASE("SCOPE-1 sample sites: only Boleslawiec records internal calls") {
  CHECK(LoadSite("boleslawiec").scope.record_internal);
  for (const char* name : {"lubliniec", "bydgoszcz", "halinow", "szczecin"}) {
    const SitePolicy site = LoadSite(name);
    INFO(name);
    CHECK_FALSE(site.scope.record_internal);
    CHECK(site.scope.record_incoming);
    CHECK(site.scope.record_outgoing);
  }
}

TEST_CASE("SCOPE-2 sample bydgoszcz.toml: 07:59/08:01 on a working day and on Easter Monday 2026") {
  const SitePolicy site = LoadSite("bydgoszcz");
  CHECK_FALSE(site.hours.always);
  const auto call = [](int64_t t) { return CallFacts{{"+48601234567", "250"}, 0, t}; };
  CHECK_FALSE(Decide(site, call(Utc(2026, 3, 10, 6, 59))).record);
  CHECK(Decide(site, call(Utc(2026, 3, 10, 7, 1))).record);
  CHECK(Decide(site, call(Utc(2026, 4, 6, 6, 1))).reason == DecisionReason::kHoliday);
  CHECK(Decide(site, call(Utc(2027, 3, 29, 6, 1))).reason ==
        DecisionReason::kHoliday);  // Easter Monday 2027
  CHECK(Decide(site, CallFacts{{"250", "+48520000012"}, 0, Utc(2026, 3, 10, 9, 0)}).reason ==
        DecisionReason::kInternalExcluded);
  for (const char* name : {"lubliniec", "boleslawiec", "halinow", "szczecin"}) {
    INFO(name);
    CHECK(LoadSite(name).hours.always);
  }
}

TEST_CASE("CONSENT-2 sample boleslawiec.toml marks '*' from the caller as the information clause") {
  const SitePolicy site = LoadSite("boleslawiec");
  CHECK(ClassifyDtmf(site, 10, Direction::kIncoming, true).meaning ==
        DtmfMeaning::kInformationClauseRequested);
  CHECK(ClassifyDtmf(LoadSite("szczecin"), 10, Direction::kIncoming, true).meaning ==
        DtmfMeaning::kKeyPress);
  CHECK(AssessConsent(LoadSite("lubliniec"), Direction::kOutgoing, {}).basis ==
        ConsentBasis::kAnnouncementPlayed);
  CHECK(AssessConsent(LoadSite("szczecin"), Direction::kOutgoing, {}).basis ==
        ConsentBasis::kUnknown);
}

TEST_CASE("RET-5 sample halinow.toml limits storage and evicts the oldest") {
  const SitePolicy site = LoadSite("halinow");
  CHECK(site.quota.limit_mib == 204800);
  CHECK(site.quota.at_limit == QuotaAction::kEvictOldest);
  for (const char* name : {"lubliniec", "bydgoszcz", "boleslawiec", "szczecin"}) {
    INFO(name);
    CHECK(LoadSite(name).quota.limit_mib == 0);
  }
}

}  // namespace kronika::policy
