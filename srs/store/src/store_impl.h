// Store::Impl: the recordings tables of a Database and the writer thread. Private to
// store*.cc.
#pragma once

#include <lmdb.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kronika/srs/store/database.h"
#include "kronika/srs/store/store.h"
#include "lmdb_env.h"

namespace kronika::srs {

// Layout version of the environment, kept in `meta`. 1: the recordings tables; 2: the rules
// and access tables moved into this environment (their own Open() imports them). A build
// that reads only version 1 refuses a version-2 environment ("upgrade kronika") instead of
// starting on a data directory whose holds, users and register checkpoint it cannot see.
inline constexpr int kStoreSchemaVersion = 2;
inline constexpr char kSchemaVersionKey[] = "schema_version";
inline constexpr char kRecordingsTable[] = "recordings";

struct StoreOp {
  bool is_delete = false;
  RecordingRecord record;  // upsert
  std::string id;          // delete
};

class Store::Impl {
 public:
  // A read transaction on the database (MAP_RESIZED, READERS_FULL handled: lmdb_env.h).
  Result<LmdbTxn> BeginRead() const { return env->BeginRead(); }
  // Reports a recordings row that does not decode (skipped by every reader).
  void ReportBadRecord(std::string_view id, const Error& why) const {
    db->bad_rows().Report(kRecordingsTable, id, why.message);
  }

  // Writer thread.
  void WriterLoop();
  // Applies `batch` in one write transaction; returns the LMDB code (0 = committed).
  int CommitBatch(const std::vector<StoreOp>& batch, std::string& failed_step);
  int ApplyOp(MDB_txn* txn, const StoreOp& op);

  std::shared_ptr<Database> db;
  LmdbEnv* env = nullptr;  // db's
  StoreOptions options;
  MDB_dbi recordings = 0, by_number = 0, by_start = 0, by_expiry = 0, by_hold = 0, meta = 0;

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
