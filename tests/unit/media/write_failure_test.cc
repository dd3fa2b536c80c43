// Issue 12 item 5: a recording stopped by a write error is closed as a playable file at
// once (not left as .opus.part until the next start), leaves recordings_active, keeps its
// RTP ports until Close and releases them there. The write error is the kernel's own:
// RLIMIT_FSIZE makes write(2) fail with EFBIG past a size, as ENOSPC does on a full disk
// (the daemon's ENOSPC is tested on a real full tmpfs in tests/integration/media).
#include <catch2/catch.hpp>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "audio_test_util.h"
#include "kronika/media/media_engine.h"
#include "kronika/media/sealed_file.h"
#include "media_test_util.h"
#include "ogg_opus_writer.h"
#include "opus_frame_encoder.h"
#include "recording_recovery.h"

namespace kronika::media {
namespace {

using testing::DecodeOpusFile;
using testing::DominantFrequency;
using testing::TempDir;
using testing::ToneSample;

// Caps the size of any file this process writes (write(2) fails with EFBIG beyond it,
// SIGXFSZ ignored) for the lifetime of the guard.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ok_ = setrlimit(RLIMIT_FSIZE, &limit) == 0;
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    signal(SIGXFSZ, old_handler_);
  }
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  sighandler_t old_handler_ = SIG_DFL;
  bool ok_ = false;
};

std::optional<MediaEvent> WaitForEvent(MediaEngine& engine, const std::string& id, MediaEventKind kind,
                                       std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{engine.event_fd(), POLLIN, 0};
    poll(&p, 1, 50);
    for (MediaEvent& e : engine.TakeEvents()) {
      if (e.recording_id == id && e.kind == kind) return std::move(e);
    }
  }
  return std::nullopt;
}

std::vector<std::filesystem::path> FilesEndingWith(const std::filesystem::path& dir, const std::string& suffix) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.path().filename().string().ends_with(suffix)) out.push_back(e.path());
  }
  return out;
}

// Writes `seconds` of 440/1000 Hz stereo without finishing (sealed under `key` unless it is
// empty); returns the .part path.
std::filesystem::path WriteUnfinished(const std::filesystem::path& dir, const std::string& id, double seconds,
                                      const std::string& key = "") {
  auto enc = OpusFrameEncoder::Create(8000, 2, 16000, 0);
  REQUIRE(enc.ok());
  const auto part = dir / (id + kPartSuffix);
  auto writer = OggOpusWriter::Create(part, {2, 8000, (*enc)->pre_skip_48k(), id}, 42, key);
  REQUIRE(writer.ok());
  std::vector<int16_t> pcm(320);
  std::vector<uint8_t> packet;
  int64_t n = 0;
  for (int f = 0; f < static_cast<int>(seconds * 50); ++f) {
    for (int i = 0; i < 160; ++i, ++n) {
      pcm[static_cast<size_t>(2 * i)] = ToneSample(440, n, 8000);
      pcm[static_cast<size_t>(2 * i + 1)] = ToneSample(1000, n, 8000);
    }
    REQUIRE((*enc)->Encode(pcm.data(), packet).ok());
    REQUIRE((*writer)->WritePacket(packet.data(), packet.size(), 960).ok());
  }
  return part;
}

TEST_CASE("A .part cut by a write error is closed in place as a playable file up to its last whole page") {
  const auto dir = TempDir("salvage_torn");
  const auto part = WriteUnfinished(dir, "torn-write", 4.0);
  const auto full_size = std::filesystem::file_size(part);
  // A short write: the last page only half on disk.
  std::filesystem::resize_file(part, full_size - 60);

  auto kept = SalvagePartFile(part);
  REQUIRE(kept.ok());
  CHECK_FALSE(std::filesystem::exists(part));
  CHECK(kept->file == dir / "torn-write.opus");
  CHECK(kept->file_bytes == std::filesystem::file_size(kept->file));
  CHECK(kept->file_bytes < full_size - 60);  // the torn page is cut off, nothing rewritten
  // 4 s written, flushed every kMaxUnflushedAudioMs; the torn last page is lost.
  CHECK(kept->duration_s > 4.0 - 2 * kMaxUnflushedAudioMs / 1000.0 - 0.1);
  CHECK(kept->duration_s < 4.0);
  const auto audio = DecodeOpusFile(kept->file);
  REQUIRE(audio.ok);
  CHECK(audio.duration_s() == Approx(kept->duration_s).margin(0.021));
  CHECK(DominantFrequency(audio.Channel(0, 0.5, 2.5), {440, 1000}) == 440);
  CHECK(DominantFrequency(audio.Channel(1, 0.5, 2.5), {440, 1000}) == 1000);
  std::string info;
  CHECK(testing::OpusinfoAccepts(kept->file, &info));  // end-of-stream page, CRCs right
  INFO(info);
  std::filesystem::remove_all(dir);
}

TEST_CASE("A .part with nothing but its headers cannot be salvaged") {
  const auto dir = TempDir("salvage_empty");
  const auto part = WriteUnfinished(dir, "no-audio", 0.1);  // below one flush: headers only
  auto kept = SalvagePartFile(part);
  REQUIRE_FALSE(kept.ok());
  CHECK(kept.error().message.ends_with("no complete audio page"));
  CHECK(std::filesystem::exists(part));  // the caller decides (the finisher deletes it)
  std::filesystem::remove_all(dir);
}

TEST_CASE("SEC-1: a sealed .part cut by a write error is closed into a sealed, finished .opus.kenc") {
  const auto dir = TempDir("salvage_sealed");
  const std::string key(32, '\x5a');
  const auto part = WriteUnfinished(dir, "sealed-write", 3.0, key);
  auto kept = SalvagePartFile(part, [&key](const std::string& id) -> Result<std::string> {
    CHECK(id == "sealed-write");
    return key;
  });
  REQUIRE(kept.ok());
  CHECK(kept->sealed);
  CHECK_FALSE(std::filesystem::exists(part));
  CHECK(kept->file == dir / "sealed-write.opus.kenc");
  CHECK(kept->file_bytes == std::filesystem::file_size(kept->file));
  CHECK(kept->duration_s > 3.0 - 2 * kMaxUnflushedAudioMs / 1000.0 - 0.1);
  auto reader = SealedReader::Open(kept->file, key);  // a final record: a finished file
  REQUIRE(reader.ok());
  CHECK((*reader)->Read(0, 4).value() == "OggS");
  std::filesystem::remove_all(dir);
}

TEST_CASE("A write error stops the recording: playable file at once, active gauge falls, ports kept until Close") {
  const MediaConfig config = testing::TestEngineConfig("write_failure", 33400);
  auto started = MediaEngine::Start(config);
  REQUIRE(started.ok());
  MediaEngine& engine = **started;
  auto opened = engine.Open(testing::StereoPcmuSpec("disk-full-1"));
  REQUIRE(opened.ok());
  const auto started_by = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (engine.Stats().recordings_active == 0 && std::chrono::steady_clock::now() < started_by) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the worker takes the command
  }
  CHECK(engine.Stats().recordings_active == 1);
  {
    // 16 kbit/s is ~2 KB/s: about 2 s fit in 5000 bytes, the 4 s sent do not.
    FileSizeLimit limit(5000);
    REQUIRE(limit.ok());
    testing::SendTonePair(opened->local_ports[0], opened->local_ports[1], 200, 440, 1000);
    std::optional<MediaEvent> failed =
        WaitForEvent(engine, "disk-full-1", MediaEventKind::kFailed, std::chrono::seconds(5));
    REQUIRE(failed.has_value());
    INFO(failed->detail);
    CHECK(failed->detail.find("File too large") != std::string::npos);
    // Closed before Close: no .part waits for the next start.
    CHECK(FilesEndingWith(config.recordings_dir, ".part").empty());
    REQUIRE(failed->salvaged_file.filename() == "disk-full-1.opus");
    REQUIRE(std::filesystem::exists(failed->salvaged_file));
    CHECK(failed->file_bytes == std::filesystem::file_size(failed->salvaged_file));
    CHECK(failed->file_bytes <= 5000);
    CHECK(failed->duration_s > 1.0);
    CHECK(failed->duration_s < 3.0);
    const auto audio = DecodeOpusFile(failed->salvaged_file);
    REQUIRE(audio.ok);
    CHECK(audio.duration_s() == Approx(failed->duration_s).margin(0.021));
    CHECK(DominantFrequency(audio.Channel(0, 0.3, 0.9), {440, 1000}) == 440);
    CHECK(DominantFrequency(audio.Channel(1, 0.3, 0.9), {440, 1000}) == 1000);
    std::string info;
    CHECK(testing::OpusinfoAccepts(failed->salvaged_file, &info));
    INFO(info);
  }
  const MediaStats during = engine.Stats();
  CHECK(during.recordings_active == 0);
  CHECK(during.recordings_failed_total == 1);
  CHECK(during.file_write_errors_total == 1);
  CHECK(during.rtp_ports_in_use == 2);  // the SRC may still send: not handed to another call yet

  engine.Close("disk-full-1");
  CHECK_FALSE(WaitForEvent(engine, "disk-full-1", MediaEventKind::kFinished, std::chrono::milliseconds(500)));
  const MediaStats after = engine.Stats();
  CHECK(after.rtp_ports_in_use == 0);
  CHECK(after.recordings_active == 0);  // not below zero: counted down once
  std::filesystem::remove_all(config.recordings_dir);
}

}  // namespace
}  // namespace kronika::media
