// Store::Impl: the LMDB environment, its database handles and the writer thread.
// Private to store*.cc; the only place besides them that sees lmdb.h.
#pragma once

#include <lmdb.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

#include "kronika/srs/store/store.h"

namespace kronika::srs {

// Layout version of the environment (named databases and key formats), kept in `meta`.
inline constexpr int kStoreSchemaVersion = 1;
inline constexpr char kSchemaVersionKey[] = "schema_version";

struct StoreOp {
  bool is_delete = false;
  RecordingRecord record;  // upsert
  std::string id;          // delete
};

inline MDB_val Val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}
inline std::string_view View(const MDB_val& v) {
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

// A read transaction of this process; holds Impl::map_mu shared so the writer cannot
// resize the map underneath it. Move-only.
class ReadTxn {
 public:
  ReadTxn(std::shared_lock<std::shared_mutex> lock, MDB_txn* txn)
      : lock_(std::move(lock)), txn_(txn) {}
  ReadTxn(ReadTxn&& other) noexcept : lock_(std::move(other.lock_)), txn_(other.txn_) {
    other.txn_ = nullptr;
  }
  ReadTxn& operator=(ReadTxn&&) = delete;
  ~ReadTxn() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
  }
  MDB_txn* get() const { return txn_; }

 private:
  std::shared_lock<std::shared_mutex> lock_;
  MDB_txn* txn_;
};

class Store::Impl {
 public:
  ~Impl();

  // Begins a read transaction, handling MDB_MAP_RESIZED (another process grew the map)
  // and MDB_READERS_FULL (retried briefly, then 503).
  Result<ReadTxn> BeginRead() const;

  // Writer thread.
  void WriterLoop();
  // Applies `batch` in one write transaction; returns the LMDB code (0 = committed).
  int CommitBatch(const std::vector<StoreOp>& batch, std::string& failed_step);
  int ApplyOp(MDB_txn* txn, const StoreOp& op);
  // Doubles the map (bounded by options.max_map_size_bytes); false when it cannot grow.
  bool GrowMap();

  std::filesystem::path dir;
  StoreOptions options;
  MDB_env* env = nullptr;
  MDB_dbi recordings = 0, by_number = 0, by_start = 0, by_expiry = 0, by_hold = 0, meta = 0;

  // Shared by every transaction of this process, exclusive for mdb_env_set_mapsize().
  mutable std::shared_mutex map_mu;

  std::mutex mu;
  std::condition_variable writer_cv;   // wakes the writer
  std::condition_variable flushed_cv;  // signals committed_seq progress
  std::deque<StoreOp> queue;           // guarded by mu
  size_t in_flight = 0;                // popped by the writer, not yet committed; mu
  uint64_t enqueued_seq = 0;           // mu
  uint64_t committed_seq = 0;          // mu
  bool stopping = false;               // mu
  bool flush_requested = false;        // mu
  std::string last_error;              // mu
  std::thread writer;

  std::atomic<bool> map_full{false};
  std::atomic<bool> write_failed{false};
  std::atomic<bool> queue_full{false};
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> records_written{0};
  std::atomic<uint64_t> commit_failures{0};
};

}  // namespace kronika::srs
