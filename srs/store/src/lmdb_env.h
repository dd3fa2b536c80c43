// LmdbEnv: one open LMDB environment and the rules every transaction on it follows. The
// only code in Kronika that begins, commits or aborts an LMDB transaction; Database
// (database.h) and Store (store.h) are built on it. Private to srs/store.
//
//  * Transactions are RAII (LmdbTxn): whatever path leaves the scope - return, error,
//    exception - a transaction not committed is aborted, so no writer is ever blocked by a
//    transaction a failed caller forgot.
//  * MDB_MAP_RESIZED (another process grew the map past this process's mapping) is handled
//    where transactions begin, for readers and writers alike: the new size is adopted with
//    mdb_env_set_mapsize(env, 0) while no transaction of this process is open, and the
//    begin is retried. MDB_READERS_FULL is retried for up to ~100 ms.
//  * MDB_MAP_FULL: Grow() doubles the map up to max_map_size_bytes; the caller retries.
//  Every transaction of this process holds `map_mu_` shared; set_mapsize holds it
//  exclusive, so no transaction ever sees its map change underneath it. A resize first
//  closes `resize_gate_`, which every new transaction passes: glibc's rwlock prefers
//  readers, and readers that follow each other back to back (HTTP queries, the sweeper)
//  would otherwise keep the writer from growing the map for as long as they go on.
//
// Threads: any thread may begin transactions (MDB_NOTLS: a read transaction is not tied to
// its thread's slot); a transaction is used by one thread at a time. A thread must not
// begin a write transaction while it holds another transaction of the same environment
// open (LMDB would deadlock on its own writer lock); nested read transactions are fine.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "kronika/mutex.h"
#include "kronika/result.h"

namespace kronika::srs {

struct LmdbEnvOptions {
  std::string name = "store";                     // prefix of every error message
  bool read_only = false;
  uint64_t map_size_bytes = uint64_t{1} << 30;     // initial map size (read-write)
  uint64_t max_map_size_bytes = uint64_t{64} << 30;  // Grow() stops here (0 = never grow)
  bool durable = true;                             // false: MDB_NOSYNC
  unsigned max_readers = 512;                      // read transactions, all processes
  unsigned max_tables = 32;                        // named databases in the environment
  bool no_lock = false;  // MDB_NOLOCK: a read-only copy no process writes (a backup)
};

// One transaction; aborted on destruction unless committed. Move-only.
class LmdbTxn {
 public:
  LmdbTxn(std::shared_lock<std::shared_mutex> lock, MDB_txn* txn);
  LmdbTxn(LmdbTxn&& other) noexcept;
  LmdbTxn& operator=(LmdbTxn&&) = delete;
  LmdbTxn(const LmdbTxn&) = delete;
  ~LmdbTxn();

  MDB_txn* get() const { return txn_; }
  // Commits (a read transaction is just ended). Returns LMDB's code; the transaction is
  // over either way.
  int Commit();

 private:
  void End();
  std::shared_lock<std::shared_mutex> lock_;
  MDB_txn* txn_;
};

class LmdbEnv {
 public:
  // Opens `dir` (created when read-write and missing). Read-only: fails when there is no
  // data.mdb. Error names the directory.
  static Result<std::unique_ptr<LmdbEnv>> Open(const std::filesystem::path& dir,
                                               const LmdbEnvOptions& options);
  ~LmdbEnv();
  LmdbEnv(const LmdbEnv&) = delete;
  LmdbEnv& operator=(const LmdbEnv&) = delete;

  // A read transaction (see the header comment for MAP_RESIZED / READERS_FULL).
  Result<LmdbTxn> BeginRead() const;
  // A write transaction; waits for the writer of any other thread or process. Error kIo
  // for a read-only environment.
  Result<LmdbTxn> BeginWrite();
  // MDB_MAP_FULL recovery: doubles the map, bounded by max_map_size_bytes. False when it
  // cannot grow. REQUIRES: the calling thread holds no transaction of this environment.
  bool Grow();
  // Opens (creating when read-write) a named database in its own short write transaction
  // (read transaction when read-only). Read-only and missing: MDB_NOTFOUND (returned as
  // the int out-parameter `rc`, with the error).
  Result<MDB_dbi> OpenTable(const std::string& name, unsigned flags, int* rc_out = nullptr);

  Error LmdbError(std::string_view what, int rc, ErrorCode code = ErrorCode::kIo) const;

  MDB_env* env() const { return env_; }
  const std::filesystem::path& dir() const { return dir_; }
  const LmdbEnvOptions& options() const { return options_; }
  // Map size and pages in use of this process's view.
  uint64_t MapSizeBytes() const;
  uint64_t UsedBytes() const;

 private:
  LmdbEnv() = default;
  // Adopts the size another process set (MAP_RESIZED). False when this thread holds a
  // transaction (it would wait for itself).
  bool AdoptResizedMap() const;
  // `map_mu_` shared for a new transaction (through the gate unless this thread already
  // holds one), and exclusive for a resize (gate closed first).
  std::shared_lock<std::shared_mutex> LockForTxn() const;
  std::unique_lock<std::shared_mutex> LockForResize() const;

  std::filesystem::path dir_;
  LmdbEnvOptions options_;
  MDB_env* env_ = nullptr;
  // Shared by every transaction, exclusive to resize. It guards LMDB's memory map, not a
  // member, and its shared hold travels inside each LmdbTxn (moved with it), which clang's
  // thread-safety analysis cannot follow; so it stays a plain std::shared_mutex.
  mutable std::shared_mutex map_mu_;
  mutable Mutex resize_gate_;  // held by a resize while it waits for map_mu_
  Mutex dbi_mu_;               // one mdb_dbi_open at a time (LMDB's rule; no member)
};

inline MDB_val LmdbVal(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
inline std::string_view LmdbView(const MDB_val& v) {
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

// A cursor closed on destruction.
class LmdbCursor {
 public:
  LmdbCursor(MDB_txn* txn, MDB_dbi dbi) { rc_ = mdb_cursor_open(txn, dbi, &cursor_); }
  ~LmdbCursor() {
    if (cursor_ != nullptr) mdb_cursor_close(cursor_);
  }
  LmdbCursor(const LmdbCursor&) = delete;
  LmdbCursor& operator=(const LmdbCursor&) = delete;
  int open_rc() const { return rc_; }
  int Get(MDB_val& key, MDB_val& value, MDB_cursor_op op) {
    return mdb_cursor_get(cursor_, &key, &value, op);
  }
  int Put(MDB_val& key, MDB_val& value, unsigned flags) {
    return mdb_cursor_put(cursor_, &key, &value, flags);
  }

 private:
  MDB_cursor* cursor_ = nullptr;
  int rc_ = 0;
};

}  // namespace kronika::srs
