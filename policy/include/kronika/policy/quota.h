// Storage quota (RET-5, Halinów §1.3.6: "czas przechowywania ... może być ograniczony
// techniczną zdolnością urządzenia rejestrującego").
//
// Per site: a limit in MiB, a warning threshold (percent of the limit: the alert "before
// it bites"), and what happens at the limit: evict the oldest recordings that are not on
// legal hold (RET-2) and not in progress, or refuse new recordings. Eviction happens only
// when it makes room: if evicting every candidate would still not fit the new recording,
// nothing is evicted and the new recording is refused (destroying evidence-free
// recordings for no gain helps nobody), and the status says the store is full of held
// recordings.
//
// Threads: pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/policy/legal_hold.h"
#include "kronika/policy/recording.h"
#include "kronika/policy/site_policy.h"

namespace kronika::policy {

inline constexpr uint64_t kBytesPerMiB = 1024 * 1024;

enum class QuotaLevel {
  kUnlimited,  // no quota configured
  kOk,         // below the warning threshold
  kWarning,    // at or above warn_percent of the limit: raise the alert
  kFull,       // at or above the limit
};

struct QuotaStatus {
  QuotaLevel level = QuotaLevel::kUnlimited;
  uint64_t used_bytes = 0;
  uint64_t limit_bytes = 0;  // 0 when unlimited
  uint64_t warn_bytes = 0;   // threshold of kWarning, 0 when unlimited
  std::string text;          // "quota: 92% of 1024 MiB used (warning at 90%) (RET-5)"
};

// Level of `used_bytes` under the policy.
QuotaStatus AssessQuota(const QuotaPolicy& quota, uint64_t used_bytes);

struct QuotaPlan {
  QuotaStatus status;                    // before the plan
  bool admit_new = true;                 // may a new recording of incoming_bytes start?
  std::vector<DeletionOrder> evictions;  // oldest first (kEvictOldest only)
  uint64_t used_after_bytes = 0;         // used bytes once evictions are done (without the new one)
  std::string text;
};

// Plans room for a new recording of `incoming_bytes` (an estimate; 0 for a periodic check
// that only brings usage back under the limit). Used bytes are the sum of size_bytes.
// Candidates for eviction: not held, not in progress; oldest start first (ties by id).
QuotaPlan PlanQuota(const QuotaPolicy& quota, const std::vector<RecordingInfo>& recordings,
                    const HoldSet& holds, uint64_t incoming_bytes, int64_t now_ms_utc);

std::string_view QuotaLevelName(QuotaLevel level);  // "unlimited", "ok", "warning", "full"

}  // namespace kronika::policy
