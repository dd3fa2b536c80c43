// DataDirAccess: how a CLI command reaches a data directory (issue 15 item 1: one owner
// per database).
//  * Reading (writes = false): the Database is opened read-only, without the lock; a
//    running daemon goes on undisturbed. A directory with no database is an error naming
//    the path.
//  * Changing state (writes = true):
//      - a daemon owns the directory (its admin socket answers): the databases are opened
//        read-only and ops() is a RemoteAdminOps - the daemon does the write;
//      - no daemon: the command takes the directory's lock (waiting up to 10 s for
//        another command to finish), opens the databases read-write and ops() is a
//        LocalAdminOps - it writes itself;
//      - the lock is held but nobody answers (a daemon starting, or another command that
//        does not finish): an error naming the holder's PID.
//
// Threads: one thread (a command).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "kronika/result.h"
#include "kronika/srs/access/access_db.h"
#include "kronika/srs/admin/admin_ops.h"
#include "kronika/srs/config/site_config.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/store/data_dir_lock.h"
#include "kronika/srs/store/database.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {

struct DataDirAccessOptions {
  std::filesystem::path data_dir;
  std::string what;      // "kronika hold": written in the lock file while it is held
  bool writes = false;
  // For LocalAdminOps (no daemon): the site policies and the deletion rule of the config
  // (copied: the access keeps its own).
  SitePolicies sites;
  bool overwrite = true;
  // The configuration's `[events] node` ("" = the host name): the node of the events this
  // command appends when it writes itself, the same as the daemon's (event_outbox.h).
  std::string event_node;
};

class DataDirAccess {
 public:
  static Result<std::unique_ptr<DataDirAccess>> Open(const DataDirAccessOptions& options);
  ~DataDirAccess();

  // True when this process owns the directory (no daemon: it writes itself).
  bool owner() const { return lock_ != nullptr; }
  Database& database() const { return *db_; }
  // The recordings (read-write when owner()); error when the directory has none yet.
  Result<Store*> store();
  RulesDb& rules() const { return *rules_; }
  AccessDb& access() const { return *access_; }
  // The writes; REQUIRES: opened with writes = true.
  AdminOps& ops() const { return *ops_; }

 private:
  DataDirAccess() = default;
  DataDirAccessOptions options_;
  std::shared_ptr<DataDirLock> lock_;
  std::shared_ptr<Database> db_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RulesDb> rules_;
  std::unique_ptr<AccessDb> access_;
  std::unique_ptr<AdminOps> ops_;
};

}  // namespace kronika::srs
