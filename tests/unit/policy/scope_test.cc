// SCOPE-1, SCOPE-2, CONSENT-3: Decide() on call facts.
#include "kronika/policy/scope.h"

#include <catch2/catch.hpp>

#include "test_sites.h"

namespace kronika::policy {
namespace {

using testing::BoleslawiecLike;
using testing::BydgoszczLike;
using testing::MustValidate;
using testing::Utc;

// An external caller (mobile) calls extension 214.
CallFacts Incoming(int64_t start) { return CallFacts{{"+48601234567", "214"}, 0, start}; }

}  // namespace

TEST_CASE("SCOPE-2 Bydgoszcz-like working day: 07:59 is not recorded, 08:01 is") {
  const SitePolicy site = BydgoszczLike();
  // Tuesday 10 March 2026, CET (UTC+1): 07:59 local = 06:59Z.
  const Decision early = Decide(site, Incoming(Utc(2026, 3, 10, 6, 59)));
  CHECK_FALSE(early.record);
  CHECK(early.reason == DecisionReason::kOutsideWorkingHours);
  CHECK(early.text ==
        "policy: call at 2026-03-10 07:59:00 CET is outside working hours (SCOPE-2) at site "
        "bydgoszcz");
  CHECK(early.local_start.civil.hour == 7);
  const Decision on_time = Decide(site, Incoming(Utc(2026, 3, 10, 7, 1)));
  CHECK(on_time.record);
  CHECK(on_time.reason == DecisionReason::kInScope);
  CHECK(on_time.direction == Direction::kIncoming);
  // Edges of the window: 08:00:00 is inside, 16:00:00 is outside, 15:59:59 inside.
  CHECK(Decide(site, Incoming(Utc(2026, 3, 10, 7, 0, 0))).record);
  CHECK(Decide(site, Incoming(Utc(2026, 3, 10, 14, 59, 59))).record);
  CHECK_FALSE(Decide(site, Incoming(Utc(2026, 3, 10, 15, 0, 0))).record);
}

TEST_CASE("SCOPE-2 Bydgoszcz-like public holiday: neither 07:59 nor 08:01 is recorded") {
  const SitePolicy site = BydgoszczLike();
  // Easter Monday, 6 April 2026, CEST (UTC+2).
  const Decision early = Decide(site, Incoming(Utc(2026, 4, 6, 5, 59)));
  const Decision later = Decide(site, Incoming(Utc(2026, 4, 6, 6, 1)));
  CHECK_FALSE(early.record);
  CHECK_FALSE(later.record);
  CHECK(early.reason == DecisionReason::kHoliday);
  CHECK(later.reason == DecisionReason::kHoliday);
  CHECK_THAT(later.text, Catch::Contains("2026-04-06 08:01:00 CEST"));
  // The working Tuesday after it records again at 08:01.
  CHECK(Decide(site, Incoming(Utc(2026, 4, 7, 6, 1))).record);
  // 11 November (Wednesday) is a holiday too; the holiday is a LOCAL date: 23:30Z on
  // 10 November is already 00:30 on 11 November in Poland.
  CHECK(Decide(site, Incoming(Utc(2026, 11, 11, 9, 0))).reason == DecisionReason::kHoliday);
  CHECK(Decide(site, Incoming(Utc(2026, 11, 10, 23, 30))).reason == DecisionReason::kHoliday);
  CHECK(Decide(site, Incoming(Utc(2026, 11, 10, 22, 30))).reason ==
        DecisionReason::kOutsideWorkingHours);
}

TEST_CASE("SCOPE-2 Bydgoszcz-like weekend is a closed day") {
  const SitePolicy site = BydgoszczLike();
  const Decision saturday = Decide(site, Incoming(Utc(2026, 3, 14, 9, 0)));
  CHECK_FALSE(saturday.record);
  CHECK(saturday.reason == DecisionReason::kClosedDay);
  CHECK(Decide(site, Incoming(Utc(2026, 3, 15, 9, 0))).reason == DecisionReason::kClosedDay);
  // Friday 23:30 local is Friday (closed hours), Saturday 00:30 local is the weekend,
  // although both are Friday in UTC.
  CHECK(Decide(site, Incoming(Utc(2026, 3, 13, 22, 30))).reason ==
        DecisionReason::kOutsideWorkingHours);
  CHECK(Decide(site, Incoming(Utc(2026, 3, 13, 23, 30))).reason == DecisionReason::kClosedDay);
}

TEST_CASE(
    "SCOPE-2 working hours follow the DST switch: Monday after 29 March 2026 starts at 06:00Z") {
  const SitePolicy site = BydgoszczLike();
  // Friday 27 March (CET): 08:01 local = 07:01Z.
  CHECK(Decide(site, Incoming(Utc(2026, 3, 27, 7, 1))).record);
  CHECK_FALSE(Decide(site, Incoming(Utc(2026, 3, 27, 6, 59))).record);
  // Monday 30 March (CEST): 08:01 local = 06:01Z; 07:59 local = 05:59Z. A recorder that
  // ignored DST would record 09:01 and miss the first hour.
  CHECK(Decide(site, Incoming(Utc(2026, 3, 30, 6, 1))).record);
  CHECK_FALSE(Decide(site, Incoming(Utc(2026, 3, 30, 5, 59))).record);
  CHECK(Decide(site, Incoming(Utc(2026, 3, 30, 13, 59))).record);       // 15:59 CEST
  CHECK_FALSE(Decide(site, Incoming(Utc(2026, 3, 30, 14, 0))).record);  // 16:00 CEST
  // Monday 26 October (CET again): 08:01 local = 07:01Z.
  CHECK(Decide(site, Incoming(Utc(2026, 10, 26, 7, 1))).record);
  CHECK_FALSE(Decide(site, Incoming(Utc(2026, 10, 26, 6, 59))).record);
}

TEST_CASE("SCOPE-2 a Sunday window on the DST days themselves") {
  SitePolicy p = BydgoszczLike();
  p.hours.weekly[static_cast<size_t>(Weekday::kSunday)] = {
      TimeWindow{1 * 60, 4 * 60}};  // 01:00-04:00
  const SitePolicy site = MustValidate(p);
  // 29 March: 01:00 CET = 00:00Z; the wall clock jumps 02:00 -> 03:00 at 01:00Z; 04:00 CEST =
  // 02:00Z.
  CHECK_FALSE(Decide(site, Incoming(Utc(2026, 3, 28, 23, 59))).record);
  CHECK(Decide(site, Incoming(Utc(2026, 3, 29, 0, 0))).record);
  CHECK(Decide(site, Incoming(Utc(2026, 3, 29, 1, 59))).record);
  CHECK_FALSE(Decide(site, Incoming(Utc(2026, 3, 29, 2, 0))).record);
  // 25 October: 01:00 CEST = 23:00Z on the 24th; 02:00-03:00 happens twice; 04:00 CET = 03:00Z.
  CHECK_FALSE(Decide(site, Incoming(Utc(2026, 10, 24, 22, 59))).record);
  CHECK(Decide(site, Incoming(Utc(2026, 10, 24, 23, 0))).record);
  CHECK(Decide(site, Incoming(Utc(2026, 10, 25, 2, 59))).record);
  CHECK_FALSE(Decide(site, Incoming(Utc(2026, 10, 25, 3, 0))).record);
}

TEST_CASE("SCOPE-1 internal call under a site that excludes internal calls is not recorded") {
  const SitePolicy site = BydgoszczLike();
  const CallFacts internal{{"214", "305"}, 0, Utc(2026, 3, 10, 9, 0)};
  const Decision d = Decide(site, internal);
  CHECK_FALSE(d.record);
  CHECK(d.reason == DecisionReason::kInternalExcluded);
  CHECK(d.call_class == CallClass::kInternal);
  CHECK(d.direction == Direction::kInternal);
  CHECK(d.action_if_not == NotRecordedAction::kReject);
  CHECK(d.reject_status == 603);
  CHECK(d.text == "policy: internal call not recorded (SCOPE-1) at site bydgoszcz");
  // A DID-block number calling an extension is internal too.
  CHECK(Decide(site, CallFacts{{"+48523000123", "214"}, 0, Utc(2026, 3, 10, 9, 0)}).reason ==
        DecisionReason::kInternalExcluded);
  // Same numbers under Bolesławiec (records internal calls): recorded.
  CHECK(Decide(BoleslawiecLike(), internal).record);
}

TEST_CASE("SCOPE-1 direction from the caller: incoming, outgoing, unknown") {
  const SitePolicy site = BoleslawiecLike();
  const int64_t t = Utc(2026, 3, 10, 9, 0);
  CHECK(Decide(site, CallFacts{{"+48601234567", "214"}, 0, t}).direction == Direction::kIncoming);
  CHECK(Decide(site, CallFacts{{"+48601234567", "214"}, 1, t}).direction == Direction::kOutgoing);
  CHECK(Decide(site, CallFacts{{"+48601234567", "214"}, std::nullopt, t}).direction ==
        Direction::kUnknown);
  // Anonymous caller to an extension: incoming, external.
  const Decision anon = Decide(site, CallFacts{{"", "214"}, 0, t});
  CHECK(anon.direction == Direction::kIncoming);
  CHECK(anon.call_class == CallClass::kExternal);
  // Only one participant known: cannot be internal.
  CHECK(Decide(site, CallFacts{{"214"}, 0, t}).call_class == CallClass::kExternal);
  // Nobody of the office: unknown direction.
  CHECK(Decide(site, CallFacts{{"+48601234567", "+48222222222"}, 0, t}).direction ==
        Direction::kUnknown);
  // Caller index out of range is treated as unknown.
  CHECK(Decide(site, CallFacts{{"+48601234567", "214"}, 7, t}).direction == Direction::kUnknown);
}

TEST_CASE("SCOPE-1 per-direction switches and the unknown-direction rule") {
  SitePolicy p = BoleslawiecLike();
  p.scope.record_outgoing = false;
  p.scope.not_recorded_action = NotRecordedAction::kAnswerAndDrop;
  const SitePolicy site = MustValidate(p);
  const int64_t t = Utc(2026, 3, 10, 9, 0);
  CHECK(Decide(site, CallFacts{{"+48601234567", "214"}, 0, t}).record);
  const Decision out = Decide(site, CallFacts{{"+48601234567", "214"}, 1, t});
  CHECK_FALSE(out.record);
  CHECK(out.reason == DecisionReason::kOutgoingExcluded);
  CHECK(out.action_if_not == NotRecordedAction::kAnswerAndDrop);
  const Decision unknown = Decide(site, CallFacts{{"+48601234567", "214"}, std::nullopt, t});
  CHECK_FALSE(unknown.record);
  CHECK(unknown.reason == DecisionReason::kDirectionUnknown);
  // With both directions on, the unknown direction is recorded.
  CHECK(Decide(BoleslawiecLike(), CallFacts{{"+48601234567", "214"}, std::nullopt, t}).record);

  p = BoleslawiecLike();
  p.scope.record_incoming = false;
  CHECK(Decide(MustValidate(p), CallFacts{{"+48601234567", "214"}, 0, t}).reason ==
        DecisionReason::kIncomingExcluded);
}

TEST_CASE(
    "CONSENT-3 a participant on the do-not-record list is not recorded, whatever the format") {
  SitePolicy p = BoleslawiecLike();
  p.scope.do_not_record = {"+48 601 234 567", "0048 22 111 22 33"};
  const SitePolicy site = MustValidate(p);
  CHECK(site.scope.do_not_record == std::vector<std::string>{"+48221112233", "+48601234567"});
  const int64_t t = Utc(2026, 3, 10, 9, 0);
  const Decision d = Decide(site, CallFacts{{"+48601234567", "214"}, 0, t});
  CHECK_FALSE(d.record);
  CHECK(d.reason == DecisionReason::kDoNotRecord);
  CHECK(d.text ==
        "policy: participant +48601234567 is on the do-not-record list (CONSENT-3) at site "
        "boleslawiec");
  // National form from a PBX that did not normalise: still matched.
  CHECK(Decide(site, CallFacts{{"214", "221112233"}, 0, t}).reason == DecisionReason::kDoNotRecord);
  CHECK(Decide(site, CallFacts{{"214", "0221112233"}, 0, t}).reason ==
        DecisionReason::kDoNotRecord);
  // Others are recorded; the list wins over a 24/7 schedule and over internal recording.
  CHECK(Decide(site, CallFacts{{"+48601234568", "214"}, 0, t}).record);
  CHECK(DoNotRecordMatch(site, CallFacts{{"", "214"}, 0, t}) == std::nullopt);
}

TEST_CASE("SCOPE-1 reason and direction names are stable") {
  CHECK(DecisionReasonName(DecisionReason::kInternalExcluded) == "internal-excluded");
  CHECK(DecisionReasonName(DecisionReason::kOutsideWorkingHours) == "outside-working-hours");
  CHECK(DecisionReasonName(DecisionReason::kDoNotRecord) == "do-not-record");
  CHECK(DirectionName(Direction::kOutgoing) == "outgoing");
}

}  // namespace kronika::policy
