// Retention (RET-1, RET-3, RET-4): how long a recording is kept, which recordings a sweep
// deletes, and early deletion on request.
//
// RET-1, "from the day of recording": Lubliniec §5 "12 miesięcy od dnia nagrania",
// Bydgoszcz §3.4 and Bolesławiec §2.4 "3 miesiące od dnia nagrania". Kronika counts as the
// Polish Civil Code counts a period in months (art. 111 §2, art. 112 k.c.): the recording
// day is the site-local date of the start; the period ends with the end of the day that
// bears the same date N months later, or with the last day of that month when it has no
// such date. The recording may be deleted from the first instant of the following local
// day. Example: started 2026-03-15 10:00 CET, 3 months -> kept through 2026-06-15 (local),
// deleted from 2026-06-16 00:00 CEST = 2026-06-15T22:00:00Z. Szczecin §6 counts "6 months
// from the moment of creation": the day rule keeps at most one day longer, never shorter.
// The stamp is computed once, when recording starts, with the site's policy then in
// force (a later policy change does not move existing expiries).
//
// RET-3 sweeps and the clock: deleting late is recoverable, deleting early is not. A
// sweep therefore refuses to run when its idea of "now" is not believable:
//  * now is earlier (by more than the tolerance) than the newest trusted instant (the last
//    completed sweep, or the newest recording start): the clock went backwards;
//  * the daemon has a monotonic reading since the last sweep (same boot) and the wall
//    clock moved differently from it by more than the tolerance: the clock was stepped;
//  * without a monotonic reading, now is more than sweep_max_gap_hours after the newest
//    trusted instant: a jump ahead (e.g. a bad RTC at boot) cannot be told from downtime.
// A refused sweep deletes nothing and says why; an operator who has checked the clock
// passes operator_confirmed to run it. After a completed sweep the caller stores now as
// last_sweep_ms_utc.
//
// Threads: pure functions, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kronika/policy/civil_time.h"
#include "kronika/policy/legal_hold.h"
#include "kronika/policy/recording.h"
#include "kronika/policy/site_policy.h"
#include "kronika/result.h"

namespace kronika::policy {

struct RetentionStamp {
  int months = 0;
  CivilDate recording_day;        // site-local date of the start
  CivilDate last_day_kept;        // recording_day + months (clamped), local
  int64_t expires_at_ms_utc = 0;  // first instant of the local day after last_day_kept
};

// RET-1. REQUIRES: policy from ValidateSitePolicy().
RetentionStamp StampRetention(const SitePolicy& policy, int64_t start_ms_utc);
RetentionStamp StampRetention(const TimeZone& zone, int months, int64_t start_ms_utc);

struct SweepClock {
  int64_t now_ms_utc = 0;                                // wall clock now
  std::optional<int64_t> last_sweep_ms_utc;              // wall clock at the last completed sweep
  std::optional<int64_t> monotonic_since_last_sweep_ms;  // steady/boot clock elapsed since then,
                                                         // when the same boot took both readings
  bool operator_confirmed = false;                       // an operator vouched for the clock
};

enum class ClockCheck {
  kSane,
  kOperatorConfirmed,
  kWentBackwards,       // refused
  kJumpedAhead,         // refused
  kMonotonicDisagrees,  // refused
};

struct SweepPlan {
  bool refused = false;
  ClockCheck clock = ClockCheck::kSane;
  std::string text;                         // one line: what the sweep will do or why it refuses
  std::vector<DeletionOrder> deletions;     // expired and not held, earliest expiry first
  std::vector<KeptRecording> kept_on_hold;  // expired but held (RET-2)
  std::optional<int64_t>
      next_expiry_ms_utc;  // earliest expiry still ahead (schedule the next sweep)
};

// RET-3. Recordings in progress are never planned for deletion.
SweepPlan PlanSweep(const SitePolicy& policy, const std::vector<RecordingInfo>& recordings,
                    const HoldSet& holds, const SweepClock& clock);

// A person's request to delete a recording before its period ends (RET-4, Bydgoszcz §3.5),
// or a data subject's erasure request (RIGHTS-2, see data_subject.h).
struct DeletionRequest {
  std::string requested_by;  // authenticated identity of the requester
  std::string reason;        // e.g. "no relevance established (§3.5)"
  int64_t at_ms_utc = 0;
};

// RET-4. Errors: kInvalidInput empty requested_by / reason; kConflict the recording is under legal
// hold (message names the cases) or still being recorded.
Result<DeletionOrder> PlanEarlyDeletion(const RecordingInfo& recording, const HoldSet& holds,
                                        const DeletionRequest& request);

std::string_view ClockCheckName(ClockCheck check);  // "sane", "operator-confirmed", ...

}  // namespace kronika::policy
