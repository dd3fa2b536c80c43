// KeyFileSyncer (issue 13 item 4, SEC-1): the SIP thread takes data keys from a pool in
// memory; kr-keysync writes and fsyncs each recording's wrapped key file; Discard shreds.
#include "kronika/srs/atrest/key_file_syncer.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <string>
#include <thread>

#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/atrest/recording_keys.h"
#include "kronika/fault_injection.h"
#include "kronika/thread_role.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::TempDir;

TEST_CASE("key pool: Create hands out a fresh key with no disk I/O, kr-keysync makes its file durable", "[SEC-1]") {
  TempDir dir;
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), RandomBytes(kAesKeyBytes));
  KeyFileSyncer syncer(keys);
  for (int i = 0; i < 1000 && syncer.pooled() < kDataKeyPoolSize; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(syncer.pooled() == kDataKeyPoolSize);  // filled at start, before any INVITE
  std::set<std::string> seen;
  bool marked = false;
  int failed = 0;
  std::thread sip_thread([&] {  // Catch's assertions are not thread-safe: checked after join
    // As the SIP thread serves: a debug build aborts on any key file I/O on this thread.
    const DiskIoForbidden no_disk_io("the test's SIP thread");
    marked = DiskIoForbiddenHere();
    for (int i = 0; i < 200; ++i) {  // a burst larger than the pool
      Result<std::string> dek = syncer.Create("01POOL" + std::to_string(i));
      if (!dek.ok() || dek->size() != kAesKeyBytes) ++failed;
      if (dek.ok()) seen.insert(*dek);
    }
  });
  sip_thread.join();
  CHECK(marked);
  CHECK_FALSE(DiskIoForbiddenHere());  // the mark is the other thread's only
  CHECK(failed == 0);
  CHECK(seen.size() == 200);  // every key distinct, from the pool or made in memory
  syncer.Drain();
  for (int i = 0; i < 200; ++i) {
    Result<std::string> stored = keys.Get("01POOL" + std::to_string(i));
    REQUIRE(stored.ok());
    CHECK(seen.count(*stored) == 1);
  }
  CHECK(syncer.pool_misses() <= 200 - kDataKeyPoolSize);  // the first kDataKeyPoolSize came from the pool
  CHECK(syncer.Create("../etc").error().code == ErrorCode::kInvalidInput);
}

TEST_CASE("key pool: a discarded key is shredded, or never written when still queued", "[SEC-1]") {
  TempDir dir;
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), RandomBytes(kAesKeyBytes));
  {
    KeyFileSyncer syncer(keys);
    REQUIRE(syncer.Create("01KEEP").ok());
    REQUIRE(syncer.Create("01DROP").ok());
    syncer.Discard("01DROP");  // media refused the recording
    REQUIRE(syncer.Create("01LATE").ok());
    syncer.Drain();
    syncer.Discard("01LATE");  // written by now: shredded
    syncer.Drain();
  }
  CHECK(keys.Has("01KEEP"));
  CHECK_FALSE(keys.Has("01DROP"));
  CHECK_FALSE(keys.Has("01LATE"));
}

TEST_CASE("key pool: the destructor writes every queued key file", "[SEC-1]") {
  TempDir dir;
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), RandomBytes(kAesKeyBytes));
  std::string dek;
  {
    KeyFileSyncer syncer(keys);
    dek = *syncer.Create("01LAST");
  }
  Result<std::string> stored = keys.Get("01LAST");
  REQUIRE(stored.ok());
  CHECK(*stored == dek);
}

TEST_CASE("key pool: KeyStored says when a key file is durable, and why it will not be", "[SEC-1]") {
  TempDir dir;
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), RandomBytes(kAesKeyBytes));
  KeyFileSyncer syncer(keys);
  REQUIRE(syncer.Create("01GOOD").ok());
  syncer.Drain();
  CHECK(*syncer.KeyStored("01GOOD"));  // the media engine may write its sealed bytes now
  kronika::testing::ArmFault(kKeySyncerThreadName, 1);  // the next key file write throws
  REQUIRE(syncer.Create("01LOST").ok());
  syncer.Drain();
  Result<bool> lost = syncer.KeyStored("01LOST");
  REQUIRE_FALSE(lost.ok());  // the media engine fails that recording instead of writing it
  CHECK(lost.error().message.find("data key not stored") != std::string::npos);
  CHECK_FALSE(keys.Has("01LOST"));
}

}  // namespace
}  // namespace kronika::srs
