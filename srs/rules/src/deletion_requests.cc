// Erasure and early deletion on request (see deletion_requests.h).
#include "kronika/srs/rules/deletion_requests.h"

#include <map>
#include <unordered_map>

#include "kronika/policy/retention.h"

namespace kronika::srs {
namespace {

Result<std::vector<RecordingRecord>> RecordingsOf(const Store& store, const std::string& number) {
  RecordingQuery q;
  q.number = number;
  q.limit = 0;
  return store.Query(q);
}

}  // namespace

Result<ErasureReport> EraseSubject(Store& store, RulesDb& db, const SitePolicies& sites, const std::string& number,
                                   const policy::DeletionRequest& request, const DeleteOptions& options) {
  if (sites.empty())
    return MakeError(ErrorCode::kInvalidInput,
                     "rights: no site policy configured (policy.site_files)");
  ASSIGN_OR_RETURN(std::vector<RecordingRecord> rows, RecordingsOf(store, number));
  ASSIGN_OR_RETURN(policy::HoldSet holds, db.LoadHolds());
  std::map<std::string, std::vector<policy::RecordingInfo>> by_site;
  std::unordered_map<std::string, RecordingRecord> records;
  for (RecordingRecord& r : rows) {
    const policy::SitePolicy* site = sites.ForRecording(r.site);
    by_site[site->site_id].push_back(InfoOf(r, &site->numbers));
    records.emplace(r.recording_id, std::move(r));
  }
  ErasureReport report;
  if (by_site.empty()) {
    // Validate the request all the same (kInvalidInput for an empty requester or a non-number).
    Result<policy::ErasurePlan> plan =
        policy::PlanErasure(sites.all().front(), {}, holds, number, request);
    if (!plan.ok()) return plan.error();
    report.texts.push_back(plan->text);
    RETURN_IF_ERROR(db.RecordErasure(number, report.erased, request.requested_by, request.at_ms_utc));
    return report;
  }
  for (const auto& [site_id, infos] : by_site) {
    ASSIGN_OR_RETURN(policy::ErasurePlan plan,
                     policy::PlanErasure(*sites.Find(site_id), infos, holds, number, request));
    report.texts.push_back(plan.text);
    report.kept.insert(report.kept.end(), plan.kept.begin(), plan.kept.end());
    ASSIGN_OR_RETURN(DeleteOutcome done,
                     ExecuteDeletions(store, db, plan.erase, records, options, request.at_ms_utc));
    report.erased.insert(report.erased.end(), done.deleted.begin(), done.deleted.end());
    report.kept.insert(report.kept.end(), done.kept.begin(), done.kept.end());
  }
  // The subject.erased event (issue 17) once every site's deletions are logged; each
  // deletion already scrubbed its recording's events in its own transaction.
  RETURN_IF_ERROR(db.RecordErasure(number, report.erased, request.requested_by, request.at_ms_utc));
  return report;
}

Status DeleteEarly(Store& store, RulesDb& db, const std::string& recording_id, const policy::DeletionRequest& request,
                   const DeleteOptions& options) {
  ASSIGN_OR_RETURN(std::optional<RecordingRecord> r, store.Get(recording_id));
  if (!r.has_value()) return MakeError(ErrorCode::kNotFound, "no recording " + recording_id);
  ASSIGN_OR_RETURN(policy::HoldSet holds, db.LoadHolds());
  ASSIGN_OR_RETURN(policy::DeletionOrder order,
                   policy::PlanEarlyDeletion(InfoOf(*r, nullptr), holds, request));
  std::unordered_map<std::string, RecordingRecord> records{{recording_id, *r}};
  ASSIGN_OR_RETURN(DeleteOutcome done,
                   ExecuteDeletions(store, db, {order}, records, options, request.at_ms_utc));
  if (!done.kept.empty()) return MakeError(ErrorCode::kConflict, done.kept.front().text);
  return OkStatus();
}

}  // namespace kronika::srs
