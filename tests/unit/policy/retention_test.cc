// RET-1 retention stamp, RET-3 sweep (with the clock rule), RET-4 early deletion,
// RET-2 holds as seen by the sweep.
#include "kronika/policy/retention.h"

#include <catch2/catch.hpp>

#include "test_sites.h"

namespace kronika::policy {
namespace {

using testing::BydgoszczLike;
using testing::MustValidate;
using testing::Utc;

RecordingInfo Rec(const SitePolicy& site, const std::string& id, int64_t start,
                  uint64_t bytes = 1000) {
  RecordingInfo r;
  r.id = id;
  r.start_ms_utc = start;
  r.expires_at_ms_utc = StampRetention(site, start).expires_at_ms_utc;
  r.size_bytes = bytes;
  r.participants = {"+48601234567", "214"};
  return r;
}

SweepClock At(int64_t now) {
  SweepClock c;
  c.now_ms_utc = now;
  return c;
}

std::vector<std::string> DeletedIds(const SweepPlan& plan) {
  std::vector<std::string> ids;
  for (const DeletionOrder& o : plan.deletions) ids.push_back(o.recording_id);
  return ids;
}

}  // namespace

TEST_CASE("RET-1 3 months from the day of recording end with that date's local midnight") {
  const SitePolicy site = BydgoszczLike();
  // 2026-03-15 10:00 CET.
  const RetentionStamp s = StampRetention(site, Utc(2026, 3, 15, 9, 0));
  CHECK(s.months == 3);
  CHECK(s.recording_day == CivilDate{2026, 3, 15});
  CHECK(s.last_day_kept == CivilDate{2026, 6, 15});
  // 2026-06-16 00:00 CEST.
  CHECK(s.expires_at_ms_utc == Utc(2026, 6, 15, 22, 0));
  CHECK(site.zone.FormatIso(s.expires_at_ms_utc) == "2026-06-16T00:00:00.000+02:00");
  // The recording day is the LOCAL date: 23:30Z on 14 March is 00:30 on 15 March in Poland.
  CHECK(StampRetention(site, Utc(2026, 3, 14, 23, 30)).recording_day == CivilDate{2026, 3, 15});
  CHECK(StampRetention(site, Utc(2026, 3, 14, 22, 30)).recording_day == CivilDate{2026, 3, 14});
}

TEST_CASE("RET-1 short target months clamp to their last day, 6 and 12 months, DST on both ends") {
  const TimeZone warsaw = TimeZone::EuropeWarsaw();
  // 30 November + 3 months: February has no 30th -> kept through 28 February 2027 (CET).
  RetentionStamp nov = StampRetention(warsaw, 3, Utc(2026, 11, 30, 12, 0));
  CHECK(nov.last_day_kept == CivilDate{2027, 2, 28});
  CHECK(nov.expires_at_ms_utc == Utc(2027, 2, 28, 23, 0));
  // Szczecin-like 6 months from 31 August 2026 -> 28 February 2027.
  CHECK(StampRetention(warsaw, 6, Utc(2026, 8, 31, 8, 0)).last_day_kept == CivilDate{2027, 2, 28});
  // Lubliniec-like 12 months from the spring-forward day 2026 -> 29 March 2027, CEST since 28
  // March.
  RetentionStamp dst = StampRetention(warsaw, 12, Utc(2026, 3, 29, 1, 30));
  CHECK(dst.recording_day == CivilDate{2026, 3, 29});
  CHECK(dst.expires_at_ms_utc == Utc(2027, 3, 29, 22, 0));
  // Started in the repeated autumn hour (02:30 CEST and 02:30 CET): same day either way.
  CHECK(StampRetention(warsaw, 3, Utc(2026, 10, 25, 0, 30)).last_day_kept ==
        CivilDate{2027, 1, 25});
  CHECK(StampRetention(warsaw, 3, Utc(2026, 10, 25, 1, 30)).last_day_kept ==
        CivilDate{2027, 1, 25});
}

TEST_CASE("RET-1 where a DST rule skips midnight, expiry is the first instant of the next day") {
  // Clocks jump from 00:00 to 01:00 on the first Sunday of October (no 00:xx that day).
  Result<TimeZone> tz = TimeZone::Parse("<-03>3<-02>,M10.1.0/0,M2.3.0/0");
  REQUIRE(tz.ok());
  // Recorded 3 July 2026 -> kept through 3 October 2026; the next day, Sunday 4 October
  // (the first Sunday of October), has no midnight.
  const RetentionStamp s = StampRetention(*tz, 3, Utc(2026, 7, 3, 15, 0));
  CHECK(s.last_day_kept == CivilDate{2026, 10, 3});
  // 4 October 00:00 does not exist; the day begins at 01:00 -02 = 03:00Z.
  CHECK(s.expires_at_ms_utc == Utc(2026, 10, 4, 3, 0));
  CHECK(tz->ToLocal(s.expires_at_ms_utc).civil == CivilDateTime{{2026, 10, 4}, 1, 0, 0, 0});
  CHECK(tz->ToLocal(s.expires_at_ms_utc - 1).civil.date == CivilDate{2026, 10, 3});
}

TEST_CASE(
    "RET-1 never early: for every hour of 2026 the expiry is the first instant after the last kept "
    "day") {
  const TimeZone warsaw = TimeZone::EuropeWarsaw();
  for (int months : {3, 6, 12}) {
    for (int64_t t = Utc(2026, 1, 1, 0, 0); t < Utc(2027, 1, 1, 0, 0); t += kMsPerHour) {
      const RetentionStamp s = StampRetention(warsaw, months, t);
      INFO(months << " months from " << warsaw.FormatIso(t));
      REQUIRE(warsaw.ToLocal(s.expires_at_ms_utc - 1).civil.date == s.last_day_kept);
      REQUIRE(warsaw.ToLocal(s.expires_at_ms_utc).civil.date == AddDays(s.last_day_kept, 1));
      REQUIRE(s.expires_at_ms_utc - t >= int64_t{months} * 28 * kMsPerDay);
    }
  }
}

TEST_CASE(
    "RET-3 sweep deletes expired recordings only, earliest expiry first, and names the next "
    "expiry") {
  const SitePolicy site = BydgoszczLike();
  std::vector<RecordingInfo> recs = {
      Rec(site, "b", Utc(2026, 1, 20, 9, 0)),  // expires 2026-04-21 00:00 CEST
      Rec(site, "a", Utc(2026, 1, 10, 9, 0)),  // expires 2026-04-11 00:00 CEST
      Rec(site, "c", Utc(2026, 3, 1, 9, 0)),   // expires 2026-06-02 00:00 CEST
  };
  RecordingInfo live = Rec(site, "live", Utc(2025, 1, 1, 9, 0));
  live.in_progress = true;  // absurd, but a plan must never touch a recording being written
  recs.push_back(live);
  SweepClock clock = At(Utc(2026, 4, 20, 22, 0));     // 2026-04-21 00:00 CEST exactly
  clock.last_sweep_ms_utc = Utc(2026, 4, 20, 21, 0);  // the hourly sweep before
  const SweepPlan plan = PlanSweep(site, recs, HoldSet(), clock);
  REQUIRE_FALSE(plan.refused);
  CHECK(DeletedIds(plan) == std::vector<std::string>{"a", "b"});
  CHECK(plan.deletions[0].cause == DeletionCause::kRetentionExpired);
  CHECK(plan.deletions[0].requested_by == "retention-sweeper");
  CHECK(plan.deletions[0].text ==
        "retention: delete a: retention period ended 2026-04-11T00:00:00.000+02:00 (RET-3)");
  CHECK(plan.next_expiry_ms_utc == Utc(2026, 6, 1, 22, 0));
  CHECK(plan.text ==
        "retention: sweep at 2026-04-21T00:00:00.000+02:00 (clock sane): 2 to delete, 0 expired "
        "but held (RET-3)");
  // One millisecond earlier "b" is not yet due.
  clock.now_ms_utc -= 1;
  CHECK(DeletedIds(PlanSweep(site, recs, HoldSet(), clock)) == std::vector<std::string>{"a"});
}

TEST_CASE("RET-2 held recording survives expiry and goes at first sweep after lift") {
  const SitePolicy site = BydgoszczLike();
  const std::vector<RecordingInfo> recs = {Rec(site, "evidence", Utc(2026, 1, 12, 9, 0)),
                                           Rec(site, "other", Utc(2026, 1, 12, 10, 0))};
  HoldSet holds;
  REQUIRE(holds.Place("evidence", "II K 123/26", "j.kowalska", Utc(2026, 2, 1, 9, 0)).ok());
  // Expired on 2026-04-13 00:00 CEST; swept daily afterwards.
  SweepClock daily = At(Utc(2026, 5, 1, 1, 0));
  daily.last_sweep_ms_utc = Utc(2026, 4, 30, 1, 0);
  SweepPlan during = PlanSweep(site, recs, holds, daily);
  CHECK(DeletedIds(during) == std::vector<std::string>{"other"});
  REQUIRE(during.kept_on_hold.size() == 1);
  CHECK(during.kept_on_hold[0].recording_id == "evidence");
  CHECK(during.kept_on_hold[0].hold_cases == std::vector<std::string>{"II K 123/26"});
  CHECK_THAT(during.kept_on_hold[0].text,
             Catch::Contains("kept under legal hold (II K 123/26) (RET-2)"));
  // Months later, still held: still kept.
  const std::vector<RecordingInfo> remaining = {recs[0]};
  SweepClock later = At(Utc(2026, 11, 2, 1, 0));
  later.operator_confirmed = true;  // the test skips the months of sweeps in between
  CHECK(PlanSweep(site, remaining, holds, later).deletions.empty());
  // The final ruling: the hold is lifted; the next sweep deletes it.
  REQUIRE(holds
              .Lift("evidence", "II K 123/26", "j.kowalska", "final ruling of 2026-11-02",
                    Utc(2026, 11, 2, 12, 0))
              .ok());
  SweepClock next = At(Utc(2026, 11, 3, 1, 0));
  next.last_sweep_ms_utc = Utc(2026, 11, 2, 1, 0);
  const SweepPlan after = PlanSweep(site, remaining, holds, next);
  CHECK(DeletedIds(after) == std::vector<std::string>{"evidence"});
  CHECK(after.kept_on_hold.empty());
}

TEST_CASE("RET-2 a recording held for two cases stays until both holds are lifted") {
  const SitePolicy site = BydgoszczLike();
  const std::vector<RecordingInfo> recs = {Rec(site, "r1", Utc(2026, 1, 12, 9, 0))};
  HoldSet holds;
  REQUIRE(holds.Place("r1", "case-A", "director", Utc(2026, 2, 1, 9, 0)).ok());
  REQUIRE(holds.Place("r1", "case-B", "director", Utc(2026, 2, 2, 9, 0)).ok());
  SweepClock clock = At(Utc(2026, 6, 1, 1, 0));
  clock.operator_confirmed = true;
  CHECK(PlanSweep(site, recs, holds, clock).kept_on_hold[0].hold_cases ==
        std::vector<std::string>{"case-A", "case-B"});
  REQUIRE(holds.Lift("r1", "case-A", "director", "ruling A final", Utc(2026, 5, 1, 9, 0)).ok());
  CHECK(PlanSweep(site, recs, holds, clock).deletions.empty());
  REQUIRE(holds.Lift("r1", "case-B", "director", "ruling B final", Utc(2026, 5, 2, 9, 0)).ok());
  CHECK(DeletedIds(PlanSweep(site, recs, holds, clock)) == std::vector<std::string>{"r1"});
}

TEST_CASE("RET-3 a clock that went backwards refuses the sweep") {
  const SitePolicy site = BydgoszczLike();
  const std::vector<RecordingInfo> recs = {Rec(site, "old", Utc(2026, 1, 1, 9, 0))};
  SweepClock clock = At(Utc(2026, 6, 1, 0, 0));
  clock.last_sweep_ms_utc = Utc(2026, 6, 1, 1, 0);  // the last sweep was "an hour in the future"
  const SweepPlan plan = PlanSweep(site, recs, HoldSet(), clock);
  CHECK(plan.refused);
  CHECK(plan.clock == ClockCheck::kWentBackwards);
  CHECK(plan.deletions.empty());
  CHECK_THAT(
      plan.text,
      Catch::StartsWith("retention: sweep refused: clock 2026-06-01T02:00:00.000+02:00 is behind"));
  // Within the tolerance (600 s) it runs.
  clock.last_sweep_ms_utc = Utc(2026, 6, 1, 0, 9);
  CHECK_FALSE(PlanSweep(site, recs, HoldSet(), clock).refused);
  // A recording that started "later than now" is evidence of a backwards step as well.
  const std::vector<RecordingInfo> future = {Rec(site, "old", Utc(2026, 1, 1, 9, 0)),
                                             Rec(site, "new", Utc(2026, 6, 2, 9, 0))};
  CHECK(PlanSweep(site, future, HoldSet(), At(Utc(2026, 6, 1, 0, 0))).clock ==
        ClockCheck::kWentBackwards);
}

TEST_CASE("RET-3 a clock that jumped ahead never deletes early") {
  const SitePolicy site = BydgoszczLike();
  // Recorded 2026-05-04 -> kept through 2026-08-04. The last sweep ran 2026-05-10.
  const std::vector<RecordingInfo> recs = {Rec(site, "r", Utc(2026, 5, 4, 9, 0))};
  SweepClock jumped = At(Utc(2027, 1, 1, 0, 0));  // an RTC/NTP step of ~8 months
  jumped.last_sweep_ms_utc = Utc(2026, 5, 10, 0, 0);
  SweepPlan plan = PlanSweep(site, recs, HoldSet(), jumped);
  CHECK(plan.refused);
  CHECK(plan.clock == ClockCheck::kJumpedAhead);
  CHECK(plan.deletions.empty());
  CHECK_THAT(plan.text, Catch::Contains("more than 168 h after the newest trusted time"));
  // Same boot, and the monotonic clock says only one hour passed: a step, refused.
  jumped.monotonic_since_last_sweep_ms = kMsPerHour;
  plan = PlanSweep(site, recs, HoldSet(), jumped);
  CHECK(plan.clock == ClockCheck::kMonotonicDisagrees);
  CHECK(plan.deletions.empty());
  // The monotonic clock agrees (the daemon really ran that long): the sweep runs.
  jumped.monotonic_since_last_sweep_ms =
      Utc(2027, 1, 1, 0, 0) - Utc(2026, 5, 10, 0, 0) + 5 * kMsPerMinute;
  plan = PlanSweep(site, recs, HoldSet(), jumped);
  CHECK_FALSE(plan.refused);
  CHECK(DeletedIds(plan) == std::vector<std::string>{"r"});
  // No monotonic reading (after a reboot), but an operator checked the clock.
  SweepClock confirmed = At(Utc(2027, 1, 1, 0, 0));
  confirmed.last_sweep_ms_utc = Utc(2026, 5, 10, 0, 0);
  confirmed.operator_confirmed = true;
  plan = PlanSweep(site, recs, HoldSet(), confirmed);
  CHECK(plan.clock == ClockCheck::kOperatorConfirmed);
  CHECK(plan.deletions.size() == 1);
  // Within the 168 h gap without a monotonic reading: fine.
  SweepClock week = At(Utc(2026, 5, 16, 23, 0));
  week.last_sweep_ms_utc = Utc(2026, 5, 10, 0, 0);
  CHECK_FALSE(PlanSweep(site, recs, HoldSet(), week).refused);
  // A small NTP correction within the tolerance is accepted.
  SweepClock slewed = At(Utc(2026, 5, 10, 1, 5));
  slewed.last_sweep_ms_utc = Utc(2026, 5, 10, 0, 0);
  slewed.monotonic_since_last_sweep_ms = kMsPerHour;
  CHECK(PlanSweep(site, recs, HoldSet(), slewed).clock == ClockCheck::kSane);
}

TEST_CASE("RET-3 the first sweep of an empty store has nothing to distrust") {
  const SitePolicy site = BydgoszczLike();
  const SweepPlan plan = PlanSweep(site, {}, HoldSet(), At(Utc(2026, 5, 4, 9, 0)));
  CHECK_FALSE(plan.refused);
  CHECK(plan.deletions.empty());
  CHECK(plan.next_expiry_ms_utc == std::nullopt);
}

TEST_CASE("RET-4 early deletion needs a requester and a reason and is refused under hold") {
  const SitePolicy site = BydgoszczLike();
  const RecordingInfo r = Rec(site, "r7", Utc(2026, 3, 2, 9, 0));
  HoldSet holds;
  DeletionRequest req{"asi.nowak", "no relevance established (Bydgoszcz §3.5)",
                      Utc(2026, 3, 3, 9, 0)};
  Result<DeletionOrder> ok = PlanEarlyDeletion(r, holds, req);
  REQUIRE(ok.ok());
  CHECK(ok->cause == DeletionCause::kEarlyDeletion);
  CHECK(ok->requested_by == "asi.nowak");
  CHECK(ok->decided_at_ms_utc == Utc(2026, 3, 3, 9, 0));
  CHECK(ok->text ==
        "retention: delete r7 early on request of asi.nowak: no relevance established (Bydgoszcz "
        "§3.5) (RET-4)");

  DeletionRequest anonymous = req;
  anonymous.requested_by.clear();
  Result<DeletionOrder> a = PlanEarlyDeletion(r, holds, anonymous);
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().code == ErrorCode::kInvalidInput);
  CHECK(a.error().message == "early deletion: requested_by is empty (RET-4)");
  DeletionRequest no_reason = req;
  no_reason.reason.clear();
  CHECK(PlanEarlyDeletion(r, holds, no_reason).error().message ==
        "early deletion: reason is empty (RET-4)");

  REQUIRE(holds.Place("r7", "PR 1 Ds. 55/26", "director", Utc(2026, 3, 2, 12, 0)).ok());
  Result<DeletionOrder> held = PlanEarlyDeletion(r, holds, req);
  REQUIRE_FALSE(held.ok());
  CHECK(held.error().code == ErrorCode::kConflict);
  CHECK(held.error().message ==
        "early deletion: recording r7 is under legal hold (PR 1 Ds. 55/26); lift the hold first "
        "(RET-2)");

  RecordingInfo live = Rec(site, "live", Utc(2026, 3, 2, 9, 0));
  live.in_progress = true;
  CHECK(PlanEarlyDeletion(live, HoldSet(), req).error().code == ErrorCode::kConflict);
}

}  // namespace kronika::policy
