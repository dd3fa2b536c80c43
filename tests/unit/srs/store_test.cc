// The LMDB recording store on real files in a temporary directory (issue 5).
#include "kronika/srs/store/store.h"

#include <lmdb.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <algorithm>
#include <catch2/catch.hpp>
#include <thread>

#include "kronika/srs/store/query_params.h"
#include "store_codec.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::kT0Ms;
using testing::MakeRecording;
using testing::TempDir;

constexpr int64_t kMinuteMs = 60'000;

std::unique_ptr<Store> OpenWriter(const std::filesystem::path& dir, StoreOptions options = {}) {
  options.max_batch_delay = std::chrono::milliseconds(1);
  auto store = Store::Open(dir, options);
  REQUIRE(store.ok());
  return std::move(store).value();
}

std::vector<std::string> Ids(const std::vector<RecordingRecord>& records) {
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(r.recording_id);
  return ids;
}

std::vector<std::string> QueryIds(const Store& store, const RecordingQuery& q) {
  auto result = store.Query(q);
  REQUIRE(result.ok());
  return Ids(*result);
}

TEST_CASE("store: a committed record reads back identical, also from a read-only handle") {
  TempDir tmp;
  RecordingRecord rec = MakeRecording("01JDX0000000000000000000A1", kT0Ms, "+48601234567");
  rec.legal_hold = true;
  rec.retention_expiry_ms_utc = kT0Ms + 365LL * 24 * 3600 * 1000;
  {
    auto store = OpenWriter(StoreDir(tmp.path()));
    REQUIRE(store->Enqueue(rec));
    REQUIRE(store->Flush().ok());
    auto got = store->Get(rec.recording_id);
    REQUIRE(got.ok());
    REQUIRE(got->has_value());
    CHECK(**got == rec);
    auto missing = store->Get("01JDX0000000000000000000ZZ");
    REQUIRE(missing.ok());
    CHECK_FALSE(missing->has_value());
  }
  StoreOptions ro;
  ro.read_only = true;
  auto reader = Store::Open(StoreDir(tmp.path()), ro);
  REQUIRE(reader.ok());
  auto got = (*reader)->Get(rec.recording_id);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(**got == rec);
  CHECK_FALSE((*reader)->Enqueue(rec));  // read-only handles refuse writes
  auto stats = (*reader)->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->recordings == 1);
}

TEST_CASE("store: read-only open of a missing database names the directory") {
  TempDir tmp;
  StoreOptions ro;
  ro.read_only = true;
  auto store = Store::Open(StoreDir(tmp.path()), ro);
  REQUIRE_FALSE(store.ok());
  CHECK_THAT(store.error().message, Catch::Contains("no database") &&
                                        Catch::Contains(StoreDir(tmp.path()).string()));
}

TEST_CASE("store: updating a record moves its number, time, expiry and hold index entries") {
  TempDir tmp;
  auto store = OpenWriter(StoreDir(tmp.path()));
  RecordingRecord rec = MakeRecording("01JDX0000000000000000000B1", kT0Ms, "+48601000001");
  rec.state = RecordingState::kActive;
  rec.retention_expiry_ms_utc = kT0Ms + 10 * kMinuteMs;
  rec.legal_hold = true;
  REQUIRE(store->Enqueue(rec));
  REQUIRE(store->Flush().ok());

  RecordingQuery by_old_number;
  by_old_number.number = "+48601000001";
  CHECK(QueryIds(*store, by_old_number) == std::vector<std::string>{rec.recording_id});
  CHECK(store->ExpiredBefore(kT0Ms + 20 * kMinuteMs, 10)->empty());  // on hold

  // Metadata update: the caller turns out to be another number, start corrected, hold lifted.
  RecordingRecord updated = rec;
  updated.participants[0].number_e164 = "+48601000002";
  updated.participants[0].number_original = "0601000002";
  updated.start_ms_utc = kT0Ms + 5 * kMinuteMs;
  updated.state = RecordingState::kCompleted;
  updated.legal_hold = false;
  updated.retention_expiry_ms_utc = kT0Ms + 30 * kMinuteMs;
  REQUIRE(store->Enqueue(updated));
  REQUIRE(store->Flush().ok());

  CHECK(QueryIds(*store, by_old_number).empty());
  RecordingQuery by_new_number;
  by_new_number.number = "+48601000002";
  CHECK(QueryIds(*store, by_new_number) == std::vector<std::string>{rec.recording_id});
  by_new_number.number = "0601000002";  // as typed in the metadata
  CHECK(QueryIds(*store, by_new_number) == std::vector<std::string>{rec.recording_id});

  RecordingQuery old_window;
  old_window.from_ms_utc = kT0Ms;
  old_window.to_ms_utc = kT0Ms + kMinuteMs;
  CHECK(QueryIds(*store, old_window).empty());
  RecordingQuery all;
  auto everything = store->Query(all);
  REQUIRE(everything.ok());
  REQUIRE(everything->size() == 1);  // one by_start entry, not two
  CHECK((*everything)[0].state == RecordingState::kCompleted);

  CHECK(store->ExpiredBefore(kT0Ms + 20 * kMinuteMs, 10)->empty());  // new expiry is later
  CHECK(*store->ExpiredBefore(kT0Ms + 30 * kMinuteMs, 10) ==
        std::vector<std::string>{rec.recording_id});

  REQUIRE(store->EnqueueDelete(rec.recording_id));
  REQUIRE(store->Flush().ok());
  CHECK_FALSE(store->Get(rec.recording_id)->has_value());
  CHECK(QueryIds(*store, by_new_number).empty());
  CHECK(QueryIds(*store, all).empty());
  CHECK(store->ExpiredBefore(kT0Ms + 60 * kMinuteMs, 10)->empty());
}

TEST_CASE("store: a final snapshot that keeps its start time updates only the index entries that change") {
  // The writer skips deleting and re-putting entries an update keeps (fewer pages written
  // per call); what the indexes hold afterwards must be exactly the new version's entries.
  TempDir tmp;
  auto store = OpenWriter(StoreDir(tmp.path()));
  RecordingRecord rec = MakeRecording("01JDX0000000000000000000C1", kT0Ms, "+48601000011", "Jan Kowalski",
                                      "+48221000011");
  rec.state = RecordingState::kActive;
  rec.retention_expiry_ms_utc = kT0Ms + 10 * kMinuteMs;
  rec.legal_hold = true;
  REQUIRE(store->Enqueue(rec));
  REQUIRE(store->Flush().ok());

  RecordingRecord final_snapshot = rec;  // same start, caller, expiry and hold
  final_snapshot.state = RecordingState::kCompleted;
  final_snapshot.participants[1].number_e164 = "+48221000012";  // the call was transferred
  final_snapshot.participants[1].number_original = "+48221000012";
  final_snapshot.participants.push_back({"pc", "Konsultant 1001", "sip:1001@pbx.example.pl", "", "1001", 1});
  REQUIRE(store->Enqueue(final_snapshot));
  REQUIRE(store->Enqueue(final_snapshot));  // a rewrite with no change at all
  REQUIRE(store->Flush().ok());

  auto ids_for = [&](const std::string& number) {
    RecordingQuery q;
    q.number = number;
    return QueryIds(*store, q);
  };
  const std::vector<std::string> one = {rec.recording_id};
  CHECK(ids_for("+48601000011") == one);  // kept
  CHECK(ids_for("+48221000011").empty());  // replaced
  CHECK(ids_for("+48221000012") == one);  // new
  CHECK(ids_for("1001") == one);          // added
  RecordingQuery all;
  auto everything = store->Query(all);
  REQUIRE(everything.ok());
  REQUIRE(everything->size() == 1);
  CHECK((*everything)[0].state == RecordingState::kCompleted);
  CHECK(store->ExpiredBefore(kT0Ms + 20 * kMinuteMs, 10)->empty());  // still on hold

  RecordingRecord released = final_snapshot;  // hold lifted, same expiry
  released.legal_hold = false;
  REQUIRE(store->Enqueue(released));
  REQUIRE(store->Flush().ok());
  CHECK(*store->ExpiredBefore(kT0Ms + 20 * kMinuteMs, 10) == one);

  REQUIRE(store->EnqueueDelete(rec.recording_id));
  REQUIRE(store->Flush().ok());
  for (const char* number : {"+48601000011", "+48221000012", "1001"}) CHECK(ids_for(number).empty());
  CHECK(QueryIds(*store, all).empty());
  CHECK(store->ExpiredBefore(kT0Ms + 60 * kMinuteMs, 10)->empty());
}

TEST_CASE("store: records indexed by the earlier normaliser stay findable (no re-index needed)") {
  // Before kronika/phone, 7..10-digit unprefixed numbers became +48... whatever their length
  // and a record keeps the E.164 it was stored with; the index holds that and the number
  // as sent, so the old E.164 and the form the SRC used both still find it.
  TempDir tmp;
  auto store = OpenWriter(StoreDir(tmp.path()));
  RecordingRecord old = MakeRecording("01JDX0000000000000000000D1", kT0Ms, "+482212345678");
  old.participants[0].number_original = "2212345678";  // 10 digits: not a Polish number
  RecordingRecord trunk = MakeRecording("01JDX0000000000000000000D2", kT0Ms + kMinuteMs, "+48221234567");
  trunk.participants[0].number_original = "0221234567";
  for (const auto& r : {old, trunk}) REQUIRE(store->Enqueue(r));
  REQUIRE(store->Flush().ok());
  RecordingQuery q;
  q.default_country_code = "48";
  for (const char* typed : {"+482212345678", "2212345678", "221 234 5678"}) {
    q.number = typed;
    INFO(typed);
    CHECK(QueryIds(*store, q) == std::vector<std::string>{old.recording_id});
  }
  for (const char* typed : {"+48221234567", "0221234567", "22 123 45 67", "0048 22 123 45 67", "48221234567"}) {
    q.number = typed;
    INFO(typed);
    const std::vector<std::string> ids = QueryIds(*store, q);
    CHECK(std::find(ids.begin(), ids.end(), trunk.recording_id) != ids.end());
  }
}

TEST_CASE("store: query by number finds every written form and orders by start time") {
  TempDir tmp;
  auto store = OpenWriter(StoreDir(tmp.path()));
  // Three calls from +48 601 234 567 (one stored only with the national form), one other.
  RecordingRecord a = MakeRecording("01JDX0000000000000000000C3", kT0Ms + 3 * kMinuteMs, "+48601234567");
  RecordingRecord b = MakeRecording("01JDX0000000000000000000C1", kT0Ms + 1 * kMinuteMs, "+48601234567");
  RecordingRecord c = MakeRecording("01JDX0000000000000000000C2", kT0Ms + 2 * kMinuteMs, "");
  c.participants[0].number_original = "0601 234 567";
  RecordingRecord other = MakeRecording("01JDX0000000000000000000C4", kT0Ms, "+48609999999",
                                        "Anna Nowak", "+48227654321");
  for (const auto& r : {a, b, c, other}) REQUIRE(store->Enqueue(r));
  REQUIRE(store->Flush().ok());

  RecordingQuery q;
  q.default_country_code = "48";
  q.number = "+48601234567";
  CHECK(QueryIds(*store, q) == std::vector<std::string>{b.recording_id, a.recording_id});
  q.number = "+48 601-234-567";  // visual separators are ignored
  CHECK(QueryIds(*store, q) == std::vector<std::string>{b.recording_id, a.recording_id});
  q.number = "0048601234567";  // international prefix, normalised to E.164
  CHECK(QueryIds(*store, q) == std::vector<std::string>{b.recording_id, a.recording_id});
  q.number = "0601234567";  // the national form matches the record stored that way
  CHECK(QueryIds(*store, q) ==
        std::vector<std::string>{b.recording_id, c.recording_id, a.recording_id});
  q.newest_first = true;
  CHECK(QueryIds(*store, q) ==
        std::vector<std::string>{a.recording_id, c.recording_id, b.recording_id});
  q.newest_first = false;
  q.limit = 1;
  q.offset = 1;
  CHECK(QueryIds(*store, q) == std::vector<std::string>{c.recording_id});
  q = RecordingQuery{};
  q.number = "+48221234567";  // the callee of all but `other`
  CHECK(QueryIds(*store, q).size() == 3);
  q.number = "+48700000000";
  CHECK(QueryIds(*store, q).empty());
}

TEST_CASE("store: a busy number's time window and order are served from the index") {
  TempDir tmp;
  auto store = OpenWriter(StoreDir(tmp.path()));
  // A hotline: 50 calls to +48221234567, one a minute, ids out of time order.
  std::vector<std::string> ids_by_time;
  for (int i = 0; i < 50; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "01JDX00000000000000000J%03d", 49 - i);
    ids_by_time.push_back(id);
    REQUIRE(store->Enqueue(MakeRecording(id, kT0Ms + i * kMinuteMs, "+4860000" + std::to_string(1000 + i))));
  }
  REQUIRE(store->Flush().ok());
  RecordingQuery q;
  q.number = "+48 22 123 45 67";
  q.from_ms_utc = kT0Ms + 10 * kMinuteMs;
  q.to_ms_utc = kT0Ms + 20 * kMinuteMs;
  q.limit = 3;
  CHECK(QueryIds(*store, q) == std::vector<std::string>{ids_by_time[10], ids_by_time[11], ids_by_time[12]});
  q.newest_first = true;
  CHECK(QueryIds(*store, q) == std::vector<std::string>{ids_by_time[19], ids_by_time[18], ids_by_time[17]});
  q.to_ms_utc = kT0Ms + 100 * kMinuteMs;  // past the last call
  CHECK(QueryIds(*store, q) == std::vector<std::string>{ids_by_time[49], ids_by_time[48], ids_by_time[47]});
  q.to_ms_utc.reset();
  q.from_ms_utc = kT0Ms + 48 * kMinuteMs;
  q.limit = 0;
  CHECK(QueryIds(*store, q) == std::vector<std::string>{ids_by_time[49], ids_by_time[48]});
  q.newest_first = false;
  q.from_ms_utc.reset();
  q.to_ms_utc = kT0Ms;  // before the first call
  CHECK(QueryIds(*store, q).empty());
}

TEST_CASE("store: time range, state and participant filters") {
  TempDir tmp;
  auto store = OpenWriter(StoreDir(tmp.path()));
  std::vector<RecordingRecord> recs;
  for (int i = 0; i < 10; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "01JDX00000000000000000D%03d", i);
    RecordingRecord r = MakeRecording(id, kT0Ms + i * kMinuteMs, "+4860100000" + std::to_string(i),
                                      i % 2 ? "Łukasz Wiśniewski" : "Jan Kowalski");
    if (i == 9) r.state = RecordingState::kActive;
    recs.push_back(r);
    REQUIRE(store->Enqueue(r));
  }
  REQUIRE(store->Flush().ok());

  RecordingQuery q;
  q.from_ms_utc = kT0Ms + 2 * kMinuteMs;  // inclusive
  q.to_ms_utc = kT0Ms + 5 * kMinuteMs;    // exclusive
  CHECK(QueryIds(*store, q) == std::vector<std::string>{recs[2].recording_id, recs[3].recording_id,
                                                         recs[4].recording_id});
  q.newest_first = true;
  CHECK(QueryIds(*store, q) == std::vector<std::string>{recs[4].recording_id, recs[3].recording_id,
                                                         recs[2].recording_id});
  q = RecordingQuery{};
  q.participant = "kowalski";  // case-insensitive substring
  CHECK(QueryIds(*store, q).size() == 5);
  q.participant = "Wiśniewski";
  CHECK(QueryIds(*store, q).size() == 5);
  q = RecordingQuery{};
  q.state = RecordingState::kActive;
  CHECK(QueryIds(*store, q) == std::vector<std::string>{recs[9].recording_id});
  q = RecordingQuery{};
  q.limit = 3;
  q.offset = 8;
  CHECK(QueryIds(*store, q) == std::vector<std::string>{recs[8].recording_id, recs[9].recording_id});
  q = RecordingQuery{};
  q.id = recs[7].recording_id;
  CHECK(QueryIds(*store, q) == std::vector<std::string>{recs[7].recording_id});
}

TEST_CASE("store: another process reads consistent snapshots while the daemon commits") {
  TempDir tmp;
  const auto dir = StoreDir(tmp.path());
  constexpr int kRecords = 3000;
  // Create the environment first so the reader can open it.
  {
    auto store = OpenWriter(dir);
    REQUIRE(store->Enqueue(MakeRecording("01JDX0000000000000000000000", kT0Ms, "+48500000000")));
    REQUIRE(store->Flush().ok());
  }
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Reader process: counts must never go down, every record must decode.
    StoreOptions ro;
    ro.read_only = true;
    auto reader = Store::Open(dir, ro);
    if (!reader.ok()) ::_exit(10);
    size_t last = 0;
    for (int i = 0; i < 100000; ++i) {
      RecordingQuery q;
      q.limit = 0;
      auto rows = (*reader)->Query(q);
      if (!rows.ok()) ::_exit(11);
      if (rows->size() < last) ::_exit(12);
      last = rows->size();
      if (last == kRecords + 1) ::_exit(0);
      RecordingQuery by_number;
      by_number.number = "+48221234567";
      by_number.limit = 10;
      by_number.newest_first = true;
      auto recent = (*reader)->Query(by_number);
      if (!recent.ok() || recent->empty()) ::_exit(13);
    }
    ::_exit(14);  // never saw the final count
  }
  {
    auto store = OpenWriter(dir);
    for (int i = 1; i <= kRecords; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "01JDX0000000000000000%05d", i);
      REQUIRE(store->Enqueue(MakeRecording(id, kT0Ms + i * 1000, "+48500000000")));
      if (i % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    REQUIRE(store->Flush().ok());
    auto stats = store->Stats();
    REQUIRE(stats.ok());
    CHECK(stats->recordings == kRecords + 1);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("store: a full map without room to grow raises the alarm and keeps old data") {
  TempDir tmp;
  StoreOptions options;
  options.map_size_bytes = 256 * 1024;
  options.max_map_size_bytes = 0;  // never grow
  options.retry_interval = std::chrono::milliseconds(20);
  options.queue_capacity = 50;
  auto store = OpenWriter(StoreDir(tmp.path()), options);
  RecordingRecord first = MakeRecording("01JDX0000000000000000000E0", kT0Ms, "+48601000000");
  REQUIRE(store->Enqueue(first));
  REQUIRE(store->Flush().ok());
  CHECK(store->Healthy());

  // 40 records of ~300 KB each: not even one fits in the 256 KB map, so however the
  // writer thread batches them (timing differs under sanitizers), every commit fails.
  int accepted = 0;
  for (int i = 1; i <= 40; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "01JDX00000000000000000E%03d", i);
    RecordingRecord r = MakeRecording(id, kT0Ms + i, "+48601000000");
    r.metadata_xml_last.assign(300'000, 'x');
    accepted += store->Enqueue(r) ? 1 : 0;
  }
  CHECK(accepted == 40);  // queued; the commit fails later, on the writer thread
  auto flushed = store->Flush(std::chrono::milliseconds(500));
  REQUIRE_FALSE(flushed.ok());
  CHECK_THAT(flushed.error().message, Catch::Contains("MDB_MAP_FULL"));
  CHECK(flushed.error().code == ErrorCode::kUnavailable);
  CHECK(store->MapFull());
  CHECK_FALSE(store->Healthy());
  auto stats = store->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->queue_depth == 40);  // nothing dropped
  CHECK(stats->commit_failures >= 1);
  // Queue capacity 50: ten more fit, then Enqueue refuses instead of growing memory.
  int more = 0;
  for (int i = 0; i < 20; ++i) {
    more += store->Enqueue(MakeRecording("01JDX0000000000000000000F" + std::to_string(i % 10),
                                         kT0Ms, "+48601000000"))
                ? 1
                : 0;
  }
  CHECK(more == 10);
  // What was committed before is intact and readable.
  auto got = store->Get(first.recording_id);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(**got == first);
}

TEST_CASE("store: a full map grows up to the configured maximum and commits everything") {
  TempDir tmp;
  StoreOptions options;
  options.map_size_bytes = 256 * 1024;
  options.max_map_size_bytes = 16 * 1024 * 1024;
  auto store = OpenWriter(StoreDir(tmp.path()), options);
  for (int i = 0; i < 200; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "01JDX00000000000000000G%03d", i);
    RecordingRecord r = MakeRecording(id, kT0Ms + i, "+48601000000");
    r.metadata_xml_last.assign(20'000, 'x');
    REQUIRE(store->Enqueue(r));
  }
  REQUIRE(store->Flush().ok());
  CHECK(store->Healthy());
  auto stats = store->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->recordings == 200);
  CHECK(stats->map_size_bytes > 256u * 1024);
  CHECK(stats->map_size_bytes <= 16u * 1024 * 1024);
}

TEST_CASE("store: readers in the daemon's own threads keep working while the map grows") {
  TempDir tmp;
  StoreOptions options;
  options.map_size_bytes = 256 * 1024;
  options.max_map_size_bytes = 64 * 1024 * 1024;
  options.max_batch = 20;  // many small commits, several map growths
  auto store = OpenWriter(StoreDir(tmp.path()), options);
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::atomic<uint64_t> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      size_t last = 0;
      while (!done.load()) {
        RecordingQuery q;
        q.number = "+48601000000";
        q.limit = 0;
        auto rows = store->Query(q);
        if (!rows.ok() || rows->size() < last) ++failures;
        if (rows.ok()) last = rows->size();
        ++reads;
      }
    });
  }
  for (int i = 0; i < 600; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "01JDX00000000000000000K%03d", i);
    RecordingRecord r = MakeRecording(id, kT0Ms + i, "+48601000000");
    r.metadata_xml_last.assign(8'000, 'x');
    REQUIRE(store->Enqueue(r));
  }
  // Readers that follow each other back to back must not keep the writer from growing the
  // map (lmdb_env.h, the resize gate): every write is committed in time.
  const Status flushed = store->Flush();
  done = true;
  for (auto& t : readers) t.join();
  INFO((flushed.ok() ? std::string() : flushed.error().message));
  REQUIRE(flushed.ok());
  CHECK(failures.load() == 0);
  CHECK(reads.load() > 0);
  auto stats = store->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->recordings == 600);
  CHECK(stats->map_size_bytes >= 4u * 1024 * 1024);  // grew at least four times
}

TEST_CASE("store: a database written by a newer schema is refused") {
  TempDir tmp;
  const auto dir = StoreDir(tmp.path());
  { OpenWriter(dir); }
  {
    // Pretend a future kronika wrote this database.
    MDB_env* env = nullptr;
    REQUIRE(mdb_env_create(&env) == 0);
    mdb_env_set_maxdbs(env, 8);
    REQUIRE(mdb_env_open(env, dir.c_str(), 0, 0640) == 0);
    MDB_txn* txn = nullptr;
    REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
    MDB_dbi meta;
    REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
    std::string k = "schema_version", v = "99";
    MDB_val key{k.size(), k.data()}, value{v.size(), v.data()};
    REQUIRE(mdb_put(txn, meta, &key, &value, 0) == 0);
    REQUIRE(mdb_txn_commit(txn) == 0);
    mdb_env_close(env);
  }
  for (bool read_only : {false, true}) {
    StoreOptions options;
    options.read_only = read_only;
    auto store = Store::Open(dir, options);
    REQUIRE_FALSE(store.ok());
    CHECK_THAT(store.error().message, Catch::Contains("schema version 99"));
  }
}

TEST_CASE("store: record codec refuses truncated bytes and unknown versions") {
  RecordingRecord rec = MakeRecording("01JDX0000000000000000000H1", kT0Ms, "+48601234567");
  std::string bytes = EncodeRecord(rec);
  auto back = DecodeRecord(bytes);
  REQUIRE(back.ok());
  CHECK(*back == rec);
  auto truncated = DecodeRecord(std::string_view(bytes).substr(0, bytes.size() / 2));
  REQUIRE_FALSE(truncated.ok());
  CHECK_THAT(truncated.error().message, Catch::Contains("truncated or malformed"));
  bytes[0] = 7;
  auto future = DecodeRecord(bytes);
  REQUIRE_FALSE(future.ok());
  CHECK_THAT(future.error().message, Catch::Contains("schema version 7"));
}

TEST_CASE("store: schema 2 keeps the metadata status, issues and received bytes; schema 1 records still read") {
  RecordingRecord rec = MakeRecording("01JDX0000000000000000000H2", kT0Ms, "+48601234567");
  rec.metadata_status = "partial";
  rec.metadata_issues = {{"empty_id", "the 1st <stream> has no stream_id (label 1)"},
                         {"invalid_bytes", "1 byte sequence(s) not valid UTF-8 replaced by U+FFFD"}};
  rec.metadata_xml_received = std::string("<recording>\xE9</recording>");
  const std::string v2 = EncodeRecord(rec);
  auto back = DecodeRecord(v2);
  REQUIRE(back.ok());
  CHECK(*back == rec);
  CHECK(back->schema_version == kRecordingSchemaVersion);

  // A record written by a schema-1 build: the same bytes up to legal_hold, version 1.
  RecordingRecord old = MakeRecording("01JDX0000000000000000000H3", kT0Ms, "+48601234567");
  old.metadata_status.clear();
  std::string v1 = EncodeRecord(old);
  // "" status, 0 issues, "" received: one byte each; the empty completeness of schema 3: 5.
  v1.resize(v1.size() - 3 - 5);
  v1[0] = 1;
  auto migrated = DecodeRecord(v1);
  REQUIRE(migrated.ok());
  CHECK(migrated->metadata_status.empty());  // never judged
  CHECK(migrated->metadata_issues.empty());
  CHECK(migrated->metadata_xml_last == old.metadata_xml_last);
  CHECK(migrated->participants == old.participants);
  CHECK(migrated->schema_version == kRecordingSchemaVersion);
  // A schema-1 record cut short is still refused with the field named.
  auto cut = DecodeRecord(std::string_view(v1).substr(0, v1.size() - 1));
  REQUIRE_FALSE(cut.ok());
  CHECK_THAT(cut.error().message, Catch::Contains("legal_hold"));
}

// A finished recording's verdict and evidence, as the session stores it (issue 14).
void AddCompleteness(RecordingRecord& r, const std::string& verdict) {
  r.verdict = verdict;
  r.completeness.media_start_ms_utc = r.start_ms_utc + 5;
  r.completeness.duration_ms = 95'495;
  LegEvidenceRecord leg;
  leg.mline_index = 1;
  leg.label = "2";
  leg.channel = 1;
  leg.active_to_ms = 95'495;
  leg.packets_expected = 4770;
  leg.packets_received = 4700;
  leg.packets_lost = 70;
  leg.packets_late = 3;
  leg.packets_foreign_source = 12;
  leg.packets_wrong_ssrc = 95;
  leg.first_packet_ms = 40;
  leg.last_packet_ms = 95'460;
  leg.gaps = {GapRecord{"loss", 20'000, 21'400, 70}, GapRecord{"declared", 50'000, 52'000, 0}};
  leg.gaps_omitted = 1;
  leg.gap_total_ms = 5'400;
  leg.pauses = {SpanRecord{60'000, 61'000}};
  leg.rms_dbfs = -23.5;
  leg.peak_dbfs = -3.25;
  leg.audio_ms = 93'000;
  leg.signal_ms = 41'000;
  leg.codecs = {"PCMA", "G722"};
  leg.latched_source = "[2001:db8::7]:40002";
  leg.sdp_source = "192.0.2.10:40002";
  leg.ssrc = 0xdeadbeef;
  leg.relatches = 2;
  r.completeness.legs = {LegEvidenceRecord{}, leg};
  r.completeness.findings = {FindingRecord{"gap", 1, 20'000, 21'400}, FindingRecord{"cut-short", -1, 95'495, 99'000}};
}

TEST_CASE("store: the completeness verdict and its evidence read back identical; older records have none") {
  TempDir tmp;
  RecordingRecord rec = MakeRecording("01JDX0000000000000000000V1", kT0Ms, "+48601234567");
  AddCompleteness(rec, "partial");
  {
    auto store = OpenWriter(StoreDir(tmp.path()));
    REQUIRE(store->Enqueue(rec));
    REQUIRE(store->Flush().ok());
    auto got = store->Get(rec.recording_id);
    REQUIRE(got.ok());
    REQUIRE(got->has_value());
    CHECK(**got == rec);
  }
  // A schema 2 record (before verdicts): the version 3 encoding of a record without them is
  // the version 2 bytes plus an empty completeness tail of 5 bytes (verdict "", start 0,
  // duration 0, no legs, no findings).
  RecordingRecord old = MakeRecording("01JDX0000000000000000000V2", kT0Ms, "+48601234567");
  std::string bytes = EncodeRecord(old);
  REQUIRE(bytes.substr(bytes.size() - 5) == std::string(5, '\0'));
  bytes.resize(bytes.size() - 5);
  bytes[0] = 2;
  auto v1 = DecodeRecord(bytes);
  REQUIRE(v1.ok());
  CHECK(v1->verdict.empty());
  CHECK(v1->completeness == CompletenessRecord{});
  CHECK(*v1 == old);
  // Every truncation of the evidence is named, never read as something else.
  const std::string full = EncodeRecord(rec);
  for (size_t cut = bytes.size() + 1; cut < full.size(); cut += 7) {
    auto cut_back = DecodeRecord(std::string_view(full).substr(0, cut));
    REQUIRE_FALSE(cut_back.ok());
    CHECK_THAT(cut_back.error().message, Catch::Contains("truncated or malformed"));
  }
}

TEST_CASE("store: query by completeness verdict") {
  TempDir tmp;
  auto store = OpenWriter(StoreDir(tmp.path()));
  const char* verdicts[] = {"complete", "one-way", "complete", "partial", "one-way", ""};
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "01JDX00000000000000000W%03d", i);
    RecordingRecord r = MakeRecording(id, kT0Ms + i * kMinuteMs, "+4860100000" + std::to_string(i));
    if (verdicts[i][0] != '\0') AddCompleteness(r, verdicts[i]);
    ids.push_back(id);
    REQUIRE(store->Enqueue(r));
  }
  REQUIRE(store->Flush().ok());
  RecordingQuery q;
  q.verdict = "one-way";
  CHECK(QueryIds(*store, q) == std::vector<std::string>{ids[1], ids[4]});
  q.verdict = "silent";
  CHECK(QueryIds(*store, q).empty());
  q.verdict = "complete";
  q.newest_first = true;
  CHECK(QueryIds(*store, q) == std::vector<std::string>{ids[2], ids[0]});
  QueryParams params;
  params.verdict = "one-way";
  auto made = MakeRecordingQuery(params);
  REQUIRE(made.ok());
  CHECK(made->verdict == "one-way");
  params.verdict = "oneway";
  auto bad = MakeRecordingQuery(params);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::StartsWith("verdict: expected complete|partial|one-way"));
}

TEST_CASE("store: invalid ids are refused at Enqueue") {
  TempDir tmp;
  auto store = OpenWriter(StoreDir(tmp.path()));
  CHECK_FALSE(store->Enqueue(MakeRecording("", kT0Ms, "+48601234567")));
  CHECK_FALSE(store->Enqueue(MakeRecording(std::string(200, 'A'), kT0Ms, "+48601234567")));
  CHECK(store->Healthy());
}

}  // namespace
}  // namespace kronika::srs
