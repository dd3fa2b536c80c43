// MakeRecordsActions (see records_actions.h). The JSON has the shape of the CLI's --json
// output of the same commands (hold list, subject find), so scripts read both alike.
#include "records_actions.h"

#include <chrono>
#include <utility>

#include "kronika/mutex.h"
#include "kronika/thread_annotations.h"
#include "kronika/srs/access/access_playback.h"
#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

nlohmann::json TimeOrNull(int64_t ms_utc) {
  return ms_utc == 0 ? nlohmann::json(nullptr) : nlohmann::json(FormatUtcTime(ms_utc, true));
}

// One AdminOps call at a time (its contract), whichever HTTP worker asks.
struct SharedOps {
  explicit SharedOps(std::shared_ptr<AdminOps> o) : ops(std::move(o)) {}
  Mutex mu;
  std::shared_ptr<AdminOps> ops GUARDED_BY(mu);
};

Result<nlohmann::json> ListHolds(const RulesDb& rules, bool all) {
  if (all) {
    nlohmann::json acts = nlohmann::json::array();
    for (const HoldAct& a : rules.HoldLog()) {
      acts.push_back({{"act", a.lift ? "lift" : "place"},
                      {"recording_id", a.recording_id},
                      {"case", a.case_ref},
                      {"by", a.by},
                      {"at_utc", FormatUtcTime(a.at_ms_utc, true)},
                      {"reason", a.reason}});
    }
    const size_t n = acts.size();
    return nlohmann::json{{"count", n}, {"acts", std::move(acts)}};
  }
  size_t unreadable = 0;
  ASSIGN_OR_RETURN(policy::HoldSet holds, rules.LoadHolds(&unreadable));
  nlohmann::json rows = nlohmann::json::array();
  for (const policy::Hold& h : holds.History()) {
    if (!h.active()) continue;
    rows.push_back({{"recording_id", h.recording_id},
                    {"case", h.case_ref},
                    {"placed_by", h.placed_by},
                    {"placed_at_utc", FormatUtcTime(h.placed_at_ms_utc, true)}});
  }
  const size_t n = rows.size();
  return nlohmann::json{{"count", n}, {"holds", std::move(rows)}, {"unreadable_acts", unreadable}};
}

Result<nlohmann::json> FindSubject(const Store& store, const RulesDb& rules, const AccessDb& access,
                                   const std::string& number) {
  RecordingQuery q;
  q.number = number;
  q.limit = 0;
  ASSIGN_OR_RETURN(std::vector<RecordingRecord> rows, store.Query(q));
  ASSIGN_OR_RETURN(policy::HoldSet holds, rules.LoadHolds());
  nlohmann::json found = nlohmann::json::array();
  for (const RecordingRecord& r : rows) {
    Result<bool> restricted = IsRestricted(access, r.recording_id);
    found.push_back({{"recording_id", r.recording_id},
                     {"start_utc", FormatUtcTime(r.start_ms_utc, true)},
                     {"duration_s", r.duration_s},
                     {"site", r.site},
                     {"retention_expiry_utc", TimeOrNull(r.retention_expiry_ms_utc)},
                     {"hold_cases", holds.ActiveCases(r.recording_id)},
                     {"restricted", restricted.ok() && *restricted}});
  }
  return nlohmann::json{{"number", number}, {"count", rows.size()}, {"recordings", std::move(found)}};
}

nlohmann::json ErasureJson(const std::string& number, const ErasureReport& report) {
  nlohmann::json kept = nlohmann::json::array();
  for (const policy::KeptRecording& k : report.kept) {
    kept.push_back({{"recording_id", k.recording_id}, {"hold_cases", k.hold_cases}, {"why", k.text}});
  }
  nlohmann::json copies = nlohmann::json::array();
  for (const ErasedCopy& c : report.copies) {
    copies.push_back({{"disclosure_id", c.disclosure_id},
                      {"institution", c.institution},
                      {"request_number", c.request_number},
                      {"package", c.package},
                      {"recording_ids", c.recording_ids},
                      {"package_was_gone", c.package_was_gone}});
  }
  return {{"number", number},
          {"erased", report.erased},
          {"kept", kept},
          {"texts", report.texts},
          // GDPR Art. 19: each institution that received a copy must be told.
          {"purged_packages", copies},
          {"failures", report.copy_failures}};
}

}  // namespace

RecordsActions MakeRecordsActions(RecordsActionDeps deps) {
  auto shared = std::make_shared<SharedOps>(deps.ops);
  const Store* store = deps.store;
  const RulesDb* rules = deps.rules;
  const AccessDb* access = deps.access;
  RecordsActions a;
  a.list_holds = [rules](bool all) { return ListHolds(*rules, all); };
  auto change = [shared, store](const HoldRequest& h, bool lift) -> Result<nlohmann::json> {
    // As `kronika hold`: every named recording must exist (a hold on a typo protects nothing).
    for (const std::string& id : h.recording_ids) {
      ASSIGN_OR_RETURN(std::optional<RecordingRecord> r, store->Get(id));
      if (!r) return MakeError(ErrorCode::kNotFound, "no recording " + id);
    }
    const int64_t now = NowMs();
    const HoldChange change{h.recording_ids, h.case_ref, h.by, h.reason, now};
    MutexLock lock(shared->mu);
    RETURN_IF_ERROR(lift ? shared->ops->LiftHolds(change) : shared->ops->PlaceHolds(change));
    return nlohmann::json{{"recording_ids", h.recording_ids},
                          {"case", h.case_ref},
                          {"act", lift ? "lift" : "place"},
                          {"by", h.by},
                          {"at_utc", FormatUtcTime(now, true)}};
  };
  a.place_holds = [change](const HoldRequest& h) { return change(h, false); };
  a.lift_holds = [change](const HoldRequest& h) { return change(h, true); };
  a.find_subject = [store, rules, access](const std::string& number) {
    return FindSubject(*store, *rules, *access, number);
  };
  a.erase_subject = [shared](const SubjectRequest& s) -> Result<nlohmann::json> {
    const policy::DeletionRequest request{s.by, s.reason, NowMs()};
    MutexLock lock(shared->mu);
    ASSIGN_OR_RETURN(ErasureReport report, shared->ops->EraseSubject(s.number, request));
    return ErasureJson(s.number, report);
  };
  a.restrict_subject = [shared, store](const SubjectRequest& s, bool restricted) -> Result<nlohmann::json> {
    RecordingQuery q;
    q.number = s.number;
    q.limit = 0;
    ASSIGN_OR_RETURN(std::vector<RecordingRecord> rows, store->Query(q));
    std::vector<std::string> ids;
    for (const RecordingRecord& r : rows) ids.push_back(r.recording_id);
    const policy::DeletionRequest request{s.by, s.reason, NowMs()};
    std::vector<RestrictionOutcome> outcomes;
    {
      MutexLock lock(shared->mu);
      ASSIGN_OR_RETURN(outcomes, shared->ops->SetRestrictions(ids, restricted, request));
    }
    nlohmann::json changed = nlohmann::json::array(), unchanged = nlohmann::json::array();
    for (const RestrictionOutcome& o : outcomes) {
      if (o.changed) {
        changed.push_back(o.recording_id);
      } else {
        unchanged.push_back({{"recording_id", o.recording_id}, {"why", o.message}});
      }
    }
    return nlohmann::json{{"number", s.number}, {"restricted", restricted}, {"changed", changed}, {"unchanged", unchanged}};
  };
  return a;
}

}  // namespace kronika::srs
