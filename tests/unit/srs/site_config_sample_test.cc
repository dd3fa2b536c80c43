// The five sample site policies in config/sites/ (one per regulation) must load through
// the daemon's site loader (srs/config, site_config.h), validate, and say what
// docs/compliance.md says they say.

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "kronika/policy/consent.h"
#include "kronika/policy/retention.h"
#include "kronika/policy/scope.h"
#include "kronika/policy/site_policy.h"
#include "../policy/test_sites.h"
#include "kronika/srs/config/site_config.h"

namespace kronika::policy {
namespace {

using testing::Utc;

const std::string kSitesDir = std::string(KRONIKA_SOURCE_DIR) + "/config/sites/";

SitePolicy LoadSite(const std::string& name) {
  Result<SitePolicy> site = srs::LoadSitePolicyFile(kSitesDir + name + ".toml");
  if (!site.ok()) FAIL(site.error().message);
  return std::move(site).value();
}

}  // namespace

TEST_CASE("RET-1 sample sites keep recordings 12/3/3/12/6 months and all use Europe/Warsaw", "[needs-tzdata]") {
  struct Want {
    const char* name;
    int months;
  };
  for (const Want& w : {Want{"lubliniec", 12}, Want{"bydgoszcz", 3}, Want{"boleslawiec", 3},
                        Want{"halinow", 12}, Want{"szczecin", 6}}) {
    const SitePolicy site = LoadSite(w.name);
    CHECK(site.site_id == w.name);
    CHECK(site.retention.months == w.months);
    CHECK(site.zone.rule() == "Europe/Warsaw");
    CHECK(site.zone.FormatHuman(1782900000000) == "2026-07-01 12:00:00 CEST");  // 10:00Z
  }
}

TEST_CASE("SCOPE-1 sample sites: only Boleslawiec records internal calls", "[needs-tzdata]") {
  CHECK(LoadSite("boleslawiec").scope.record_internal);
  for (const char* name : {"lubliniec", "bydgoszcz", "halinow", "szczecin"}) {
    const SitePolicy site = LoadSite(name);
    INFO(name);
    CHECK_FALSE(site.scope.record_internal);
    CHECK(site.scope.record_incoming);
    CHECK(site.scope.record_outgoing);
  }
}

TEST_CASE("SCOPE-2 sample bydgoszcz.toml: 07:59/08:01 on a working day and on Easter Monday 2026", "[needs-tzdata]") {
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

TEST_CASE("CONSENT-2 sample boleslawiec.toml marks '*' from the caller as the information clause", "[needs-tzdata]") {
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

TEST_CASE("RET-5 sample halinow.toml limits storage and evicts the oldest", "[needs-tzdata]") {
  const SitePolicy site = LoadSite("halinow");
  CHECK(site.quota.limit_mib == 204800);
  CHECK(site.quota.at_limit == QuotaAction::kEvictOldest);
  for (const char* name : {"lubliniec", "bydgoszcz", "boleslawiec", "szczecin"}) {
    INFO(name);
    CHECK(LoadSite(name).quota.limit_mib == 0);
  }
}

}  // namespace kronika::policy

namespace kronika::srs {

TEST_CASE("SCOPE-2 site files: unknown keys, wrong types and invalid values are refused naming file and key") {
  const char* kMinimal = "[site]\nid = \"x\"\n";
  REQUIRE(ParseSitePolicy(kMinimal, "x.toml").ok());
  const Result<policy::SitePolicy> typo = ParseSitePolicy("[retention]\nmonth = 3\n", "x.toml");
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.error().message == "x.toml: [retention] unknown key 'month'");
  const Result<policy::SitePolicy> type = ParseSitePolicy("[site]\nid = \"x\"\n[retention]\nmonths = \"3\"\n", "x.toml");
  REQUIRE_FALSE(type.ok());
  CHECK(type.error().message == "x.toml: [retention] months: wrong type");
  const Result<policy::SitePolicy> range = ParseSitePolicy("[site]\nid = \"x\"\n[retention]\nmonths = 0\n", "x.toml");
  REQUIRE_FALSE(range.ok());
  CHECK(range.error().message == "x.toml: policy: retention.months: 0 not in 1..120");
  const Result<policy::SitePolicy> syntax = ParseSitePolicy("[site\n", "x.toml");
  REQUIRE_FALSE(syntax.ok());
  CHECK(syntax.error().message.rfind("x.toml:1:", 0) == 0);
}

TEST_CASE("SCOPE-1 several site files: each recording is judged by its own site, duplicates refused", "[needs-tzdata]") {
  const std::string dir = std::string(KRONIKA_SOURCE_DIR) + "/config/sites/";
  Result<SitePolicies> sites = SitePolicies::Load({dir + "bydgoszcz.toml", dir + "lubliniec.toml"});
  REQUIRE(sites.ok());
  CHECK(sites->ForRecording("lubliniec")->retention.months == 12);
  CHECK(sites->ForRecording("bydgoszcz")->retention.months == 3);
  CHECK(sites->ForRecording("")->site_id == "bydgoszcz");  // unknown site: the first file
  Result<SitePolicies> twice = SitePolicies::Load({dir + "bydgoszcz.toml", dir + "bydgoszcz.toml"});
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().message.find("appears twice") != std::string::npos);
}

}  // namespace kronika::srs
