// RET-5 per INVITE: the running per-site usage figure between sweeps.
#include "kronika/policy/quota_usage.h"

#include <catch2/catch.hpp>

namespace kronika::policy {
namespace {

constexpr uint64_t kMiB = kBytesPerMiB;

QuotaPolicy Quota(uint64_t limit_mib, QuotaAction action) {
  QuotaPolicy q;
  q.limit_mib = limit_mib;
  q.warn_percent = 80;
  q.at_limit = action;
  return q;
}

}  // namespace

TEST_CASE("RET-5 usage: finished recordings add, deletions subtract, a sweep re-syncs") {
  const QuotaPolicy q = Quota(10, QuotaAction::kRefuseNew);
  QuotaUsage usage;
  CHECK(usage.Used("bydgoszcz") == 0);
  usage.Add(q, "bydgoszcz", 3 * kMiB);
  usage.Add(q, "bydgoszcz", 2 * kMiB);
  usage.Add(q, "halinow", 7 * kMiB);
  CHECK(usage.Used("bydgoszcz") == 5 * kMiB);
  CHECK(usage.Used("halinow") == 7 * kMiB);
  usage.Remove(q, "bydgoszcz", 3 * kMiB);
  CHECK(usage.Used("bydgoszcz") == 2 * kMiB);
  usage.Remove(q, "bydgoszcz", 9 * kMiB);  // deleted more than counted (CLI): never negative
  CHECK(usage.Used("bydgoszcz") == 0);
  usage.Resync(q, "bydgoszcz", 4 * kMiB);  // the store's own sum wins
  CHECK(usage.Used("bydgoszcz") == 4 * kMiB);
  CHECK(usage.Used("halinow") == 7 * kMiB);
}

TEST_CASE("RET-5 refuse-new: new recordings refused from the limit on, admitted again below it") {
  const QuotaPolicy q = Quota(10, QuotaAction::kRefuseNew);
  QuotaUsage usage;
  usage.Add(q, "s", 10 * kMiB - 1);
  QuotaAdmission a = usage.Admit(q, "s");
  CHECK(a.admit);
  CHECK(a.status.level == QuotaLevel::kWarning);
  usage.Add(q, "s", 1);
  a = usage.Admit(q, "s");
  CHECK_FALSE(a.admit);
  CHECK(a.status.level == QuotaLevel::kFull);
  CHECK(a.text == "quota: site s storage full, new recordings refused (at_limit = refuse-new): "
                  "quota: 100% of 10 MiB used (warning at 80%) (RET-5)");
  CHECK(usage.Admit(q, "other").admit);  // per site
  usage.Remove(q, "s", 1 * kMiB);
  CHECK(usage.Admit(q, "s").admit);
  CHECK(usage.Admit(Quota(0, QuotaAction::kRefuseNew), "s").admit);  // no quota, no refusal
}

TEST_CASE("RET-5 evict-oldest: always admitted, the finish that reaches the limit reports the crossing once") {
  const QuotaPolicy q = Quota(10, QuotaAction::kEvictOldest);
  QuotaUsage usage;
  QuotaChange c = usage.Add(q, "s", 7 * kMiB);
  CHECK(c.status.level == QuotaLevel::kOk);
  CHECK_FALSE(c.crossed_limit);
  c = usage.Add(q, "s", 1 * kMiB);
  CHECK(c.status.level == QuotaLevel::kWarning);
  CHECK(c.level_changed);
  CHECK_FALSE(c.crossed_limit);
  c = usage.Add(q, "s", 3 * kMiB);
  CHECK(c.status.level == QuotaLevel::kFull);
  CHECK(c.crossed_limit);
  CHECK(usage.Admit(q, "s").admit);
  c = usage.Add(q, "s", 1 * kMiB);  // still full (e.g. everything held): no new wake-up
  CHECK_FALSE(c.crossed_limit);
  CHECK_FALSE(c.level_changed);
  c = usage.Resync(q, "s", 9 * kMiB);  // the sweep evicted below the limit
  CHECK(c.status.level == QuotaLevel::kWarning);
  c = usage.Add(q, "s", 1 * kMiB);
  CHECK(c.crossed_limit);
}

}  // namespace kronika::policy
