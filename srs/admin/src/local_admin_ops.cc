// LocalAdminOps (see local_admin_ops.h).
#include "kronika/srs/admin/local_admin_ops.h"

#include <string.h>  // explicit_bzero

#include <chrono>

#include "kronika/srs/access/access_playback.h"
#include "kronika/srs/access/export_purge.h"
#include "kronika/srs/core/log.h"

namespace kronika::srs {

Status LocalAdminOps::MirrorHolds(const std::vector<std::string>& ids) {
  ASSIGN_OR_RETURN(policy::HoldSet holds, deps_.rules->LoadHolds());
  size_t changed = 0;
  for (const std::string& id : ids) {
    Result<std::optional<RecordingRecord>> r = deps_.store->Get(id);
    if (!r.ok()) return r.error();
    // Recordings in progress are left alone: the daemon rewrites their record with every
    // snapshot, and every deletion path asks the rules db anyway.
    if (!r->has_value() || (*r)->state == RecordingState::kActive) continue;
    const bool held = holds.IsHeld(id);
    if ((*r)->legal_hold == held) continue;
    RecordingRecord record = std::move(**r);
    record.legal_hold = held;
    if (!deps_.store->Enqueue(std::move(record))) {
      return MakeError(ErrorCode::kUnavailable, "store: update of " + id + " not queued");
    }
    ++changed;
  }
  return changed == 0 ? OkStatus() : deps_.store->Flush(std::chrono::seconds(60));
}

Status LocalAdminOps::PlaceHolds(const HoldChange& c) {
  RETURN_IF_ERROR(deps_.rules->PlaceHolds(c.recording_ids, c.case_ref, c.by, c.at_ms_utc));
  Status mirrored = MirrorHolds(c.recording_ids);
  if (!mirrored.ok()) {
    return Error{mirrored.error().code, "holds placed, store flag not updated: " + mirrored.error().message};
  }
  Logf(LogLevel::kInfo, "", "hold: %zu recording(s) placed under legal hold, case %s, by %s", c.recording_ids.size(),
       c.case_ref.c_str(), c.by.c_str());
  return OkStatus();
}

Status LocalAdminOps::LiftHolds(const HoldChange& c) {
  RETURN_IF_ERROR(deps_.rules->LiftHolds(c.recording_ids, c.case_ref, c.by, c.reason, c.at_ms_utc));
  Status mirrored = MirrorHolds(c.recording_ids);
  if (!mirrored.ok()) {
    return Error{mirrored.error().code, "holds lifted, store flag not updated: " + mirrored.error().message};
  }
  Logf(LogLevel::kInfo, "", "hold: %zu hold(s) of case %s lifted by %s", c.recording_ids.size(), c.case_ref.c_str(),
       c.by.c_str());
  return OkStatus();
}

Status LocalAdminOps::AddDoNotRecord(const DoNotRecordEntry& entry) { return deps_.rules->AddDoNotRecord(entry); }

Status LocalAdminOps::RemoveDoNotRecord(const std::string& number) { return deps_.rules->RemoveDoNotRecord(number); }

Result<ErasureReport> LocalAdminOps::EraseSubject(const std::string& number, const policy::DeletionRequest& request) {
  ASSIGN_OR_RETURN(ErasureReport report,
                   srs::EraseSubject(*deps_.store, *deps_.rules, *deps_.sites, number, request, deps_.deletions));
  // RIGHTS-2 reaches every copy (issue 15 item 8): the export packages that held an erased
  // recording go too. Done here, where the rules and the access module meet; the
  // recordings are erased already, so a failure here is reported, not rolled back.
  Result<ExportPurgeOutcome> purge = PurgeExportsContaining(
      *deps_.access, ExportPurgeRequest{report.erased, request.requested_by, request.reason, request.at_ms_utc});
  if (!purge.ok()) {
    report.copy_failures.push_back("export packages not checked: " + purge.error().message);
    return report;
  }
  for (PurgedExport& p : purge->purged) {
    report.copies.push_back(ErasedCopy{std::move(p.disclosure_id), std::move(p.requester_institution),
                                       std::move(p.request_number), std::move(p.package),
                                       std::move(p.recording_ids), p.package_was_gone});
  }
  report.copy_failures = std::move(purge->failures);
  return report;
}

Result<std::vector<RestrictionOutcome>> LocalAdminOps::SetRestrictions(const std::vector<std::string>& ids,
                                                                       bool restricted,
                                                                       const policy::DeletionRequest& request) {
  if (request.requested_by.empty() || request.reason.empty()) {
    return MakeError(ErrorCode::kUsage, "--by and --reason are required");
  }
  std::vector<RestrictionOutcome> out;
  for (const std::string& id : ids) {
    Result<nlohmann::json> state =
        SetRestriction(*deps_.access, id, restricted, request.requested_by, request.reason, request.at_ms_utc);
    if (!state.ok() && state.error().code != ErrorCode::kConflict) return state.error();
    out.push_back(RestrictionOutcome{id, state.ok(), state.ok() ? "" : state.error().message});
  }
  return out;
}

Result<SweepReport> LocalAdminOps::Sweep(int64_t now_ms_utc, bool confirm_clock) {
  if (deps_.sweeper != nullptr) return deps_.sweeper->SweepNow(now_ms_utc, confirm_clock);
  RetentionSweeper sweeper(deps_.store, deps_.rules, deps_.sites, nullptr,
                           SweepOptions{deps_.deletions.data_dir, deps_.deletions.overwrite, 1000});
  return sweeper.SweepOnce(now_ms_utc, std::nullopt, confirm_clock);
}

Status LocalAdminOps::DeleteEarly(const std::string& recording_id, const policy::DeletionRequest& request) {
  return srs::DeleteEarly(*deps_.store, *deps_.rules, recording_id, request, deps_.deletions);
}

Status LocalAdminOps::AddUser(const User& user) { return UserDirectory(*deps_.access).Add(user); }

Status LocalAdminOps::SetUserDisabled(const std::string& username, bool disabled) {
  return UserDirectory(*deps_.access).SetDisabled(username, disabled);
}

Status LocalAdminOps::SetPasswordHash(const std::string& username, const std::string& password_hash) {
  RETURN_IF_ERROR(UserDirectory(*deps_.access).SetPasswordHash(username, password_hash));
  Logf(LogLevel::kInfo, "", "user: password of %s %s", username.c_str(), password_hash.empty() ? "removed" : "set");
  return OkStatus();
}

Status LocalAdminOps::ModifyUser(const std::string& username, const UserChanges& changes) {
  return UserDirectory(*deps_.access).Modify(username, changes);
}

Result<std::string> LocalAdminOps::IssueToken(const std::string& username, const std::string& label,
                                              int64_t now_ms_utc, int64_t expires_ms_utc) {
  return UserDirectory(*deps_.access).IssueToken(username, label, now_ms_utc, expires_ms_utc);
}

Status LocalAdminOps::RevokeToken(const std::string& token_id) {
  return UserDirectory(*deps_.access).RevokeToken(token_id);
}

Result<KeyRotationReport> LocalAdminOps::RotateMasterKey(const std::string& new_key_file) {
  if (deps_.recording_keys == nullptr) {
    return MakeError(ErrorCode::kUnavailable, std::string("key rotate: ") + deps_.performer +
                                                  " runs without a master key (" + kMasterKeyEnv +
                                                  "): encryption at rest is off, there is no key to rotate");
  }
  ASSIGN_OR_RETURN(std::string kek, LoadMasterKey(new_key_file, deps_.deletions.data_dir));
  KeyRotationReport report;
  report.old_key_id = deps_.recording_keys->kek_id();
  Result<size_t> n = deps_.recording_keys->Rotate(kek);
  explicit_bzero(kek.data(), kek.size());
  if (!n.ok()) return std::move(n).error();
  report.rewrapped = static_cast<int64_t>(*n);
  report.new_key_id = deps_.recording_keys->kek_id();
  Logf(LogLevel::kInfo, "", "key rotate: master key %s -> %s (from %s): %zu recording keys rewrapped; new keys are "
       "wrapped by the new one", report.old_key_id.c_str(), report.new_key_id.c_str(), new_key_file.c_str(), *n);
  return report;
}

}  // namespace kronika::srs
