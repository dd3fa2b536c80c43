#include "kronika/policy/data_subject.h"

#include <algorithm>

namespace kronika::policy {
namespace {

bool TakesPart(const NumberPlan& plan, const RecordingInfo& r, const std::string& subject) {
  return std::any_of(r.participants.begin(), r.participants.end(), [&](const std::string& p) {
    std::optional<std::string> c = CanonicalNumber(plan, p);
    return c && *c == subject;
  });
}

Result<std::string> SubjectNumber(const SitePolicy& policy, std::string_view number) {
  std::optional<std::string> c = CanonicalNumber(policy.numbers, number);
  if (!c)
    return MakeError(ErrorCode::kInvalidInput,
                     "rights: \"" + std::string(number) + "\" is not a phone number (RIGHTS-1)");
  return *c;
}

}  // namespace

Result<std::vector<std::string>> FindRecordingsOf(const SitePolicy& policy,
                                                  const std::vector<RecordingInfo>& recordings,
                                                  std::string_view number) {
  ASSIGN_OR_RETURN(std::string subject, SubjectNumber(policy, number));
  std::vector<std::string> ids;
  for (const RecordingInfo& r : recordings) {
    if (TakesPart(policy.numbers, r, subject)) ids.push_back(r.id);
  }
  return ids;
}

Result<ErasurePlan> PlanErasure(const SitePolicy& policy,
                                const std::vector<RecordingInfo>& recordings, const HoldSet& holds,
                                std::string_view number, const DeletionRequest& request) {
  if (request.requested_by.empty())
    return MakeError(ErrorCode::kInvalidInput, "rights: erasure requested_by is empty (RIGHTS-2)");
  if (request.reason.empty())
    return MakeError(ErrorCode::kInvalidInput, "rights: erasure reason is empty (RIGHTS-2)");
  Result<std::string> subject = SubjectNumber(policy, number);
  if (!subject.ok()) return subject.error();
  ErasurePlan plan;
  plan.subject = *subject;
  size_t held = 0;
  for (const RecordingInfo& r : recordings) {
    if (!TakesPart(policy.numbers, r, plan.subject)) continue;
    if (holds.IsHeld(r.id)) {
      KeptRecording kept{r.id, holds.ActiveCases(r.id), ""};
      std::string cases;
      for (const std::string& c : kept.hold_cases) cases += (cases.empty() ? "" : ", ") + c;
      kept.text = "rights: " + r.id + " kept: under legal hold (" + cases + ") (RET-2)";
      plan.kept.push_back(std::move(kept));
      ++held;
      continue;
    }
    if (r.in_progress) {
      plan.kept.push_back(KeptRecording{
          r.id, {}, "rights: " + r.id + " kept: still being recorded; ask again when it ends"});
      continue;
    }
    DeletionOrder order;
    order.recording_id = r.id;
    order.cause = DeletionCause::kErasureRequest;
    order.requested_by = request.requested_by;
    order.reason = request.reason;
    order.decided_at_ms_utc = request.at_ms_utc;
    order.text = "rights: erase " + r.id + " on request of " + request.requested_by + ": " +
                 request.reason + " (RIGHTS-2)";
    plan.erase.push_back(std::move(order));
  }
  plan.text = "rights: erase " + std::to_string(plan.erase.size()) + " recording(s) of " +
              plan.subject + ", keep " + std::to_string(held) + " under legal hold";
  if (plan.kept.size() > held)
    plan.text += " and " + std::to_string(plan.kept.size() - held) + " in progress";
  plan.text += " (RIGHTS-2)";
  return plan;
}

Result<Restriction> Restrict(const Restriction& current, std::string_view by,
                             std::string_view reason, int64_t at_ms_utc) {
  if (by.empty())
    return MakeError(ErrorCode::kInvalidInput, "rights: restriction by is empty (RIGHTS-3)");
  if (reason.empty())
    return MakeError(ErrorCode::kInvalidInput, "rights: restriction reason is empty (RIGHTS-3)");
  if (current.restricted)
    return MakeError(ErrorCode::kConflict, "rights: recording is already restricted (RIGHTS-3)");
  return Restriction{true, std::string(by), at_ms_utc, std::string(reason)};
}

Result<Restriction> Unrestrict(const Restriction& current, std::string_view by,
                               std::string_view reason, int64_t at_ms_utc) {
  if (by.empty())
    return MakeError(ErrorCode::kInvalidInput, "rights: unrestriction by is empty (RIGHTS-3)");
  if (reason.empty())
    return MakeError(ErrorCode::kInvalidInput, "rights: unrestriction reason is empty (RIGHTS-3)");
  if (!current.restricted)
    return MakeError(ErrorCode::kConflict, "rights: recording is not restricted (RIGHTS-3)");
  return Restriction{false, std::string(by), at_ms_utc, std::string(reason)};
}

Status CheckUse(const Restriction& restriction, UseKind use, const TimeZone& zone) {
  if (!restriction.restricted || use == UseKind::kMetadata) return OkStatus();
  return MakeError(ErrorCode::kPermissionDenied,
                   "rights: recording restricted since " +
                       zone.FormatIso(restriction.since_ms_utc) + " by " + restriction.by + ": " +
                       (use == UseKind::kPlayback ? "playback" : "export") + " refused (RIGHTS-3)");
}

}  // namespace kronika::policy
