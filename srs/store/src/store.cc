// Store: opening the recordings tables, the writer thread and health (see store.h).
#include "kronika/srs/store/store.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "database_impl.h"
#include "kronika/thread_boundary.h"
#include "store_codec.h"
#include "store_impl.h"
#include "store_keys.h"

namespace kronika::srs {
namespace {

// Puts key/value; when the key sorts after every key already in the database (new
// time-ordered ids, new start times) with MDB_APPEND, which fills pages completely
// instead of splitting them in half: about half the file size for sequential inserts.
int PutOrAppend(MDB_txn* txn, MDB_dbi dbi, MDB_val* key, MDB_val* value) {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn, dbi, &cursor);
  if (rc != 0) return rc;
  MDB_val last_key, last_value;
  rc = mdb_cursor_get(cursor, &last_key, &last_value, MDB_LAST);
  bool append = rc == MDB_NOTFOUND || (rc == 0 && mdb_cmp(txn, dbi, key, &last_key) > 0);
  if (rc == 0 || rc == MDB_NOTFOUND) {
    rc = append ? mdb_cursor_put(cursor, key, value, MDB_APPEND) : mdb_put(txn, dbi, key, value, 0);
  }
  mdb_cursor_close(cursor);
  return rc;
}

Error LmdbError(const std::string& what, int rc, ErrorCode code = ErrorCode::kIo) {
  return MakeError(code, "store: " + what + ": " + mdb_strerror(rc));
}

// Environment layout migrations: kDbMigrations[v] upgrades a version-v environment to v+1
// inside the write transaction that opens it. Version 1 is the first layout; 1 -> 2 changes
// nothing in the recordings tables (the rules and access tables import themselves).
using DbMigration = int (*)(Store::Impl&, MDB_txn*);
constexpr DbMigration kDbMigrations[kStoreSchemaVersion] = {nullptr, nullptr};

Status OpenTables(Store::Impl& impl) {
  const bool ro = impl.options.read_only;
  struct Named {
    const char* name;
    unsigned flags;
    MDB_dbi* dbi;
  } const dbs[] = {
      {"meta", 0, &impl.meta},
      {kRecordingsTable, 0, &impl.recordings},
      {"by_number", MDB_DUPSORT, &impl.by_number},
      {"by_start", 0, &impl.by_start},
      {"by_expiry", 0, &impl.by_expiry},
      {"by_hold", 0, &impl.by_hold},
  };
  for (const Named& db : dbs) {
    int rc = 0;
    Result<MDB_dbi> dbi = impl.env->OpenTable(db.name, db.flags, &rc);
    if (!dbi.ok()) {
      if (ro && rc == MDB_NOTFOUND) {
        return MakeError(ErrorCode::kNotFound, "store: " + impl.env->dir().string() + " has no recordings yet");
      }
      return dbi.error();
    }
    *db.dbi = *dbi;
  }
  impl.db->bad_rows().Declare(kRecordingsTable);
  Result<LmdbTxn> txn = ro ? impl.env->BeginRead() : impl.env->BeginWrite();
  if (!txn.ok()) return txn.error();
  MDB_val key = LmdbVal(kSchemaVersionKey), value;
  int rc = mdb_get(txn->get(), impl.meta, &key, &value);
  int version = 0;
  if (rc == 0) {
    version = std::atoi(std::string(LmdbView(value)).c_str());
  } else if (rc != MDB_NOTFOUND) {
    return LmdbError("cannot read schema version", rc);
  }
  if (version > kStoreSchemaVersion) {
    return MakeError(ErrorCode::kUnavailable, "store: " + impl.env->dir().string() + " has schema version " +
                                                  std::to_string(version) + ", this build supports up to " +
                                                  std::to_string(kStoreSchemaVersion) + " (upgrade kronika)");
  }
  if (ro) {
    if (version == 0) {
      return MakeError(ErrorCode::kNotFound, "store: " + impl.env->dir().string() + " has no schema version");
    }
    return OkStatus();
  }
  if (version < kStoreSchemaVersion) {
    for (int v = version == 0 ? kStoreSchemaVersion : version; v < kStoreSchemaVersion; ++v) {
      if (kDbMigrations[v] != nullptr && (rc = kDbMigrations[v](impl, txn->get())) != 0) {
        return LmdbError("migration from schema " + std::to_string(v) + " failed", rc);
      }
    }
    std::string text = std::to_string(kStoreSchemaVersion);
    MDB_val v = LmdbVal(text);
    rc = mdb_put(txn->get(), impl.meta, &key, &v, 0);
    if (rc != 0) return LmdbError("cannot write schema version", rc);
  }
  rc = txn->Commit();
  if (rc != 0) return LmdbError("cannot commit the schema version", rc);
  return OkStatus();
}

}  // namespace

namespace {

// Index entries a record version has: by_start, by_number, by_expiry, by_hold.
struct IndexEntries {
  std::string start_key;             // TimeKey(start, id)
  std::vector<std::string> numbers;  // NumberKeysOf(); each with value start_key
  std::string expiry_key;            // "" = no expiry
  bool hold = false;
};

IndexEntries IndexEntriesOf(const RecordingRecord& r, const std::string& id) {
  IndexEntries e;
  e.start_key = TimeKey(r.start_ms_utc, id);
  e.numbers = NumberKeysOf(r);
  if (r.retention_expiry_ms_utc != 0) e.expiry_key = TimeKey(r.retention_expiry_ms_utc, id);
  e.hold = r.legal_hold;
  return e;
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

int Store::Impl::ApplyOp(MDB_txn* txn, const StoreOp& op, std::optional<RecordingRecord>* previous) {
  const std::string& id = op.is_delete ? op.id : op.record.recording_id;
  MDB_val key = LmdbVal(id), value;
  int rc = mdb_get(txn, recordings, &key, &value);
  if (previous != nullptr) previous->reset();
  // Only the index entries that change are deleted and put: a call's final snapshot keeps
  // its start time and numbers, and deleting and re-putting the same by_number pairs made
  // every call rewrite ~3 random by_number leaf pages (and their branch pages) twice
  // (docs/benchmarks.md, "10M recordings"). The result is the same set of entries.
  std::optional<IndexEntries> before;
  const IndexEntries after = op.is_delete ? IndexEntries{} : IndexEntriesOf(op.record, id);
  if (rc == 0) {
    Result<RecordingRecord> old = DecodeRecord(LmdbView(value));
    if (old.ok() && previous != nullptr) *previous = *old;
    if (old.ok()) {
      before = IndexEntriesOf(*old, id);
    } else {
      ReportBadRecord(id, old.error());  // its stale index entries are skipped by readers
    }
  } else if (rc != MDB_NOTFOUND) {
    return rc;
  }
  // Same start: the by_number values are the same, so a number kept is an entry kept.
  const bool same_start = before && !op.is_delete && before->start_key == after.start_key;
  if (before) {
    if (!same_start) {
      MDB_val k = LmdbVal(before->start_key);
      if ((rc = mdb_del(txn, by_start, &k, nullptr)) != 0 && rc != MDB_NOTFOUND) return rc;
    }
    for (const std::string& number : before->numbers) {
      if (same_start && Contains(after.numbers, number)) continue;
      MDB_val nk = LmdbVal(number), nv = LmdbVal(before->start_key);
      if ((rc = mdb_del(txn, by_number, &nk, &nv)) != 0 && rc != MDB_NOTFOUND) return rc;
    }
    if (!before->expiry_key.empty() && (op.is_delete || before->expiry_key != after.expiry_key)) {
      MDB_val ek = LmdbVal(before->expiry_key);
      if ((rc = mdb_del(txn, by_expiry, &ek, nullptr)) != 0 && rc != MDB_NOTFOUND) return rc;
    }
    if (before->hold && (op.is_delete || !after.hold)) {
      if ((rc = mdb_del(txn, by_hold, &key, nullptr)) != 0 && rc != MDB_NOTFOUND) return rc;
    }
  }
  if (op.is_delete) {
    rc = mdb_del(txn, recordings, &key, nullptr);
    return rc == MDB_NOTFOUND ? 0 : rc;
  }
  const RecordingRecord& rec = op.record;
  std::string encoded = EncodeRecord(rec);
  MDB_val data = LmdbVal(encoded), empty{0, nullptr};
  if ((rc = PutOrAppend(txn, recordings, &key, &data)) != 0) return rc;
  if (!same_start) {
    MDB_val sk = LmdbVal(after.start_key);
    if ((rc = PutOrAppend(txn, by_start, &sk, &empty)) != 0) return rc;
  }
  for (const std::string& number : after.numbers) {
    if (same_start && Contains(before->numbers, number)) continue;
    MDB_val nk = LmdbVal(number), nv = LmdbVal(after.start_key);
    if ((rc = mdb_put(txn, by_number, &nk, &nv, MDB_NODUPDATA)) != 0 && rc != MDB_KEYEXIST) {
      return rc;
    }
  }
  if (!after.expiry_key.empty() && (!before || before->expiry_key != after.expiry_key)) {
    MDB_val ek = LmdbVal(after.expiry_key);
    if ((rc = mdb_put(txn, by_expiry, &ek, &empty, 0)) != 0) return rc;
  }
  if (after.hold && (!before || !before->hold)) {
    if ((rc = mdb_put(txn, by_hold, &key, &empty, 0)) != 0) return rc;
  }
  return 0;
}

namespace {

nlohmann::json ParticipantsPersonal(const RecordingRecord& r) {
  nlohmann::json list = nlohmann::json::array();
  for (const ParticipantRecord& p : r.participants) {
    list.push_back({{"name", p.name},
                    {"aor", p.aor},
                    {"number", !p.number_e164.empty() ? p.number_e164 : p.number_original}});
  }
  return {{"participants", std::move(list)}};
}

nlohmann::json TextOrNull(const std::string& text) { return text.empty() ? nlohmann::json() : nlohmann::json(text); }

// The events a snapshot's commit stands for, given what was stored before it (issue 17):
// the first commit of a recording is recording.started (whatever its state), a change into
// completed is recording.finished, into interrupted or failed recording.interrupted. A
// recording first stored already over gets both its start and its end. Rewrites that do
// not change the state (a new snapshot of an active call, the hold flag) emit nothing.
std::vector<EventDraft> RecordingEvents(const std::optional<RecordingRecord>& previous, const RecordingRecord& r) {
  std::vector<EventDraft> out;
  if (!previous) {
    out.push_back(EventDraft{"recording.started", r.recording_id,
                             {{"site", r.site},
                              {"src_host", r.src_host},
                              {"sip_call_id", r.sip_call_id},
                              {"state", std::string(RecordingStateName(r.state))},
                              {"start_ms_utc", r.start_ms_utc}},
                             ParticipantsPersonal(r)});
  }
  if (previous && previous->state == r.state) return out;
  if (r.state == RecordingState::kCompleted) {
    out.push_back(EventDraft{"recording.finished", r.recording_id,
                             {{"duration_s", r.duration_s},
                              {"file_bytes", r.file_bytes},
                              {"end_ms_utc", r.end_ms_utc},
                              {"verdict", TextOrNull(r.verdict)},
                              {"metadata_status", TextOrNull(r.metadata_status)}},
                             ParticipantsPersonal(r)});
  } else if (r.state == RecordingState::kInterrupted || r.state == RecordingState::kFailed) {
    out.push_back(EventDraft{"recording.interrupted", r.recording_id,
                             {{"reason", std::string(RecordingStateName(r.state))},
                              {"last_event", r.timeline.empty() ? nlohmann::json() : nlohmann::json(r.timeline.back().kind)},
                              {"duration_s", r.duration_s},
                              {"file_bytes", r.file_bytes},
                              {"end_ms_utc", r.end_ms_utc},
                              {"verdict", TextOrNull(r.verdict)},
                              {"metadata_status", TextOrNull(r.metadata_status)}},
                             ParticipantsPersonal(r)});
  }
  return out;
}

}  // namespace

int Store::Impl::EmitEvents(MDB_txn* txn, const std::optional<RecordingRecord>& previous, const StoreOp& op,
                            int64_t now_ms_utc, std::string& failed_step) {
  if (events == nullptr || op.is_delete) return 0;  // deletions: the deletion log's recording.deleted
  WriteTxn write = WriteTxnAccess::Wrap(*db, txn);
  for (const EventDraft& draft : RecordingEvents(previous, op.record)) {
    Result<Event> appended = events->AppendIn(write, draft, now_ms_utc);
    if (!appended.ok()) {
      failed_step = "event " + draft.type + " of " + op.record.recording_id + ": " + appended.error().message;
      return WriteTxnAccess::MapFull(write) ? MDB_MAP_FULL : MDB_PANIC;
    }
  }
  return 0;
}

int Store::Impl::CommitBatch(const std::vector<StoreOp>& batch, std::string& failed_step) {
  Result<LmdbTxn> txn = env->BeginWrite();  // adopts a map another process grew
  if (!txn.ok()) {
    failed_step = txn.error().message;
    return MDB_PANIC;
  }
  const int64_t now_ms_utc = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  int rc = 0;
  std::optional<RecordingRecord> previous;
  for (const StoreOp& op : batch) {
    if ((rc = ApplyOp(txn->get(), op, &previous)) != 0) {
      failed_step = "write " + (op.is_delete ? op.id : op.record.recording_id);
      return rc;  // `txn` aborts
    }
    // In the same transaction as the record: both commit or neither (issue 17).
    if ((rc = EmitEvents(txn->get(), previous, op, now_ms_utc, failed_step)) != 0) return rc;
  }
  rc = txn->Commit();
  if (rc != 0) failed_step = "commit";
  return rc;
}

void Store::Impl::WriterLoop() {
  std::vector<StoreOp> batch;
  for (;;) {
    bool stop_seen = false;
    {
      MutexLock lock(mu);
      if (batch.empty()) {
        writer_cv.Wait(mu, [&]() REQUIRES(mu) { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping with nothing left
        if (!stopping && !flush_requested && queue.size() < options.max_batch &&
            options.max_batch_delay.count() > 0) {
          writer_cv.WaitFor(mu, options.max_batch_delay, [&]() REQUIRES(mu) {
            return stopping || flush_requested || queue.size() >= options.max_batch;
          });
        }
        size_t n = std::min(options.max_batch, queue.size());
        for (size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue.front()));
          queue.pop_front();
        }
        in_flight = batch.size();
      }
      stop_seen = stopping;
    }
    std::string failed_step;
    int rc = MDB_PANIC;
    // The boundary (issue 13 item 4): a throw while committing is a failed commit - the
    // batch is kept and retried, Healthy() is false (/readyz "store" 503) and the thread is
    // marked failed (kronika_thread_failed) until a commit succeeds.
    if (!RunGuarded(kStoreWriterThreadName, FaultEffect::kFailed, [&] { rc = CommitBatch(batch, failed_step); })) {
      rc = MDB_PANIC;
      failed_step = std::string("store: a fault in the writer thread ") + kStoreWriterThreadName +
                    " while committing; the batch is kept and retried";
    }
    if (rc == MDB_MAP_FULL && env->Grow()) continue;  // retry the same batch at once
    MutexLock lock(mu);
    if (rc == 0) {
      ThreadFaults::Process().ClearFailed(kStoreWriterThreadName);
      committed_seq += batch.size();
      commits.fetch_add(1, std::memory_order_relaxed);
      records_written.fetch_add(batch.size(), std::memory_order_relaxed);
      batch.clear();
      in_flight = 0;
      map_full = false;
      write_failed = false;
      if (queue.empty()) flush_requested = false;
      queue_full = queue.size() >= options.queue_capacity;
      flushed_cv.SignalAll();
      continue;
    }
    // Keep the batch and retry later: nothing queued is dropped while the process runs.
    commit_failures.fetch_add(1, std::memory_order_relaxed);
    write_failed = true;
    if (rc == MDB_MAP_FULL) map_full = true;
    last_error = rc == MDB_PANIC ? failed_step : "store: " + failed_step + ": " + mdb_strerror(rc);
    flushed_cv.SignalAll();
    if (stop_seen) {
      std::fprintf(stderr, "%s; %zu queued writes not committed at shutdown\n",
                   last_error.c_str(), batch.size() + queue.size());
      return;
    }
    writer_cv.WaitFor(mu, options.retry_interval, [&]() REQUIRES(mu) { return stopping; });
  }
}

Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& dir,
                                           const StoreOptions& options) {
  DatabaseOptions db_options;
  db_options.read_only = options.read_only;
  db_options.map_size_bytes = options.map_size_bytes;
  db_options.max_map_size_bytes = options.max_map_size_bytes;
  db_options.durable = options.durable;
  db_options.max_readers = options.max_readers;
  Result<std::shared_ptr<Database>> db = Database::Open(dir, db_options);
  if (!db.ok()) return db.error();
  return Open(std::move(*db), options);
}

Result<std::unique_ptr<Store>> Store::Open(std::shared_ptr<Database> db, const StoreOptions& options) {
  if (!options.read_only && db->read_only()) {
    return MakeError(ErrorCode::kInternal, "store: " + db->dir().string() + " is open read-only in this process");
  }
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(db);
  impl->env = impl->db->impl().env.get();
  impl->options = options;
  if (impl->options.max_batch == 0) impl->options.max_batch = 1;
  Status opened = OpenTables(*impl);
  if (!opened.ok()) return opened.error();
  if (!options.read_only) {
    Result<std::shared_ptr<EventOutbox>> events = EventOutbox::Of(impl->db);
    if (!events.ok()) return events.error();
    impl->events = std::move(*events);
  }
  Impl* raw = impl.get();
  if (!options.read_only) raw->writer = std::thread([raw] {
      NameCurrentThread(kStoreWriterThreadName);
      raw->WriterLoop();
    });
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() {
  if (impl_->writer.joinable()) {
    {
      MutexLock lock(impl_->mu);
      impl_->stopping = true;
    }
    impl_->writer_cv.SignalAll();
    impl_->writer.join();
  }
}

namespace {
bool Push(Store::Impl& impl, StoreOp op) {
  if (impl.options.read_only) return false;
  {
    MutexLock lock(impl.mu);
    if (impl.stopping) return false;
    if (impl.queue.size() + impl.in_flight >= impl.options.queue_capacity) {
      impl.queue_full = true;
      return false;
    }
    impl.queue.push_back(std::move(op));
    ++impl.enqueued_seq;
  }
  impl.writer_cv.Signal();
  return true;
}
}  // namespace

bool Store::Enqueue(RecordingRecord snapshot) {
  if (snapshot.recording_id.empty() || snapshot.recording_id.size() > kMaxRecordingIdBytes) {
    return false;
  }
  snapshot.schema_version = kRecordingSchemaVersion;
  StoreOp op;
  op.record = std::move(snapshot);
  return Push(*impl_, std::move(op));
}

bool Store::EnqueueDelete(std::string recording_id) {
  if (recording_id.empty() || recording_id.size() > kMaxRecordingIdBytes) return false;
  StoreOp op;
  op.is_delete = true;
  op.id = std::move(recording_id);
  return Push(*impl_, std::move(op));
}

Status Store::Flush(std::chrono::milliseconds timeout) {
  if (impl_->options.read_only) return OkStatus();
  MutexLock lock(impl_->mu);
  const uint64_t target = impl_->enqueued_seq;
  impl_->flush_requested = true;
  impl_->writer_cv.SignalAll();
  bool done = impl_->flushed_cv.WaitFor(impl_->mu, timeout, [&]() REQUIRES(impl_->mu) {
    return impl_->committed_seq >= target;
  });
  if (done) return OkStatus();
  std::string why = impl_->last_error.empty() ? "store: flush timed out" : impl_->last_error;
  return MakeError(ErrorCode::kUnavailable, why + " (" + std::to_string(target - impl_->committed_seq) +
                            " writes pending)");
}

bool Store::Healthy() const {
  return !impl_->write_failed.load() && !impl_->map_full.load() && !impl_->queue_full.load();
}

bool Store::MapFull() const { return impl_->map_full.load(); }

const std::filesystem::path& Store::dir() const { return impl_->env->dir(); }

Database& Store::database() const { return *impl_->db; }

Result<StoreStats> Store::Stats() const {
  StoreStats stats;
  {
    Result<LmdbTxn> txn = impl_->BeginRead();
    if (!txn.ok()) return txn.error();
    MDB_stat st;
    int rc = mdb_stat(txn->get(), impl_->recordings, &st);
    if (rc != 0) return LmdbError("stat", rc);
    stats.recordings = st.ms_entries;
    stats.map_size_bytes = impl_->env->MapSizeBytes();
    stats.used_bytes = impl_->env->UsedBytes();
  }
  std::error_code ec;
  stats.file_bytes = std::filesystem::file_size(impl_->env->dir() / "data.mdb", ec);
  {
    MutexLock lock(impl_->mu);
    stats.queue_depth = impl_->queue.size() + impl_->in_flight;
  }
  stats.commits = impl_->commits.load();
  stats.records_written = impl_->records_written.load();
  stats.commit_failures = impl_->commit_failures.load();
  stats.healthy = Healthy();
  stats.map_full = MapFull();
  return stats;
}

}  // namespace kronika::srs
