// SEC-1 at start-up: a recording interrupted before any audio reached the disk has its
// sealed .part deleted by crash recovery, and its data key is shredded with it; keys of
// other recordings stay. Real RecordingKeys and sealed files in a temp dir.
// Issue 12 item 5: what recovery found is written into the store (real LMDB): duration,
// size, end time, state and verdict "interrupted", and counted in the finished metric.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <ogg/ogg.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "kronika/srs/atrest/recording_keys.h"
#include "crash_recovery.h"
#include "kronika/media/sealed_file.h"
#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/core/data_layout.h"
#include "kronika/srs/core/metrics.h"
#include "kronika/srs/store/store.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::kT0Ms;
using testing::MakeRecording;
using testing::TempDir;

// OpusHead and OpusTags on pages of their own, as the recorder writes them first (RFC 7845).
std::string OggOpusHeadersOnly() {
  ogg_stream_state os;
  ogg_stream_init(&os, 42);
  unsigned char head[19] = {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 2, 0x38, 0x01, 0x40, 0x1f, 0, 0, 0, 0, 0};
  unsigned char tags[16] = {'O', 'p', 'u', 's', 'T', 'a', 'g', 's', 0, 0, 0, 0, 0, 0, 0, 0};
  std::string out;
  int64_t packetno = 0;
  for (auto [data, size] : {std::pair{head, sizeof head}, std::pair{tags, sizeof tags}}) {
    ogg_packet op{};
    op.packet = data;
    op.bytes = static_cast<long>(size);
    op.b_o_s = packetno == 0;
    op.packetno = packetno++;
    ogg_stream_packetin(&os, &op);
    ogg_page page;
    while (ogg_stream_flush(&os, &page) != 0) {
      out.append(reinterpret_cast<const char*>(page.header), static_cast<size_t>(page.header_len));
      out.append(reinterpret_cast<const char*>(page.body), static_cast<size_t>(page.body_len));
    }
  }
  ogg_stream_clear(&os);
  return out;
}

// A sealed .part as a killed recorder leaves it: records written, no final record.
void WriteSealedPart(const std::filesystem::path& part, const std::string& dek, const std::string& plain) {
  std::filesystem::create_directories(part.parent_path());
  const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  auto writer = media::SealedWriter::Start(fd, dek, part);
  REQUIRE(writer.ok());
  REQUIRE((*writer)->Append(plain.data(), plain.size()).ok());
  REQUIRE((*writer)->Seal().ok());
  ::close(fd);
}

TEST_CASE("SEC-1 crash recovery shreds the data key of a recording it deletes for having no audio",
          "[access][SEC-1]") {
  TempDir dir;
  media::MediaConfig config;
  config.recordings_dir = dir.path() / "recordings";
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), RandomBytes(kAesKeyBytes));
  auto dek = keys.Create("EMPTY1");
  REQUIRE(dek.ok());
  REQUIRE(keys.Create("DONE1").ok());  // a finished recording: no .part, key must stay
  const auto part = config.recordings_dir / "2026/11/25/EMPTY1.opus.part";
  WriteSealedPart(part, *dek, OggOpusHeadersOnly());
  REQUIRE(keys.Has("EMPTY1"));

  const std::vector<media::RepairedRecording> repaired = RecoverInterruptedRecordings(config, &keys);

  CHECK(repaired.empty());
  CHECK_FALSE(std::filesystem::exists(part));
  CHECK_FALSE(std::filesystem::exists(part.parent_path() / "EMPTY1.opus.kenc"));
  CHECK_FALSE(keys.Has("EMPTY1"));
  CHECK_FALSE(std::filesystem::exists(RecordingKeys::DefaultDir(dir.path()) / "EMPTY1.dek"));
  CHECK(keys.Has("DONE1"));
  CHECK(keys.Get("DONE1").ok());
}

TEST_CASE("SEC-1 crash recovery leaves the key of a sealed .part it cannot read", "[access][SEC-1]") {
  TempDir dir;
  media::MediaConfig config;
  config.recordings_dir = dir.path() / "recordings";
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), RandomBytes(kAesKeyBytes));
  auto dek = keys.Create("OTHERKEY1");
  REQUIRE(dek.ok());
  // Sealed under a different key: recovery cannot authenticate it, so it must keep both the
  // file and the recording's key for a human to look at.
  const auto part = config.recordings_dir / "2026/11/25/OTHERKEY1.opus.part";
  WriteSealedPart(part, RandomBytes(kAesKeyBytes), OggOpusHeadersOnly());

  CHECK(RecoverInterruptedRecordings(config, &keys).empty());
  CHECK(std::filesystem::exists(part));
  CHECK(keys.Has("OTHERKEY1"));
}

TEST_CASE("recovery writes the recovered duration, size and end time into the store and counts the verdict",
          "[store]") {
  TempDir dir;
  StoreOptions options;
  options.max_batch_delay = std::chrono::milliseconds(1);
  auto opened = Store::Open(StoreDir(dir.path()), options);
  REQUIRE(opened.ok());
  Store& store = **opened;
  // As the killed process left them: one active (its last snapshot), one already finished.
  RecordingRecord live = MakeRecording("01JDX0000000000000000000K1", kT0Ms, "+48601234567");
  live.state = RecordingState::kActive;
  live.end_ms_utc = 0;
  live.file_bytes = 0;
  live.duration_s = 0;
  live.verdict.clear();
  live.metadata_status = "complete";
  RecordingRecord done = MakeRecording("01JDX0000000000000000000K2", kT0Ms, "+48601234568");
  REQUIRE(store.Enqueue(live));
  REQUIRE(store.Enqueue(done));
  REQUIRE(store.Flush().ok());

  const std::string no_row_id = "01JDX0000000000000000000K3";  // killed before its first commit
  std::vector<media::RepairedRecording> repaired = {
      {live.recording_id, "/data/recordings/2026/11/25/" + live.recording_id + ".opus", 61.54, 123457},
      {done.recording_id, "/data/recordings/2026/11/25/" + done.recording_id + ".opus", 1.0, 999},
      {no_row_id, "/data/recordings/2026/11/25/" + no_row_id + ".opus", 2.5, 4000},
  };
  Metrics metrics;
  CHECK(RecordRecoveredRecordings(store, repaired, &metrics) == 2);
  REQUIRE(store.Flush().ok());

  auto got = store.Get(live.recording_id);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  const RecordingRecord& r = **got;
  CHECK(r.state == RecordingState::kInterrupted);
  CHECK(r.verdict == "interrupted");
  CHECK(r.duration_s == Approx(61.54));
  CHECK(r.file_bytes == 123457);
  CHECK(r.end_ms_utc == kT0Ms + 61540);
  CHECK(r.file_path == live.file_path);  // unchanged: the same file, repaired in place
  REQUIRE_FALSE(r.timeline.empty());
  CHECK(r.timeline.back().kind == "interrupted");
  CHECK(r.timeline.back().time_ms_utc == kT0Ms + 61540);

  auto untouched = store.Get(done.recording_id);
  REQUIRE(untouched.ok());
  REQUIRE(untouched->has_value());
  CHECK(**untouched == done);  // a finished record is not rewritten

  auto orphan = store.Get(no_row_id);
  REQUIRE(orphan.ok());
  REQUIRE(orphan->has_value());
  CHECK((*orphan)->state == RecordingState::kInterrupted);
  CHECK((*orphan)->file_path == repaired[2].file.string());
  CHECK((*orphan)->file_bytes == 4000);
  CHECK((*orphan)->start_ms_utc > 0);
  CHECK((*orphan)->end_ms_utc == (*orphan)->start_ms_utc + 2500);

  const std::string text = metrics.Render();
  INFO(text);
  CHECK(text.find(std::string(kMetricRecordingsFinished) + "{state=\"interrupted\",verdict=\"interrupted\"} 2") !=
        std::string::npos);
}

}  // namespace
}  // namespace kronika::srs
