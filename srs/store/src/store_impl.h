// Store::Impl: the recordings tables of a Database and the writer thread. Private to
// store*.cc.
#pragma once

#include <lmdb.h>

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kronika/mutex.h"
#include "kronika/srs/store/database.h"
#include "kronika/srs/store/event_outbox.h"
#include "kronika/srs/store/store.h"
#include "kronika/thread_annotations.h"
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
  void WriterLoop() EXCLUDES(mu);
  // Applies `batch` in one write transaction; returns the LMDB code (0 = committed).
  int CommitBatch(const std::vector<StoreOp>& batch, std::string& failed_step);
  // `previous` (optional): set to the stored version the op replaced or removed, if any.
  int ApplyOp(MDB_txn* txn, const StoreOp& op, std::optional<RecordingRecord>* previous = nullptr);
  // Appends the recording.* events that the change from `previous` to `op` describes
  // (recording.started, .finished, .interrupted) in `txn`; the LMDB code (0 = ok).
  int EmitEvents(MDB_txn* txn, const std::optional<RecordingRecord>& previous, const StoreOp& op,
                 int64_t now_ms_utc, std::string& failed_step);

  std::shared_ptr<Database> db;
  LmdbEnv* env = nullptr;  // db's
  std::shared_ptr<EventOutbox> events;  // read-write: the outbox of `db` (EventOutbox::Of)
  StoreOptions options;
  MDB_dbi recordings = 0, by_number = 0, by_start = 0, by_expiry = 0, by_hold = 0, meta = 0;

  Mutex mu;
  CondVar writer_cv;   // wakes the writer
  CondVar flushed_cv;  // signals committed_seq progress
  std::deque<StoreOp> queue GUARDED_BY(mu);
  size_t in_flight GUARDED_BY(mu) = 0;  // popped by the writer, not yet committed
  uint64_t enqueued_seq GUARDED_BY(mu) = 0;
  uint64_t committed_seq GUARDED_BY(mu) = 0;
  bool stopping GUARDED_BY(mu) = false;
  bool flush_requested GUARDED_BY(mu) = false;
  std::string last_error GUARDED_BY(mu);
  std::thread writer;

  std::atomic<bool> map_full{false};
  std::atomic<bool> write_failed{false};
  std::atomic<bool> queue_full{false};
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> records_written{0};
  std::atomic<uint64_t> commit_failures{0};
};

}  // namespace kronika::srs
