// RET-5: quota levels, oldest-first eviction that skips held recordings, refuse-new mode.
#include "kronika/policy/quota.h"

#include <catch2/catch.hpp>

#include "test_sites.h"

namespace kronika::policy {
namespace {

using testing::Utc;

constexpr uint64_t kMiB = kBytesPerMiB;

RecordingInfo Rec(const std::string& id, int64_t start, uint64_t bytes) {
  RecordingInfo r;
  r.id = id;
  r.start_ms_utc = start;
  r.expires_at_ms_utc = start + 90 * kMsPerDay;
  r.size_bytes = bytes;
  return r;
}

QuotaPolicy Quota(uint64_t limit_mib, QuotaAction action = QuotaAction::kEvictOldest) {
  QuotaPolicy q;
  q.limit_mib = limit_mib;
  q.warn_percent = 90;
  q.at_limit = action;
  return q;
}

std::vector<std::string> EvictedIds(const QuotaPlan& plan) {
  std::vector<std::string> ids;
  for (const DeletionOrder& o : plan.evictions) ids.push_back(o.recording_id);
  return ids;
}

}  // namespace

TEST_CASE(
    "RET-5 quota levels: ok below the warning, warning from warn_percent, full at the limit") {
  const QuotaPolicy q = Quota(100);
  CHECK(AssessQuota(q, 0).level == QuotaLevel::kOk);
  CHECK(AssessQuota(q, 90 * kMiB - 1).level == QuotaLevel::kOk);
  CHECK(AssessQuota(q, 90 * kMiB).level == QuotaLevel::kWarning);
  CHECK(AssessQuota(q, 100 * kMiB - 1).level == QuotaLevel::kWarning);
  CHECK(AssessQuota(q, 100 * kMiB).level == QuotaLevel::kFull);
  CHECK(AssessQuota(q, 92 * kMiB).text == "quota: 92% of 100 MiB used (warning at 90%) (RET-5)");
  CHECK(AssessQuota(q, 92 * kMiB).warn_bytes == 90 * kMiB);
  CHECK(AssessQuota(QuotaPolicy{}, 5 * kMiB).level == QuotaLevel::kUnlimited);
  CHECK(QuotaLevelName(QuotaLevel::kWarning) == "warning");
}

TEST_CASE("RET-5 quota eviction skips held recordings") {
  // 100 MiB quota, 95 MiB used in five recordings; a new 20 MiB recording needs 15 MiB.
  const std::vector<RecordingInfo> recs = {
      Rec("jan", Utc(2026, 1, 5, 9, 0), 10 * kMiB),  // oldest, on hold
      Rec("feb", Utc(2026, 2, 5, 9, 0), 10 * kMiB), Rec("mar", Utc(2026, 3, 5, 9, 0), 10 * kMiB),
      Rec("apr", Utc(2026, 4, 5, 9, 0), 25 * kMiB), Rec("may", Utc(2026, 5, 5, 9, 0), 40 * kMiB),
  };
  HoldSet holds;
  REQUIRE(holds.Place("jan", "II K 1/26", "director", Utc(2026, 2, 1, 9, 0)).ok());
  const QuotaPlan plan = PlanQuota(Quota(100), recs, holds, 20 * kMiB, Utc(2026, 5, 6, 9, 0));
  CHECK(plan.status.level == QuotaLevel::kWarning);
  CHECK(plan.admit_new);
  CHECK(EvictedIds(plan) == std::vector<std::string>{"feb", "mar"});
  CHECK(plan.used_after_bytes == 75 * kMiB);
  CHECK(plan.evictions[0].cause == DeletionCause::kQuotaEviction);
  CHECK(plan.evictions[0].requested_by == "quota");
  CHECK(plan.evictions[0].text ==
        "quota: evict feb (10485760 bytes): storage quota of 100 MiB reached; oldest recording not "
        "on hold (RET-5)");
  // Without the hold the oldest two go.
  CHECK(EvictedIds(PlanQuota(Quota(100), recs, HoldSet(), 20 * kMiB, 0)) ==
        std::vector<std::string>{"jan", "feb"});
}

TEST_CASE(
    "RET-5 nothing is evicted when it fits, when eviction cannot make room, or in refuse-new "
    "mode") {
  const std::vector<RecordingInfo> recs = {Rec("a", 1, 30 * kMiB), Rec("b", 2, 30 * kMiB),
                                           Rec("c", 3, 30 * kMiB)};
  // Fits: 90 + 10 = 100 MiB, exactly the limit.
  QuotaPlan fits = PlanQuota(Quota(100), recs, HoldSet(), 10 * kMiB, 0);
  CHECK(fits.admit_new);
  CHECK(fits.evictions.empty());
  // All but one held: evicting "c" (30 MiB) cannot fit 50 MiB more under 100 -> nothing evicted.
  HoldSet holds;
  REQUIRE(holds.Place("a", "A", "x", 1).ok());
  REQUIRE(holds.Place("b", "B", "x", 1).ok());
  QuotaPlan stuck = PlanQuota(Quota(100), recs, holds, 50 * kMiB, 0);
  CHECK_FALSE(stuck.admit_new);
  CHECK(stuck.evictions.empty());
  CHECK_THAT(stuck.text, Catch::Contains("would not make room: nothing evicted"));
  // Refuse-new keeps everything.
  QuotaPlan refuse = PlanQuota(Quota(100, QuotaAction::kRefuseNew), recs, HoldSet(), 20 * kMiB, 0);
  CHECK_FALSE(refuse.admit_new);
  CHECK(refuse.evictions.empty());
  CHECK_THAT(refuse.text, Catch::EndsWith("new recordings refused (at_limit = refuse-new)"));
  // A single recording larger than the quota.
  CHECK_FALSE(PlanQuota(Quota(100), {}, HoldSet(), 101 * kMiB, 0).admit_new);
  // No quota: always admitted.
  CHECK(PlanQuota(QuotaPolicy{}, recs, HoldSet(), 1000 * kMiB, 0).admit_new);
}

TEST_CASE(
    "RET-5 a periodic check brings usage back under the limit, never touching recordings in "
    "progress") {
  std::vector<RecordingInfo> recs = {Rec("old-live", 1, 50 * kMiB), Rec("b", 2, 40 * kMiB),
                                     Rec("c", 3, 40 * kMiB)};
  recs[0].in_progress = true;
  const QuotaPlan plan = PlanQuota(Quota(100), recs, HoldSet(), 0, 0);  // 130 MiB used
  CHECK(plan.status.level == QuotaLevel::kFull);
  CHECK(EvictedIds(plan) == std::vector<std::string>{"b"});
  CHECK(plan.used_after_bytes == 90 * kMiB);
  // Same start instant: ties broken by id, deterministic.
  const std::vector<RecordingInfo> tie = {Rec("z", 5, 60 * kMiB), Rec("y", 5, 60 * kMiB)};
  CHECK(EvictedIds(PlanQuota(Quota(100), tie, HoldSet(), 0, 0)) == std::vector<std::string>{"y"});
}

}  // namespace kronika::policy
