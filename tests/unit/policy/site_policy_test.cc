// Validation of a site policy (all IDs: the config is where every rule starts) and the
// SCOPE-2 schedule syntax.
#include "kronika/policy/site_policy.h"

#include <catch2/catch.hpp>

#include "test_sites.h"

namespace kronika::policy {

namespace {
SitePolicy Minimal() {
  SitePolicy p;
  p.site_id = "test";
  return p;
}
}  // namespace

TEST_CASE("SCOPE-2 the default site is valid, 24/7, Europe/Warsaw, 3 months, no internal calls") {
  Result<SitePolicy> v = ValidateSitePolicy(Minimal());
  REQUIRE(v.ok());
  CHECK(v->zone.rule() == "CET-1CEST,M3.5.0,M10.5.0/3");
  CHECK(v->hours.always);
  CHECK(v->retention.months == 3);
  CHECK_FALSE(v->scope.record_internal);
  CHECK(v->scope.reject_status == 603);
}

TEST_CASE("SCOPE-2 every invalid field is named in the error") {
  struct Case {
    void (*mutate)(SitePolicy&);
    const char* message;
  };
  const Case cases[] = {
      {[](SitePolicy& p) { p.site_id = "Bydgoszcz"; },
       "policy: site.id: \"Bydgoszcz\" is not 1..32 of [a-z0-9_-]"},
      {[](SitePolicy& p) { p.time_zone_rule = "Europe/Warsow"; },
       "policy: site.time_zone: time_zone: unknown IANA zone \"Europe/Warsow\""},
      {[](SitePolicy& p) { p.numbers.extension_lengths = {20}; },
       "policy: numbers.extension_lengths[0]: 20 not in 1..15"},
      {[](SitePolicy& p) {
         p.hours.always = false;
         p.hours.weekly[1] = {TimeWindow{480, 960}, TimeWindow{900, 1000}};
       },
       "policy: hours.mon: 15:00-16:40 overlaps 08:00-16:00"},
      {[](SitePolicy& p) {
         p.hours.always = false;
         p.hours.weekly[2] = {TimeWindow{600, 500}};
       },
       "policy: hours.tue[0]: window 600..500 min is not within one day"},
      {[](SitePolicy& p) { p.hours.always = false; },
       "policy: hours: always = false but no weekday has a window"},
      {[](SitePolicy& p) {
         p.hours.holidays = {CivilDate{2026, 2, 30}};
       },
       "policy: hours.holidays[0]: 2026-02-30 is not a calendar date"},
      {[](SitePolicy& p) { p.scope.reject_status = 200; },
       "policy: scope.reject_status: 200 is not a SIP 4xx-6xx status"},
      {[](SitePolicy& p) {
         p.scope.record_incoming = p.scope.record_outgoing = p.scope.record_internal = false;
       },
       "policy: scope: incoming, outgoing and internal are all false"},
      {[](SitePolicy& p) {
         p.scope.do_not_record = {"+48 601", "nobody"};
       },
       "policy: scope.do_not_record[1]: \"nobody\" is not a phone number"},
      {[](SitePolicy& p) { p.consent.info_clause_dtmf = "**"; },
       "policy: consent.info_clause_dtmf: \"**\" is not one DTMF key"},
      {[](SitePolicy& p) { p.retention.months = 0; }, "policy: retention.months: 0 not in 1..120"},
      {[](SitePolicy& p) { p.retention.months = 121; },
       "policy: retention.months: 121 not in 1..120"},
      {[](SitePolicy& p) { p.retention.sweep_max_gap_hours = 0; },
       "policy: retention.sweep_max_gap_hours: 0 not in"},
      {[](SitePolicy& p) { p.retention.sweep_clock_tolerance_s = 0; },
       "policy: retention.sweep_clock_tolerance_s: 0"},
      {[](SitePolicy& p) { p.quota.warn_percent = 0; },
       "policy: quota.warn_percent: 0 not in 1..100"},
  };
  for (const Case& c : cases) {
    SitePolicy p = Minimal();
    c.mutate(p);
    Result<SitePolicy> v = ValidateSitePolicy(p);
    INFO(c.message);
    REQUIRE_FALSE(v.ok());
    CHECK_THAT(v.error().message, Catch::StartsWith(c.message));
    CHECK(v.error().message.find('\n') == std::string::npos);
  }
}

TEST_CASE("SCOPE-2 holidays are sorted and deduplicated, windows sorted") {
  SitePolicy p = Minimal();
  p.hours.always = false;
  p.hours.weekly[1] = {TimeWindow{780, 960}, TimeWindow{480, 720}};
  p.hours.holidays = {{2026, 12, 25}, {2026, 1, 1}, {2026, 12, 25}};
  Result<SitePolicy> v = ValidateSitePolicy(p);
  REQUIRE(v.ok());
  CHECK(v->hours.holidays == std::vector<CivilDate>{{2026, 1, 1}, {2026, 12, 25}});
  CHECK(v->hours.weekly[1] == std::vector<TimeWindow>{{480, 720}, {780, 960}});
}

TEST_CASE("SCOPE-2 time windows are written HH:MM-HH:MM") {
  Result<TimeWindow> w = ParseTimeWindow("07:30-15:30");
  REQUIRE(w.ok());
  CHECK(w->start_minute == 450);
  CHECK(w->end_minute == 930);
  CHECK(FormatTimeWindow(*w) == "07:30-15:30");
  Result<TimeWindow> whole = ParseTimeWindow("00:00-24:00");
  REQUIRE(whole.ok());
  CHECK(whole->end_minute == 1440);
  CHECK_FALSE(ParseTimeWindow("7:30-15:30").ok());
  CHECK_FALSE(ParseTimeWindow("07:30").ok());
  CHECK_FALSE(ParseTimeWindow("24:30-25:00").ok());
  CHECK_FALSE(ParseTimeWindow("07:60-08:00").ok());
  Result<TimeWindow> crossing = ParseTimeWindow("22:00-06:00");
  REQUIRE_FALSE(crossing.ok());
  CHECK_THAT(crossing.error().message, Catch::Contains("may not cross midnight"));
  CHECK(WeekdayKey(Weekday::kSaturday) == "sat");
}

TEST_CASE("SCOPE-1 config spellings of the enums round-trip") {
  for (NotRecordedAction a : {NotRecordedAction::kReject, NotRecordedAction::kAnswerAndDrop}) {
    CHECK(ParseNotRecordedAction(NotRecordedActionName(a)) == a);
  }
  for (ConsentBasis b : {ConsentBasis::kAnnouncementPlayed, ConsentBasis::kEmployeeStatement,
                         ConsentBasis::kUnknown}) {
    CHECK(ParseConsentBasis(ConsentBasisName(b)) == b);
  }
  for (QuotaAction a : {QuotaAction::kEvictOldest, QuotaAction::kRefuseNew}) {
    CHECK(ParseQuotaAction(QuotaActionName(a)) == a);
  }
  CHECK(NotRecordedActionName(NotRecordedAction::kAnswerAndDrop) == "answer-and-drop");
  CHECK(ParseConsentBasis("Announcement") == std::nullopt);
  CHECK(ParseQuotaAction("evict") == std::nullopt);
}

}  // namespace kronika::policy
