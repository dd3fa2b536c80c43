// LmdbEnv (see lmdb_env.h).
#include "lmdb_env.h"

#include <algorithm>
#include <chrono>
#include <system_error>
#include <thread>
#include <utility>

#include "kronika/srs/core/log.h"
#include "kronika/thread_role.h"

namespace kronika::srs {
namespace {

constexpr int kResizeRetries = 3;
constexpr int kReadersFullRetries = 50;
constexpr auto kReadersFullWait = std::chrono::milliseconds(2);

// Transactions the calling thread holds open (any environment): a thread holding one must
// not wait for the exclusive map lock, which waits for that very transaction to end.
thread_local int t_open_txns = 0;

}  // namespace

LmdbTxn::LmdbTxn(std::shared_lock<std::shared_mutex> lock, MDB_txn* txn)
    : lock_(std::move(lock)), txn_(txn) {
  ++t_open_txns;
}

LmdbTxn::LmdbTxn(LmdbTxn&& other) noexcept
    : lock_(std::move(other.lock_)), txn_(std::exchange(other.txn_, nullptr)) {}

LmdbTxn::~LmdbTxn() { End(); }

void LmdbTxn::End() {
  if (txn_ == nullptr) return;
  mdb_txn_abort(std::exchange(txn_, nullptr));
  --t_open_txns;
  if (lock_.owns_lock()) lock_.unlock();
}

int LmdbTxn::Commit() {
  if (txn_ == nullptr) return EINVAL;
  const int rc = mdb_txn_commit(std::exchange(txn_, nullptr));
  --t_open_txns;
  if (lock_.owns_lock()) lock_.unlock();
  return rc;
}

LmdbEnv::~LmdbEnv() {
  if (env_ != nullptr) mdb_env_close(env_);
}

Error LmdbEnv::LmdbError(std::string_view what, int rc, ErrorCode code) const {
  return Error{code, options_.name + ": " + std::string(what) + ": " + mdb_strerror(rc)};
}

Result<std::unique_ptr<LmdbEnv>> LmdbEnv::Open(const std::filesystem::path& dir,
                                               const LmdbEnvOptions& options) {
  std::unique_ptr<LmdbEnv> env(new LmdbEnv());
  env->dir_ = dir;
  env->options_ = options;
  std::error_code ec;
  if (options.read_only) {
    if (!std::filesystem::exists(dir / "data.mdb", ec)) {
      return Error{ErrorCode::kNotFound, options.name + ": no database in " + dir.string()};
    }
  } else {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return Error{ErrorCode::kIo, options.name + ": cannot create " + dir.string() + ": " + ec.message()};
    }
  }
  int rc = mdb_env_create(&env->env_);
  if (rc != 0) return env->LmdbError("cannot create environment", rc);
  mdb_env_set_maxdbs(env->env_, options.max_tables);
  mdb_env_set_maxreaders(env->env_, options.max_readers);
  if (!options.read_only) mdb_env_set_mapsize(env->env_, options.map_size_bytes);
  unsigned flags = MDB_NOTLS;
  if (options.read_only) flags |= MDB_RDONLY;
  if (!options.durable) flags |= MDB_NOSYNC;
  if (options.no_lock) flags |= MDB_NOLOCK;
  rc = mdb_env_open(env->env_, dir.c_str(), flags, 0640);
  if (rc != 0) return env->LmdbError("cannot open " + dir.string(), rc);
  if (options.read_only) {
    mdb_env_set_mapsize(env->env_, 0);  // the size the writer recorded
  } else {
    int dead = 0;
    mdb_reader_check(env->env_, &dead);  // free the reader slots of crashed processes
    if (env->MapSizeBytes() < options.map_size_bytes) {
      mdb_env_set_mapsize(env->env_, options.map_size_bytes);
    }
  }
  return env;
}

std::shared_lock<std::shared_mutex> LmdbEnv::LockForTxn() const {
  // A thread that already holds a transaction skips the gate: a resize waiting at the gate
  // for that very transaction to end would otherwise wait for ever.
  if (t_open_txns > 0) return std::shared_lock(map_mu_);
  MutexLock gate(resize_gate_);
  return std::shared_lock(map_mu_);
}

std::unique_lock<std::shared_mutex> LmdbEnv::LockForResize() const {
  MutexLock gate(resize_gate_);  // no new transaction starts from here on
  return std::unique_lock(map_mu_);    // the open ones end
}

bool LmdbEnv::AdoptResizedMap() const {
  if (t_open_txns > 0) return false;
  std::unique_lock exclusive = LockForResize();
  return mdb_env_set_mapsize(env_, 0) == 0;
}

Result<LmdbTxn> LmdbEnv::BeginRead() const {
  CheckDiskIoAllowed("LMDB read transaction");  // never on the SIP thread (issue 13 item 4)
  for (int attempt = 0;; ++attempt) {
    std::shared_lock lock = LockForTxn();
    MDB_txn* txn = nullptr;
    const int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
    if (rc == 0) return LmdbTxn(std::move(lock), txn);
    lock.unlock();
    if (rc == MDB_MAP_RESIZED && attempt < kResizeRetries && AdoptResizedMap()) continue;
    if (rc == MDB_READERS_FULL && attempt < kReadersFullRetries) {
      std::this_thread::sleep_for(kReadersFullWait);
      continue;
    }
    return LmdbError("cannot begin read transaction", rc,
                     rc == MDB_READERS_FULL ? ErrorCode::kUnavailable : ErrorCode::kIo);
  }
}

Result<LmdbTxn> LmdbEnv::BeginWrite() {
  CheckDiskIoAllowed("LMDB write transaction");  // never on the SIP thread (issue 13 item 4)
  if (options_.read_only) {
    return Error{ErrorCode::kIo, options_.name + ": " + dir_.string() + " is open read-only"};
  }
  for (int attempt = 0;; ++attempt) {
    std::shared_lock lock = LockForTxn();
    MDB_txn* txn = nullptr;
    const int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
    if (rc == 0) return LmdbTxn(std::move(lock), txn);
    lock.unlock();
    if (rc == MDB_MAP_RESIZED && attempt < kResizeRetries && AdoptResizedMap()) {
      Logf(LogLevel::kInfo, "", "%s: adopted the map size another process set (%llu bytes)",
           options_.name.c_str(), static_cast<unsigned long long>(MapSizeBytes()));
      continue;
    }
    return LmdbError("cannot begin write transaction", rc);
  }
}

bool LmdbEnv::Grow() {
  if (t_open_txns > 0) return false;
  std::unique_lock exclusive = LockForResize();
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  const uint64_t current = info.me_mapsize;
  const uint64_t next = std::min<uint64_t>(current * 2, options_.max_map_size_bytes);
  if (next <= current) return false;
  if (mdb_env_set_mapsize(env_, next) != 0) return false;
  Logf(LogLevel::kWarn, "", "%s: map grown from %llu to %llu bytes", options_.name.c_str(),
       static_cast<unsigned long long>(current), static_cast<unsigned long long>(next));
  return true;
}

Result<MDB_dbi> LmdbEnv::OpenTable(const std::string& name, unsigned flags, int* rc_out) {
  MutexLock dbi_lock(dbi_mu_);
  Result<LmdbTxn> txn = options_.read_only ? BeginRead() : BeginWrite();
  if (!txn.ok()) return txn.error();
  MDB_dbi dbi = 0;
  int rc = mdb_dbi_open(txn->get(), name.c_str(), flags | (options_.read_only ? 0 : MDB_CREATE), &dbi);
  if (rc_out != nullptr) *rc_out = rc;
  if (rc != 0) {
    return LmdbError("cannot open table '" + name + "' in " + dir_.string(), rc,
                     rc == MDB_NOTFOUND ? ErrorCode::kNotFound : ErrorCode::kIo);
  }
  rc = txn->Commit();  // makes the handle usable by every later transaction of the process
  if (rc != 0) return LmdbError("cannot open table '" + name + "'", rc);
  return dbi;
}

uint64_t LmdbEnv::MapSizeBytes() const {
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  return info.me_mapsize;
}

uint64_t LmdbEnv::UsedBytes() const {
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  MDB_stat st;
  mdb_env_stat(env_, &st);
  return (info.me_last_pgno + 1) * static_cast<uint64_t>(st.ms_psize);
}

}  // namespace kronika::srs
