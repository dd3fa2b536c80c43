// DataDirAccess (see data_dir_access.h).
#include "kronika/srs/admin/data_dir_access.h"

#include <chrono>
#include <thread>

#include "kronika/srs/admin/admin_socket.h"
#include "kronika/srs/admin/local_admin_ops.h"
#include "kronika/srs/store/event_outbox.h"

namespace kronika::srs {
namespace {

constexpr auto kLockWait = std::chrono::seconds(10);
constexpr auto kRetryEvery = std::chrono::milliseconds(200);

}  // namespace

DataDirAccess::~DataDirAccess() {
  ops_.reset();
  access_.reset();
  rules_.reset();
  store_.reset();  // commits what the command queued
  db_.reset();
  lock_.reset();
}

Result<Store*> DataDirAccess::store() {
  if (store_ == nullptr) {
    StoreOptions options;
    options.read_only = true;
    ASSIGN_OR_RETURN(store_, Store::Open(db_, options));
  }
  return store_.get();
}

Result<std::unique_ptr<DataDirAccess>> DataDirAccess::Open(const DataDirAccessOptions& options) {
  std::unique_ptr<DataDirAccess> a(new DataDirAccess());
  a->options_ = options;
  const std::filesystem::path& dir = options.data_dir;
  DatabaseOptions read_only;
  read_only.read_only = true;
  if (!options.writes) {
    ASSIGN_OR_RETURN(a->db_, Database::Open(StoreDir(dir), read_only));
    ASSIGN_OR_RETURN(a->rules_, RulesDb::Open(a->db_, dir));
    ASSIGN_OR_RETURN(a->access_, AccessDb::Open(a->db_, dir));
    return a;
  }
  const auto deadline = std::chrono::steady_clock::now() + kLockWait;
  for (;;) {
    Result<std::unique_ptr<RemoteAdminOps>> remote = RemoteAdminOps::Connect(dir);
    if (remote.ok()) {  // a daemon owns the directory: it writes, we read
      ASSIGN_OR_RETURN(a->db_, Database::Open(StoreDir(dir), read_only));
      ASSIGN_OR_RETURN(a->rules_, RulesDb::Open(a->db_, dir));
      ASSIGN_OR_RETURN(a->access_, AccessDb::Open(a->db_, dir));
      a->ops_ = std::move(*remote);
      return a;
    }
    Result<std::shared_ptr<DataDirLock>> lock = DataDirLock::Acquire(dir, options.what);
    if (lock.ok()) {
      a->lock_ = std::move(*lock);
      break;
    }
    if (lock.error().code != ErrorCode::kUnavailable || std::chrono::steady_clock::now() >= deadline) {
      return lock.error();  // "data directory D is in use by process P (...)"
    }
    std::this_thread::sleep_for(kRetryEvery);  // a daemon starting, or another command
  }
  ASSIGN_OR_RETURN(a->db_, Database::Open(StoreDir(dir), DatabaseOptions{}));
  if (!options.event_node.empty()) RETURN_IF_ERROR(EventOutbox::SetNode(*a->db_, options.event_node));
  ASSIGN_OR_RETURN(a->store_, Store::Open(a->db_, StoreOptions{}));
  ASSIGN_OR_RETURN(a->rules_, RulesDb::Open(a->db_, dir));
  ASSIGN_OR_RETURN(a->access_, AccessDb::Open(a->db_, dir));
  LocalAdminDeps deps;
  deps.store = a->store_.get();
  deps.rules = a->rules_.get();
  deps.access = a->access_.get();
  deps.sites = &a->options_.sites;
  deps.deletions = DeleteOptions{dir, options.overwrite, true};
  deps.performer = "this command (no daemon runs on " + dir.string() + ")";
  a->ops_ = std::make_unique<LocalAdminOps>(std::move(deps));
  return a;
}

}  // namespace kronika::srs
