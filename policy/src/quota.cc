#include "kronika/policy/quota.h"

#include <algorithm>

namespace kronika::policy {
namespace {

std::string Percent(uint64_t used, uint64_t limit) {
  return std::to_string(limit == 0 ? 0 : (used * 100) / limit) + "%";
}

}  // namespace

std::string_view QuotaLevelName(QuotaLevel level) {
  switch (level) {
    case QuotaLevel::kUnlimited:
      return "unlimited";
    case QuotaLevel::kOk:
      return "ok";
    case QuotaLevel::kWarning:
      return "warning";
    case QuotaLevel::kFull:
      return "full";
  }
  return "unknown";
}

QuotaStatus AssessQuota(const QuotaPolicy& quota, uint64_t used_bytes) {
  QuotaStatus s;
  s.used_bytes = used_bytes;
  if (quota.limit_mib == 0) {
    s.text = "quota: none configured, " + std::to_string(used_bytes / kBytesPerMiB) +
             " MiB used (RET-5)";
    return s;
  }
  s.limit_bytes = quota.limit_mib * kBytesPerMiB;
  s.warn_bytes = s.limit_bytes / 100 * static_cast<uint64_t>(quota.warn_percent) +
                 s.limit_bytes % 100 * static_cast<uint64_t>(quota.warn_percent) / 100;
  s.level = used_bytes >= s.limit_bytes  ? QuotaLevel::kFull
            : used_bytes >= s.warn_bytes ? QuotaLevel::kWarning
                                         : QuotaLevel::kOk;
  s.text = "quota: " + Percent(used_bytes, s.limit_bytes) + " of " +
           std::to_string(quota.limit_mib) + " MiB used (warning at " +
           std::to_string(quota.warn_percent) + "%) (RET-5)";
  return s;
}

QuotaPlan PlanQuota(const QuotaPolicy& quota, const std::vector<RecordingInfo>& recordings,
                    const HoldSet& holds, uint64_t incoming_bytes, int64_t now_ms_utc) {
  uint64_t used = 0;
  for (const RecordingInfo& r : recordings) used += r.size_bytes;
  QuotaPlan plan;
  plan.status = AssessQuota(quota, used);
  plan.used_after_bytes = used;
  if (plan.status.level == QuotaLevel::kUnlimited) {
    plan.text = plan.status.text;
    return plan;
  }
  const uint64_t limit = plan.status.limit_bytes;
  // Room is needed when the new recording would not fit, or usage is already above the limit.
  const bool fits = incoming_bytes <= limit && used <= limit - incoming_bytes;
  if (fits) {
    plan.text = plan.status.text;
    return plan;
  }
  if (quota.at_limit == QuotaAction::kRefuseNew) {
    plan.admit_new = false;
    plan.text = plan.status.text + "; new recordings refused (at_limit = refuse-new)";
    return plan;
  }
  if (incoming_bytes > limit) {
    plan.admit_new = false;
    plan.text = plan.status.text + "; the new recording alone exceeds the quota";
    return plan;
  }
  const uint64_t target = limit - incoming_bytes;  // used must come down to this
  std::vector<const RecordingInfo*> candidates;
  for (const RecordingInfo& r : recordings) {
    if (!r.in_progress && !holds.IsHeld(r.id)) candidates.push_back(&r);
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const RecordingInfo* a, const RecordingInfo* b) {
              return a->start_ms_utc != b->start_ms_utc ? a->start_ms_utc < b->start_ms_utc
                                                        : a->id < b->id;
            });
  uint64_t after = used;
  size_t n = 0;
  while (after > target && n < candidates.size()) after -= candidates[n++]->size_bytes;
  if (after > target) {
    plan.admit_new = false;
    plan.text = plan.status.text +
                "; evicting every recording not on hold would not make room: nothing evicted, new "
                "recordings refused";
    return plan;
  }
  for (size_t i = 0; i < n; ++i) {
    const RecordingInfo& r = *candidates[i];
    DeletionOrder order;
    order.recording_id = r.id;
    order.cause = DeletionCause::kQuotaEviction;
    order.requested_by = std::string(kQuotaRequester);
    order.reason = "storage quota of " + std::to_string(quota.limit_mib) +
                   " MiB reached; oldest recording not on hold";
    order.decided_at_ms_utc = now_ms_utc;
    order.text = "quota: evict " + r.id + " (" + std::to_string(r.size_bytes) +
                 " bytes): " + order.reason + " (RET-5)";
    plan.evictions.push_back(std::move(order));
  }
  plan.used_after_bytes = after;
  plan.text =
      plan.status.text + "; evicting " + std::to_string(n) + " oldest recording(s) not on hold";
  return plan;
}

}  // namespace kronika::policy
