// Store: the recordings tables of the data directory's Database (issue 5, database.h).
//
// Layout: tables of the one LMDB environment in `<data_dir>/db` (see StoreDir())
//   recordings  id -> versioned compact binary record (store_codec.h)
//   by_number   normalised number -> id (dup-sorted)
//   by_start    big-endian start_ms + id -> ""
//   by_expiry   big-endian retention_expiry_ms + id -> ""   (only records with expiry != 0)
//   by_hold     id -> ""                                    (only records under legal hold)
//   meta        "schema_version" -> decimal text
// Records of an older schema are migrated when read; a database written by a newer build
// is refused at Open(). A record that does not decode is skipped by Query() and the index
// walks and reported once (BadRows, kronika_store_bad_rows_total{table="recordings"});
// Get() of it is a kCorrupt error.
//
// Two ways to open it:
//  * read-write (the daemon, one process): Enqueue() hands a whole-record snapshot to a
//    writer thread owned by the Store, which commits in batches (up to
//    StoreOptions::max_batch records per transaction or every max_batch_delay).
//    Enqueue() never blocks on disk: it only takes a short mutex to push to the queue.
//  * read-only (CLI, HTTP in another process): Get()/Query() only.
// Readers in any thread or process may run while the writer commits; each read call uses
// its own short read transaction (MDB_NOTLS) and sees the last committed state.
//
// MAP_RESIZED (another process grew the map) is adopted by readers and the writer alike
// (lmdb_env.h). Map full: the failed batch stays queued; if max_map_size_bytes allows, the map is grown
// and the batch retried; otherwise the store turns unhealthy (Healthy() false, MapFull()
// true) and keeps the queued writes (in memory, retried every retry interval) until the
// queue fills, after which Enqueue() returns false. The SIP layer must answer 503 to new
// sessions while !Healthy(). Nothing queued is dropped silently; the store never aborts.
// The writer thread is "kr-store-wr"; a throw while it commits is handled like a failed
// commit (batch kept and retried, !Healthy()) and counted in kronika_thread_faults_total.
// Events (issue 17): each batch's transaction also appends, per record, the events its
// change stands for (event_outbox.h; recording.started at a record's first commit,
// recording.finished / .interrupted when its state turns completed / interrupted or
// failed) to the Database's outbox; deletions are recording.deleted where they are logged
// (srs/rules), not here.
//
// Thread safety: all const methods may be called from any thread concurrently; Enqueue()
// and EnqueueDelete() from any thread. The Store must outlive callers' use of it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/core/data_layout.h"  // StoreDir()
#include "kronika/srs/store/database.h"
#include "kronika/srs/core/recording_record.h"

namespace kronika::srs {

inline constexpr char kStoreWriterThreadName[] = "kr-store-wr";  // thread_boundary.h

struct StoreOptions {
  bool read_only = false;                      // no writer thread (CLI readers, tools)
  uint64_t map_size_bytes = 1ull << 30;        // initial LMDB map size (1 GiB)
  uint64_t max_map_size_bytes = 64ull << 30;   // grow up to this on MDB_MAP_FULL (0 = never grow)
  size_t queue_capacity = 100000;              // queued snapshots before Enqueue() refuses
  size_t max_batch = 1000;                     // records per write transaction
  std::chrono::milliseconds max_batch_delay{50};  // commit at least this often when busy
  std::chrono::milliseconds retry_interval{1000}; // retry after a failed commit
  bool durable = true;                         // false: MDB_NOSYNC (faster, may lose the
                                               // last commits on power loss, not on crash)
  unsigned max_readers = 512;                  // concurrent read transactions (all processes)
};

// Filters are ANDed; empty / unset fields do not filter. Results are ordered by start
// time, oldest first (newest first with newest_first), then by id.
struct RecordingQuery {
  std::string id;           // exact recording_id
  std::string number;       // E.164 ("+48221234567") or as typed ("0048 22 123 45 67");
                            // matched against each participant's number_e164 and
                            // number_original after dropping spaces, dashes, dots, parens;
                            // also tried in E.164 form via sdp::NormalizePhoneNumber()
                            // (kronika/phone, the normaliser that gave records theirs)
  std::string default_country_code = "48";  // digits; lets national forms
                                            // ("022 123 45 67") find E.164 numbers
  std::string participant;  // case-insensitive (ASCII) substring of a participant name or AoR
  std::optional<int64_t> from_ms_utc;  // start_ms_utc >= from
  std::optional<int64_t> to_ms_utc;    // start_ms_utc <  to
  std::optional<RecordingState> state;
  std::string metadata_status;  // "complete", "partial" or "unparsed"; "" = any
  std::optional<std::string> verdict;  // one of kVerdictNames (completeness_record.h)
  size_t limit = 100;       // at most this many rows (0 = no limit)
  size_t offset = 0;        // skip this many matching rows first
  bool newest_first = false;
};

// One page of a query's matches, and how many match in all.
struct RecordingPage {
  std::vector<RecordingRecord> rows;  // at most `limit`, after `offset`
  std::optional<size_t> total;        // every match, when counted
};

struct StoreStats {
  uint64_t recordings = 0;        // rows in `recordings`
  uint64_t map_size_bytes = 0;    // current map size
  uint64_t used_bytes = 0;        // pages in use * page size
  uint64_t file_bytes = 0;        // size of data.mdb on disk
  size_t queue_depth = 0;         // snapshots not yet committed (read-write only)
  uint64_t commits = 0;           // write transactions committed by this process
  uint64_t records_written = 0;   // snapshots committed by this process
  uint64_t commit_failures = 0;   // failed write transactions (map full, I/O)
  bool healthy = true;
  bool map_full = false;
};

// Form used as by_number key: phone::WithoutSeparators (drops spaces, tabs, dashes, dots,
// parentheses and '/'; keeps '+', digits, '*', '#' and any other text). "" stays "".
std::string NumberIndexKey(std::string_view number);

class Store {
 public:
  // Opens the recordings tables of `db` (creating them when read-write). A read-write
  // Store needs a read-write Database and starts the writer thread. Fails with a message
  // naming the path when the schema is newer than this build, or LMDB refuses (e.g.
  // read-only and no recordings table yet). StoreOptions' map, durability and reader
  // fields are the Database's and are ignored here.
  static Result<std::unique_ptr<Store>> Open(std::shared_ptr<Database> db, const StoreOptions& options);
  // The same on Database::Open(dir, the options' map/durability/reader fields) (use
  // StoreDir()): for tools and tests that need nothing but the recordings.
  static Result<std::unique_ptr<Store>> Open(const std::filesystem::path& dir,
                                             const StoreOptions& options);

  // Read-write: commits everything still queued (best effort, bounded by one retry) and
  // stops the writer thread.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Queues an upsert of the whole record (index entries of the previous version are
  // removed). Never blocks on I/O. False (and nothing queued) when the store is read-only,
  // the queue is full, or the record has an empty recording_id.
  bool Enqueue(RecordingRecord snapshot);
  // Queues removal of a record and its index entries (retention). Same failure rules.
  bool EnqueueDelete(std::string recording_id);

  // Blocks until everything queued before the call is committed; error if the writer
  // could not commit (e.g. map full) within `timeout`. For tests and orderly shutdown.
  Status Flush(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // False when the last commit failed (map full, I/O error) or the queue is full.
  bool Healthy() const;
  // True while the map is full and cannot grow; cleared by the next successful commit.
  bool MapFull() const;

  // Last committed version of a record; nullopt when absent.
  Result<std::optional<RecordingRecord>> Get(std::string_view recording_id) const;
  // See RecordingQuery. Uses by_number when `number` is set, else by_start.
  Result<std::vector<RecordingRecord>> Query(const RecordingQuery& query) const;
  // The same page, and with `count_total` the number of all matches: the walk then goes on
  // past the page to the end of the index range (each match decoded, ~5 µs a recording),
  // so give filters with it on big stores.
  Result<RecordingPage> QueryPage(const RecordingQuery& query, bool count_total) const;
  // Ids (ascending expiry) with 0 < retention_expiry_ms_utc <= now_ms_utc, not on hold.
  Result<std::vector<std::string>> ExpiredBefore(int64_t now_ms_utc, size_t limit) const;

  Result<StoreStats> Stats() const;
  const std::filesystem::path& dir() const;
  // The database the recordings live in (shared with the rules and access tables).
  Database& database() const;

  class Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kronika::srs
