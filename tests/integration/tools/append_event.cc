// kronika-test-append-event: commits events into a data directory's outbox from outside the
// daemon, as a second process would, so that the tests of the pull feed (GET /api/v1/events,
// `kronika events --follow`) see events commit while they wait - before any state change
// of the daemon emits one.
//
//   kronika-test-append-event DATA_DIR NODE TYPE RECORDING_ID [COUNT] [PERSONAL_JSON]
//
// Appends COUNT (default 1) events of TYPE ("" RECORDING_ID: a node event) with data
// {"test": true} and PERSONAL_JSON (default {"numbers": ["+48221234567"]}) in one LMDB write
// transaction, and prints the last sequence. The daemon holds the data directory's lock, so
// this opens the LMDB environment directly (LMDB serialises writers across processes) and
// writes rows in the outbox's own codec (EventCodec), each the last sequence + 1. A test
// tool only: Kronika itself writes a data directory from its owner process alone.
#include <lmdb.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kronika/srs/core/data_layout.h"
#include "kronika/srs/core/event.h"
#include "kronika/srs/store/event_outbox.h"

namespace {

std::string BigEndian(uint64_t seq) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[static_cast<size_t>(i)] = static_cast<char>(seq & 0xff);
    seq >>= 8;
  }
  return key;
}

uint64_t FromBigEndian(const MDB_val& v) {
  uint64_t seq = 0;
  const auto* bytes = static_cast<const unsigned char*>(v.mv_data);
  for (size_t i = 0; i < v.mv_size; ++i) seq = (seq << 8) | bytes[i];
  return seq;
}

int Fail(const char* what, int rc) {
  std::fprintf(stderr, "kronika-test-append-event: %s: %s\n", what, mdb_strerror(rc));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s DATA_DIR NODE TYPE RECORDING_ID [COUNT] [PERSONAL_JSON]\n", argv[0]);
    return 2;
  }
  const std::string node = argv[2], type = argv[3], recording_id = argv[4];
  const int count = argc > 5 ? std::atoi(argv[5]) : 1;
  const std::string personal = argc > 6 ? argv[6] : R"({"numbers":["+48221234567"]})";
  if (!kronika::srs::IsEventType(type) || count < 1) {
    std::fprintf(stderr, "kronika-test-append-event: bad type or count\n");
    return 2;
  }
  const std::string dir = kronika::srs::StoreDir(argv[1]).string();
  MDB_env* env = nullptr;
  mdb_env_create(&env);
  mdb_env_set_maxdbs(env, 64);
  mdb_env_set_maxreaders(env, 512);
  int rc = mdb_env_open(env, dir.c_str(), MDB_NOTLS, 0600);
  if (rc != 0) return Fail("mdb_env_open", rc);
  MDB_txn* txn = nullptr;
  rc = mdb_txn_begin(env, nullptr, 0, &txn);
  if (rc != 0) return Fail("mdb_txn_begin", rc);
  MDB_dbi dbi;
  rc = mdb_dbi_open(txn, kronika::srs::kEventsTable, MDB_CREATE, &dbi);
  if (rc != 0) return Fail("mdb_dbi_open", rc);
  uint64_t seq = 0;
  MDB_cursor* cursor = nullptr;
  mdb_cursor_open(txn, dbi, &cursor);
  MDB_val key{}, value{};
  if (mdb_cursor_get(cursor, &key, &value, MDB_LAST) == 0) seq = FromBigEndian(key);
  mdb_cursor_close(cursor);
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  for (int i = 0; i < count; ++i) {
    kronika::srs::Event e;
    e.seq = ++seq;
    e.id = kronika::srs::EventId(node, e.seq);
    e.type = type;
    e.time_ms_utc = now_ms;
    e.node = node;
    e.recording_id = recording_id;
    e.data_json = R"({"test":true})";
    e.personal_json = personal;
    std::string k = BigEndian(e.seq), v = kronika::srs::EventCodec::Encode(e);
    MDB_val mk{k.size(), k.data()}, mv{v.size(), v.data()};
    rc = mdb_put(txn, dbi, &mk, &mv, MDB_APPEND);
    if (rc != 0) return Fail("mdb_put", rc);
  }
  rc = mdb_txn_commit(txn);
  if (rc != 0) return Fail("mdb_txn_commit", rc);
  mdb_env_close(env);
  std::printf("%llu\n", static_cast<unsigned long long>(seq));
  return 0;
}
