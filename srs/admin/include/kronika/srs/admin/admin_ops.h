// AdminOps: every change the command-line tools make to a data directory's state (issue
// 15 item 1, one owner per database), as one interface with two implementations:
//  * LocalAdminOps (local_admin_ops.h) does the change in this process, on databases it
//    opened read-write - the daemon (for the admin socket), or a CLI command that took
//    the data directory's lock because no daemon runs;
//  * RemoteAdminOps (admin_socket.h) asks the daemon that owns the directory to do it,
//    over its admin socket.
// A command parses its options, reads what it needs (read-only), then calls one of these;
// it does not know which implementation it holds. Errors carry the ErrorCode of the
// failure wherever it happened (the socket transports it).
//
// Threads: an AdminOps is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kronika/policy/retention.h"
#include "kronika/result.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/rules/deletion_requests.h"
#include "kronika/srs/rules/retention_sweeper.h"
#include "kronika/srs/rules/rules_db.h"

namespace kronika::srs {

// Legal holds placed on or lifted from named recordings (RET-2).
struct HoldChange {
  std::vector<std::string> recording_ids;
  std::string case_ref;
  std::string by;
  std::string reason;  // lift only
  int64_t at_ms_utc = 0;
};

// RIGHTS-3 on one recording: changed, or why not (already in that state, unknown).
struct RestrictionOutcome {
  std::string recording_id;
  bool changed = false;
  std::string message;  // why unchanged
};

// What a master key rotation did (SEC-1, issue 15 item 5).
struct KeyRotationReport {
  int64_t rewrapped = 0;    // recording keys rewrapped under the new master key
  std::string old_key_id;   // RecordingKeys::KekId of the key used before
  std::string new_key_id;   // and of the one used from now on
};

class AdminOps {
 public:
  virtual ~AdminOps() = default;

  // RET-2: all or none; the store's legal_hold flag of finished recordings follows.
  virtual Status PlaceHolds(const HoldChange& change) = 0;
  virtual Status LiftHolds(const HoldChange& change) = 0;
  // CONSENT-3 (`entry.number` canonical): 409 present / 404 absent.
  virtual Status AddDoNotRecord(const DoNotRecordEntry& entry) = 0;
  virtual Status RemoveDoNotRecord(const std::string& number) = 0;
  // RIGHTS-2 under the owner's site policies.
  virtual Result<ErasureReport> EraseSubject(const std::string& number, const policy::DeletionRequest& request) = 0;
  // RIGHTS-3 on each recording.
  virtual Result<std::vector<RestrictionOutcome>> SetRestrictions(const std::vector<std::string>& recording_ids,
                                                                  bool restricted,
                                                                  const policy::DeletionRequest& request) = 0;
  // RET-3/RET-5: one sweep at `now_ms_utc` (the daemon's own sweeper when it owns it).
  virtual Result<SweepReport> Sweep(int64_t now_ms_utc, bool confirm_clock) = 0;
  // RET-4.
  virtual Status DeleteEarly(const std::string& recording_id, const policy::DeletionRequest& request) = 0;
  // ACCESS-1.
  virtual Status AddUser(const User& user) = 0;
  virtual Status SetUserDisabled(const std::string& username, bool disabled) = 0;
  // Issue 16 item 4: a HashPassword() result made by the command ("" = none), so the
  // password itself never crosses the admin socket; and changes to a user's fields.
  virtual Status SetPasswordHash(const std::string& username, const std::string& password_hash) = 0;
  virtual Status ModifyUser(const std::string& username, const UserChanges& changes) = 0;
  virtual Result<std::string> IssueToken(const std::string& username, const std::string& label,
                                         int64_t now_ms_utc, int64_t expires_ms_utc = 0) = 0;
  virtual Status RevokeToken(const std::string& token_id) = 0;
  // SEC-1 (issue 15 item 5): rewraps every recording key under the master key in
  // `new_key_file` (read and checked - size, outside the data directory - by the process
  // holding the keys) and wraps every new key with it from then on. kUnavailable when
  // this process has no master key (encryption at rest is off).
  virtual Result<KeyRotationReport> RotateMasterKey(const std::string& new_key_file) = 0;

  // "this process" or "the daemon (PID n)": who carried the change out, for messages.
  virtual std::string performer() const = 0;
};

}  // namespace kronika::srs
