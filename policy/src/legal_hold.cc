#include "kronika/policy/legal_hold.h"

namespace kronika::policy {
namespace {

Status RequireField(std::string_view value, const char* field) {
  if (value.empty())
    return MakeError(ErrorCode::kInvalidInput, std::string("hold: ") + field + " is empty (RET-2)");
  return OkStatus();
}

}  // namespace

Result<HoldSet> HoldSet::FromHistory(std::vector<Hold> history) {
  HoldSet set;
  for (Hold& h : history) {
    std::optional<HoldLift> lift = std::move(h.lift);
    if (Status s = set.Place(h.recording_id, h.case_ref, h.placed_by, h.placed_at_ms_utc);
        !s.ok()) {
      return s.error();
    }
    if (lift) {
      RETURN_IF_ERROR(set.Lift(h.recording_id, h.case_ref, lift->lifted_by, lift->reason,
                               lift->lifted_at_ms_utc));
    }
  }
  return set;
}

Status HoldSet::Place(std::string_view recording_id, std::string_view case_ref,
                      std::string_view placed_by, int64_t at_ms_utc) {
  RETURN_IF_ERROR(RequireField(recording_id, "recording_id"));
  RETURN_IF_ERROR(RequireField(case_ref, "case_ref"));
  RETURN_IF_ERROR(RequireField(placed_by, "placed_by"));
  for (const Hold& h : history_) {
    if (h.active() && h.recording_id == recording_id && h.case_ref == case_ref) {
      return MakeError(ErrorCode::kConflict, "hold: recording " + std::string(recording_id) +
                                                 " is already held for case " +
                                                 std::string(case_ref) + " (RET-2)");
    }
  }
  history_.push_back(Hold{std::string(recording_id), std::string(case_ref), std::string(placed_by),
                          at_ms_utc, std::nullopt});
  ++active_count_[std::string(recording_id)];
  return OkStatus();
}

Result<Hold> HoldSet::Lift(std::string_view recording_id, std::string_view case_ref,
                           std::string_view lifted_by, std::string_view reason, int64_t at_ms_utc) {
  RETURN_IF_ERROR(RequireField(lifted_by, "lifted_by"));
  RETURN_IF_ERROR(RequireField(reason, "reason"));
  for (Hold& h : history_) {
    if (!h.active() || h.recording_id != recording_id || h.case_ref != case_ref) continue;
    if (at_ms_utc < h.placed_at_ms_utc) {
      return MakeError(ErrorCode::kInvalidInput,
                       "hold: lift time is before the hold was placed (RET-2)");
    }
    h.lift = HoldLift{std::string(lifted_by), at_ms_utc, std::string(reason)};
    auto it = active_count_.find(recording_id);
    if (--it->second == 0) active_count_.erase(it);
    return h;
  }
  return MakeError(ErrorCode::kNotFound, "hold: no active hold for case " + std::string(case_ref) +
                                             " on recording " + std::string(recording_id) +
                                             " (RET-2)");
}

bool HoldSet::IsHeld(std::string_view recording_id) const {
  return active_count_.find(recording_id) != active_count_.end();
}

std::vector<std::string> HoldSet::ActiveCases(std::string_view recording_id) const {
  std::vector<std::string> out;
  if (!IsHeld(recording_id)) return out;
  for (const Hold& h : history_) {
    if (h.active() && h.recording_id == recording_id) out.push_back(h.case_ref);
  }
  return out;
}

std::vector<Hold> HoldSet::HoldsOf(std::string_view recording_id) const {
  std::vector<Hold> out;
  for (const Hold& h : history_) {
    if (h.recording_id == recording_id) out.push_back(h);
  }
  return out;
}

}  // namespace kronika::policy
