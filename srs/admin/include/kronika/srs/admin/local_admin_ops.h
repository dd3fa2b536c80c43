// LocalAdminOps: the admin operations (admin_ops.h) carried out in this process, on the
// databases of the data directory it owns (its Database is open read-write, so this
// process holds the DataDirLock). Used by the daemon's admin socket and by a CLI command
// that found no daemon.
//
// Threads: one call at a time (the admin socket serves one request at a time); the
// borrowed parts are thread-safe themselves, so the daemon's other threads go on.
#pragma once

#include <filesystem>
#include <mutex>

#include "kronika/srs/access/access_db.h"
#include "kronika/srs/admin/admin_ops.h"
#include "kronika/srs/atrest/recording_keys.h"
#include "kronika/srs/config/site_config.h"
#include "kronika/srs/rules/deletions.h"
#include "kronika/srs/rules/retention_sweeper.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {

struct LocalAdminDeps {
  Store* store = nullptr;              // read-write
  RulesDb* rules = nullptr;
  AccessDb* access = nullptr;
  const SitePolicies* sites = nullptr;
  DeleteOptions deletions;             // data_dir, overwrite
  // The daemon's sweeper, so that a sweep asked for over the socket is serialised with
  // its own; null: Sweep() runs a sweeper of its own (the CLI).
  RetentionSweeper* sweeper = nullptr;
  // The daemon's recording keys (SEC-1), rotated in place; null: no master key.
  RecordingKeys* recording_keys = nullptr;
  std::string performer = "this process";
};

class LocalAdminOps final : public AdminOps {
 public:
  explicit LocalAdminOps(LocalAdminDeps deps) : deps_(std::move(deps)) {}

  Status PlaceHolds(const HoldChange& change) override;
  Status LiftHolds(const HoldChange& change) override;
  Status AddDoNotRecord(const DoNotRecordEntry& entry) override;
  Status RemoveDoNotRecord(const std::string& number) override;
  Result<ErasureReport> EraseSubject(const std::string& number, const policy::DeletionRequest& request) override;
  Result<std::vector<RestrictionOutcome>> SetRestrictions(const std::vector<std::string>& recording_ids,
                                                          bool restricted,
                                                          const policy::DeletionRequest& request) override;
  Result<SweepReport> Sweep(int64_t now_ms_utc, bool confirm_clock) override;
  Status DeleteEarly(const std::string& recording_id, const policy::DeletionRequest& request) override;
  Status AddUser(const User& user) override;
  Status SetUserDisabled(const std::string& username, bool disabled) override;
  Status SetPasswordHash(const std::string& username, const std::string& password_hash) override;
  Status ModifyUser(const std::string& username, const UserChanges& changes) override;
  Result<std::string> IssueToken(const std::string& username, const std::string& label,
                                 int64_t now_ms_utc, int64_t expires_ms_utc = 0) override;
  Status RevokeToken(const std::string& token_id) override;
  Result<KeyRotationReport> RotateMasterKey(const std::string& new_key_file) override;
  std::string performer() const override { return deps_.performer; }

 private:
  // RET-2: the store's legal_hold flag mirrors the rules db for finished recordings.
  Status MirrorHolds(const std::vector<std::string>& ids);
  LocalAdminDeps deps_;
};

}  // namespace kronika::srs
