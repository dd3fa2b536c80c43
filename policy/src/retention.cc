#include "kronika/policy/retention.h"

#include <algorithm>

namespace kronika::policy {

std::string_view DeletionCauseName(DeletionCause cause) {
  switch (cause) {
    case DeletionCause::kRetentionExpired:
      return "retention-expired";
    case DeletionCause::kEarlyDeletion:
      return "early-deletion";
    case DeletionCause::kErasureRequest:
      return "erasure-request";
    case DeletionCause::kQuotaEviction:
      return "quota-eviction";
  }
  return "unknown";
}

std::string_view ClockCheckName(ClockCheck check) {
  switch (check) {
    case ClockCheck::kSane:
      return "sane";
    case ClockCheck::kOperatorConfirmed:
      return "operator-confirmed";
    case ClockCheck::kWentBackwards:
      return "went-backwards";
    case ClockCheck::kJumpedAhead:
      return "jumped-ahead";
    case ClockCheck::kMonotonicDisagrees:
      return "monotonic-disagrees";
  }
  return "unknown";
}

RetentionStamp StampRetention(const TimeZone& zone, int months, int64_t start_ms_utc) {
  RetentionStamp s;
  s.months = months;
  s.recording_day = zone.ToLocal(start_ms_utc).civil.date;
  s.last_day_kept = AddMonthsClamped(s.recording_day, months);
  // Midnight may be skipped or repeated by a DST rule: take the latest instant the wall
  // clock shows 00:00 of the next day (never earlier than the period allows).
  s.expires_at_ms_utc = zone.ToUtc(CivilDateTime{AddDays(s.last_day_kept, 1)}).latest_ms_utc;
  return s;
}

RetentionStamp StampRetention(const SitePolicy& policy, int64_t start_ms_utc) {
  return StampRetention(policy.zone, policy.retention.months, start_ms_utc);
}

namespace {

// The clock rule of retention.h; fills plan.clock/refused/text when refusing.
bool ClockBelievable(const SitePolicy& policy, const std::vector<RecordingInfo>& recordings,
                     const SweepClock& clock, SweepPlan& plan) {
  const int64_t tolerance_ms = policy.retention.sweep_clock_tolerance_s * kMsPerSecond;
  const int64_t max_gap_ms = policy.retention.sweep_max_gap_hours * kMsPerHour;
  const TimeZone& zone = policy.zone;
  if (clock.operator_confirmed) {
    plan.clock = ClockCheck::kOperatorConfirmed;
    return true;
  }
  std::optional<int64_t> trusted = clock.last_sweep_ms_utc;
  for (const RecordingInfo& r : recordings) {
    if (!trusted || r.start_ms_utc > *trusted) trusted = r.start_ms_utc;
  }
  auto refuse = [&](ClockCheck why, const std::string& text) {
    plan.refused = true;
    plan.clock = why;
    plan.text = "retention: sweep refused: " + text + "; nothing deleted (RET-3)";
    return false;
  };
  if (trusted && clock.now_ms_utc + tolerance_ms < *trusted) {
    return refuse(ClockCheck::kWentBackwards, "clock " + zone.FormatIso(clock.now_ms_utc) +
                                                  " is behind the newest trusted time " +
                                                  zone.FormatIso(*trusted));
  }
  if (clock.last_sweep_ms_utc && clock.monotonic_since_last_sweep_ms) {
    const int64_t wall = clock.now_ms_utc - *clock.last_sweep_ms_utc;
    const int64_t drift = wall - *clock.monotonic_since_last_sweep_ms;
    if (drift > tolerance_ms || drift < -tolerance_ms) {
      return refuse(ClockCheck::kMonotonicDisagrees,
                    "wall clock moved " + std::to_string(wall / kMsPerSecond) +
                        " s since the last sweep, monotonic clock " +
                        std::to_string(*clock.monotonic_since_last_sweep_ms / kMsPerSecond) + " s");
    }
    return true;  // corroborated: any gap is real elapsed time
  }
  if (trusted && clock.now_ms_utc - *trusted > max_gap_ms) {
    return refuse(ClockCheck::kJumpedAhead,
                  "clock " + zone.FormatIso(clock.now_ms_utc) + " is more than " +
                      std::to_string(policy.retention.sweep_max_gap_hours) +
                      " h after the newest trusted time " + zone.FormatIso(*trusted) +
                      " and no monotonic reading confirms it");
  }
  return true;
}

}  // namespace

SweepPlan PlanSweep(const SitePolicy& policy, const std::vector<RecordingInfo>& recordings,
                    const HoldSet& holds, const SweepClock& clock) {
  SweepPlan plan;
  if (!ClockBelievable(policy, recordings, clock, plan)) return plan;
  const int64_t now = clock.now_ms_utc;
  std::vector<const RecordingInfo*> expired;
  for (const RecordingInfo& r : recordings) {
    if (r.in_progress) continue;
    if (r.expires_at_ms_utc > now) {
      if (!plan.next_expiry_ms_utc || r.expires_at_ms_utc < *plan.next_expiry_ms_utc) {
        plan.next_expiry_ms_utc = r.expires_at_ms_utc;
      }
      continue;
    }
    expired.push_back(&r);
  }
  std::sort(expired.begin(), expired.end(), [](const RecordingInfo* a, const RecordingInfo* b) {
    return a->expires_at_ms_utc != b->expires_at_ms_utc
               ? a->expires_at_ms_utc < b->expires_at_ms_utc
               : a->id < b->id;
  });
  for (const RecordingInfo* r : expired) {
    if (holds.IsHeld(r->id)) {
      KeptRecording kept{r->id, holds.ActiveCases(r->id), ""};
      std::string cases;
      for (const std::string& c : kept.hold_cases) cases += (cases.empty() ? "" : ", ") + c;
      kept.text = "retention: " + r->id + " expired " +
                  policy.zone.FormatIso(r->expires_at_ms_utc) + " but is kept under legal hold (" +
                  cases + ") (RET-2)";
      plan.kept_on_hold.push_back(std::move(kept));
      continue;
    }
    DeletionOrder order;
    order.recording_id = r->id;
    order.cause = DeletionCause::kRetentionExpired;
    order.requested_by = std::string(kSweeperRequester);
    order.reason = "retention period ended " + policy.zone.FormatIso(r->expires_at_ms_utc);
    order.decided_at_ms_utc = now;
    order.text = "retention: delete " + r->id + ": " + order.reason + " (RET-3)";
    plan.deletions.push_back(std::move(order));
  }
  plan.text = "retention: sweep at " + policy.zone.FormatIso(now) + " (clock " +
              std::string(ClockCheckName(plan.clock)) +
              "): " + std::to_string(plan.deletions.size()) + " to delete, " +
              std::to_string(plan.kept_on_hold.size()) + " expired but held (RET-3)";
  return plan;
}

Result<DeletionOrder> PlanEarlyDeletion(const RecordingInfo& recording, const HoldSet& holds,
                                        const DeletionRequest& request) {
  if (request.requested_by.empty())
    return MakeError(ErrorCode::kInvalidInput, "early deletion: requested_by is empty (RET-4)");
  if (request.reason.empty())
    return MakeError(ErrorCode::kInvalidInput, "early deletion: reason is empty (RET-4)");
  if (holds.IsHeld(recording.id)) {
    std::string cases;
    for (const std::string& c : holds.ActiveCases(recording.id))
      cases += (cases.empty() ? "" : ", ") + c;
    return MakeError(ErrorCode::kConflict, "early deletion: recording " + recording.id +
                                               " is under legal hold (" + cases +
                                               "); lift the hold first (RET-2)");
  }
  if (recording.in_progress) {
    return MakeError(ErrorCode::kConflict, "early deletion: recording " + recording.id +
                                               " is still being recorded (RET-4)");
  }
  DeletionOrder order;
  order.recording_id = recording.id;
  order.cause = DeletionCause::kEarlyDeletion;
  order.requested_by = request.requested_by;
  order.reason = request.reason;
  order.decided_at_ms_utc = request.at_ms_utc;
  order.text = "retention: delete " + recording.id + " early on request of " +
               request.requested_by + ": " + request.reason + " (RET-4)";
  return order;
}

}  // namespace kronika::policy
