// The admin socket (issue 15 item 1): how a CLI command asks the daemon that owns a data
// directory to change its state, so that no process but the owner writes its databases.
//
// `<data_dir>/admin.sock`, a Unix stream socket of mode 0600. Each connection carries one
// request and one answer, each one line of JSON:
//   -> {"op": "hold.place", "args": {...}}
//   <- {"ok": true, "result": {...}}  or  {"ok": false, "error": {"code": "conflict", "message": "..."}}
// The peer's credentials (SO_PEERCRED) must be the daemon's own user or root; anyone else
// is refused (and logged) before a byte is read. A request line is at most 1 MiB and must
// arrive within 10 s. The ops and their arguments are those of AdminOps (admin_ops.h).
// Every request is logged with the op, the peer's PID and UID, and its outcome
// ("admin: hold.place from pid 4242 uid 0: ok").
//
// Threads: AdminServer serves on its own thread ("kr-admin"), one request at a time; a
// request that throws is logged, counted in kronika_thread_faults_total{thread="kr-admin"}
// and its connection closed unanswered, and the next request is served. RemoteAdminOps is
// used by one thread at a time.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "kronika/result.h"
#include "kronika/srs/admin/admin_ops.h"

namespace kronika::srs {

inline constexpr char kAdminThreadName[] = "kr-admin";  // thread_boundary.h

std::filesystem::path AdminSocketPath(const std::filesystem::path& data_dir);

class AdminServer {
 public:
  // Binds AdminSocketPath(data_dir) - a stale socket file left by a crashed owner is
  // replaced: the caller holds the data directory's lock - and starts serving with `ops`
  // (borrowed; must outlive the server). Error kIo naming the path (too long for a Unix
  // socket: more than 107 bytes).
  static Result<std::unique_ptr<AdminServer>> Start(const std::filesystem::path& data_dir, AdminOps& ops);
  ~AdminServer();  // stops serving (a request in progress finishes first), removes the file
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

 private:
  AdminServer(std::filesystem::path path, int listen_fd, int stop_fd, AdminOps& ops);
  void Serve();
  void HandleConnection(int fd);

  std::filesystem::path path_;
  int listen_fd_;
  int stop_fd_;  // eventfd: wakes the thread to stop
  AdminOps& ops_;
  std::thread thread_;
};

// One request line -> one answer line, with `ops` (the server's dispatch; exposed for tests).
// Never throws: a malformed request is answered with an invalid_input error. `op` and
// `outcome` (optional) get the op's name and "ok" or the error code's name, for the log.
std::string HandleAdminRequest(AdminOps& ops, std::string_view request_line, std::string* op = nullptr,
                               std::string* outcome = nullptr);

class RemoteAdminOps final : public AdminOps {
 public:
  // Ok when the daemon of `data_dir` answers on its admin socket; kUnavailable when no one
  // listens there (no daemon, or one still starting).
  static Result<std::unique_ptr<RemoteAdminOps>> Connect(const std::filesystem::path& data_dir);

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
  std::string performer() const override { return performer_; }

 private:
  RemoteAdminOps(std::filesystem::path path, std::string performer)
      : path_(std::move(path)), performer_(std::move(performer)) {}
  std::filesystem::path path_;
  std::string performer_;
};

}  // namespace kronika::srs
