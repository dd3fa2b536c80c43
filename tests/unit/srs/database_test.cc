// The data directory's one LMDB environment (database.h) on real files: scoped
// transactions, MAP_RESIZED from another process, map growth, bad rows, online copies.
#include "kronika/srs/store/database.h"

#include <lmdb.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "kronika/srs/store/record_codec.h"
#include "kronika/srs/store/store.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::kT0Ms;
using testing::MakeRecording;
using testing::TempDir;

// A codec for the tests: v1 = a string and a signed number.
struct Pair {
  std::string text;
  int64_t number = 0;
};
struct PairCodec {
  using Record = Pair;
  static std::string Encode(const Pair& p) {
    RecordWriter w;
    w.U(1);
    w.Str(p.text);
    w.S(p.number);
    return w.Take();
  }
  static Result<Pair> Decode(std::string_view, std::string_view bytes) {
    RecordReader r(bytes);
    uint64_t version = 0;
    if (!r.U(version)) return MalformedRow("test.pairs", "version");
    if (version != 1) return UnknownRowVersion("test.pairs", version, 1);
    Pair p;
    if (!r.Str(p.text)) return MalformedRow("test.pairs", "text");
    if (!r.S(p.number)) return MalformedRow("test.pairs", "number");
    return p;
  }
};

std::shared_ptr<Database> OpenDb(const std::filesystem::path& dir, DatabaseOptions options = {}) {
  auto db = Database::Open(dir, options);
  REQUIRE(db.ok());
  return *db;
}

TEST_CASE("store: a write function that throws or fails leaves no transaction open") {
  TempDir tmp;
  auto db = OpenDb(StoreDir(tmp.path()));
  Table t = db->OpenTable("test.pairs").value();
  CHECK_THROWS_AS(db->Write([&](WriteTxn& txn) -> Status {
    REQUIRE(txn.Put(t, "a", "1").ok());
    throw std::runtime_error("handler bug");
  }),
                  std::runtime_error);
  Status failed = db->Write([&](WriteTxn& txn) -> Status {
    REQUIRE(txn.Put(t, "b", "2").ok());
    return MakeError(ErrorCode::kConflict, "refused");
  });
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == ErrorCode::kConflict);
  // Another thread's writer is not blocked by either, and neither row was committed.
  std::atomic<bool> done{false};
  std::thread writer([&] {
    CHECK(db->Write([&](WriteTxn& txn) { return txn.Put(t, "c", "3"); }).ok());
    done = true;
  });
  for (int i = 0; i < 200 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(done);
  writer.join();
  REQUIRE(db->Read([&](const ReadTxn& txn) -> Status {
                CHECK_FALSE(txn.Get(t, "a")->has_value());
                CHECK_FALSE(txn.Get(t, "b")->has_value());
                CHECK(txn.Get(t, "c")->value_or("") == "3");
                return OkStatus();
              }).ok());
}

TEST_CASE("store: one instance per environment per process") {
  TempDir tmp;
  auto a = OpenDb(StoreDir(tmp.path()));
  auto b = OpenDb(StoreDir(tmp.path()) / "." );
  CHECK(a.get() == b.get());
  DatabaseOptions ro;
  ro.read_only = true;
  CHECK(OpenDb(StoreDir(tmp.path()), ro).get() == a.get());  // read-write serves readers too
}

TEST_CASE("store: rows a codec refuses are skipped, reported once and counted per table") {
  TempDir tmp;
  auto db = OpenDb(StoreDir(tmp.path()));
  Table t = db->OpenTable("test.pairs").value();
  Table personal = db->OpenTable("test.numbers", TableOptions{true}).value();
  REQUIRE(db->Write([&](WriteTxn& txn) -> Status {
              RETURN_IF_ERROR(txn.PutRecord<PairCodec>(t, "1", Pair{"one", 1}));
              RETURN_IF_ERROR(txn.Put(t, "2", std::string("\x01\x05tw", 4)));  // truncated string
              RETURN_IF_ERROR(txn.Put(t, "3", std::string("\x09", 1)));        // a future version
              RETURN_IF_ERROR(txn.PutRecord<PairCodec>(t, "4", Pair{"four", -4}));
              return txn.Put(personal, "+48601234567", "");
            }).ok());
  std::vector<std::string> seen;
  auto scan = [&] {
    seen.clear();
    REQUIRE(db->Read([&](const ReadTxn& txn) {
                  return txn.ScanRecords<PairCodec>(t, [&](std::string_view, Pair&& p) {
                    seen.push_back(p.text);
                    return true;
                  });
                }).ok());
  };
  scan();
  scan();  // a second pass reports nothing new
  CHECK(seen == std::vector<std::string>{"one", "four"});
  CHECK(db->bad_rows().Counts().at("test.pairs") == 2);
  CHECK(db->bad_rows().Counts().at("test.numbers") == 0);
  Result<std::optional<Pair>> bad = Result<std::optional<Pair>>(std::optional<Pair>());
  REQUIRE(db->Read([&](const ReadTxn& txn) -> Status {
                bad = txn.GetRecord<PairCodec>(t, "3");
                return OkStatus();
              }).ok());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kCorrupt);
  CHECK_THAT(bad.error().message, Catch::Contains("schema version 9"));
  CHECK(db->bad_rows().Total() == 2);
}

TEST_CASE("store: the map grows on MDB_MAP_FULL and the write function runs again") {
  TempDir tmp;
  DatabaseOptions options;
  options.map_size_bytes = 256 * 1024;
  options.max_map_size_bytes = 64 << 20;
  auto db = OpenDb(StoreDir(tmp.path()), options);
  Table t = db->OpenTable("test.blobs").value();
  const std::string blob(4000, 'x');
  for (int batch = 0; batch < 20; ++batch) {
    int runs = 0;
    REQUIRE(db->Write([&](WriteTxn& txn) -> Status {
                  ++runs;
                  for (int i = 0; i < 100; ++i) {
                    RETURN_IF_ERROR(txn.Put(t, std::to_string(batch * 1000 + i), blob));
                  }
                  return OkStatus();
                }).ok());
  }
  REQUIRE(db->Read([&](const ReadTxn& txn) -> Status {
                CHECK(*txn.Count(t) == 2000);
                return OkStatus();
              }).ok());
  CHECK(db->Stats()->map_size_bytes > 256u * 1024);
}

// Opens the environment in `dir` in this (child) process with a map of `map_bytes` and
// writes `rows` rows of 4 KiB into `table`, committing every 100: what another process
// (an older kronika, mdb_load) does when it grows the map.
int GrowFromAnotherProcess(const std::filesystem::path& dir, size_t map_bytes, int rows) {
  MDB_env* env = nullptr;
  if (mdb_env_create(&env) != 0) return 10;
  mdb_env_set_maxdbs(env, 32);
  mdb_env_set_mapsize(env, map_bytes);
  if (mdb_env_open(env, dir.c_str(), MDB_NOTLS, 0640) != 0) return 11;
  const std::string blob(4096, 'y');
  for (int i = 0; i < rows; i += 100) {
    MDB_txn* txn = nullptr;
    if (mdb_txn_begin(env, nullptr, 0, &txn) != 0) return 12;
    MDB_dbi dbi = 0;
    if (mdb_dbi_open(txn, "test.filler", MDB_CREATE, &dbi) != 0) return 13;
    for (int j = i; j < i + 100; ++j) {
      std::string k = std::to_string(j);
      MDB_val key{k.size(), k.data()}, value{blob.size(), const_cast<char*>(blob.data())};
      if (mdb_put(txn, dbi, &key, &value, 0) != 0) return 14;
    }
    if (mdb_txn_commit(txn) != 0) return 15;
  }
  mdb_env_close(env);
  return 0;
}

TEST_CASE("store: another process grows the map while the daemon writes: its writers and readers adopt the size") {
  TempDir tmp;
  const auto dir = StoreDir(tmp.path());
  DatabaseOptions options;
  options.map_size_bytes = 2 << 20;  // 2 MiB: the other process writes ~20 MiB
  options.max_map_size_bytes = 2 << 20;  // and this one may not grow by itself
  auto db = OpenDb(dir, options);
  StoreOptions store_options;
  store_options.max_batch_delay = std::chrono::milliseconds(1);
  auto store = Store::Open(db, store_options).value();
  Table t = db->OpenTable("test.pairs").value();
  REQUIRE(store->Enqueue(MakeRecording("01JDX0000000000000000000R0", kT0Ms, "+48601234567")));
  REQUIRE(store->Flush().ok());

  std::fflush(nullptr);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) _exit(GrowFromAnotherProcess(dir, 64 << 20, 5000));
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  // The recordings writer (the daemon's store thread), a table writer and a reader.
  for (int i = 1; i <= 50; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "01JDX0000000000000000000R%c", static_cast<char>('0' + i % 10));
    REQUIRE(store->Enqueue(MakeRecording(id + std::to_string(i), kT0Ms + i, "+48601234567")));
  }
  Status flushed = store->Flush(std::chrono::seconds(10));
  INFO((flushed.ok() ? "" : flushed.error().message));
  CHECK(flushed.ok());
  CHECK(store->Healthy());
  CHECK(db->Write([&](WriteTxn& txn) { return txn.PutRecord<PairCodec>(t, "k", Pair{"after", 1}); }).ok());
  RecordingQuery all;
  all.limit = 0;
  auto rows = store->Query(all);
  REQUIRE(rows.ok());
  CHECK(rows->size() == 51);
  CHECK(db->Stats()->map_size_bytes >= 20u << 20);
}

TEST_CASE("store: an online copy is consistent and compacted while writers go on") {
  TempDir tmp;
  auto db = OpenDb(StoreDir(tmp.path()));
  Table t = db->OpenTable("test.pairs").value();
  REQUIRE(db->Write([&](WriteTxn& txn) -> Status {
                for (int i = 0; i < 1000; ++i) RETURN_IF_ERROR(txn.PutRecord<PairCodec>(t, std::to_string(i), Pair{"v", i}));
                return OkStatus();
              }).ok());
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      (void)db->Write([&](WriteTxn& txn) { return txn.PutRecord<PairCodec>(t, "w" + std::to_string(i), Pair{"w", i}); });
    }
  });
  const auto copy_dir = tmp.path() / "backup" / "db";
  std::filesystem::create_directories(copy_dir);
  Status copied = db->CopyTo(copy_dir);
  stop = true;
  writer.join();
  REQUIRE(copied.ok());
  CHECK_FALSE(db->CopyTo(copy_dir).ok());  // never over an existing copy
  // The copy opens on its own (another directory, another environment) and holds the rows.
  DatabaseOptions ro;
  ro.read_only = true;
  auto copy = OpenDb(copy_dir, ro);
  Table ct = copy->OpenTable("test.pairs").value();
  REQUIRE(copy->Read([&](const ReadTxn& txn) -> Status {
                uint64_t base = 0;
                RETURN_IF_ERROR(txn.Scan(ct, [&](std::string_view key, std::string_view) {
                  base += key[0] != 'w' ? 1 : 0;
                  return true;
                }));
                CHECK(base == 1000);
                return OkStatus();
              }).ok());
}

}  // namespace
}  // namespace kronika::srs
