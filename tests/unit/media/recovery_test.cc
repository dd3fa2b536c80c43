// Crash safety: files cut at any byte are repaired up to the cut; a recording process
// killed with SIGKILL leaves a .part that RecoverInterrupted turns into a playable file.
#include "recording_recovery.h"

#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "audio_test_util.h"
#include "media_test_util.h"
#include "kronika/media/media_engine.h"
#include "ogg_opus_writer.h"
#include "opus_frame_encoder.h"
#include "rtp_test_sender.h"

namespace kronika::media {
namespace {

using testing::DecodeOpusFile;
using testing::DominantFrequency;
using testing::TempDir;
using testing::ToneSample;

// Writes `seconds` of 440/1000 Hz stereo without finishing; returns the .part path.
std::filesystem::path WriteUnfinished(const std::filesystem::path& dir, const std::string& id, double seconds) {
  auto enc = OpusFrameEncoder::Create(8000, 2, 16000, 0);
  REQUIRE(enc.ok());
  const auto part = dir / (id + kPartSuffix);
  auto writer = OggOpusWriter::Create(part, {2, 8000, (*enc)->pre_skip_48k(), id}, 42);
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
  return part;  // the writer's destructor closes the fd without an end-of-stream page
}

TEST_CASE("A file cut in the middle of a page keeps every complete page before the cut") {
  const auto dir = TempDir("torn");
  const auto part = WriteUnfinished(dir, "torn", 5.0);
  const auto full_size = std::filesystem::file_size(part);
  // Cut 100 bytes into the last written page: that page is lost, the rest is kept.
  std::filesystem::resize_file(part, full_size - 100);
  auto recovered = RecoverPartFile(part);
  REQUIRE(recovered.ok());
  CHECK_FALSE(std::filesystem::exists(part));
  CHECK(recovered->file == dir / "torn.opus");
  CHECK(recovered->duration_s > 2.9);
  CHECK(recovered->duration_s < 4.1);
  const auto audio = DecodeOpusFile(recovered->file);
  REQUIRE(audio.ok);
  CHECK(audio.duration_s() == Approx(recovered->duration_s).margin(0.001));
  CHECK(DominantFrequency(audio.Channel(0, 0.5, 2.5), {440, 1000}) == 440);
  CHECK(DominantFrequency(audio.Channel(1, 0.5, 2.5), {440, 1000}) == 1000);
  CHECK(audio.recording_id_tag == "torn");
  std::string info;
  CHECK(testing::OpusinfoAccepts(recovered->file, &info));
  INFO(info);
  std::filesystem::remove_all(dir);
}

TEST_CASE("RecoverAll repairs .part files in dated folders and deletes ones without audio") {
  const auto dir = TempDir("all");
  WriteUnfinished(dir / "2026/01/02", "with-audio", 2.5);
  WriteUnfinished(dir / "2026/01/03", "headers-only", 0.2);  // nothing flushed past the headers
  { std::ofstream(dir / "2026/01/03/garbage.opus.part") << "not ogg at all"; }
  const RecoveryReport report = RecoverAll(dir);
  const auto& recovered = report.repaired;
  REQUIRE(recovered.size() == 1);
  CHECK(report.discarded_ids == std::vector<std::string>{"headers-only"});  // not "garbage": kept
  CHECK(recovered[0].recording_id == "with-audio");
  CHECK(std::filesystem::exists(dir / "2026/01/02/with-audio.opus"));
  CHECK_FALSE(std::filesystem::exists(dir / "2026/01/03/headers-only.opus.part"));
  CHECK(std::filesystem::exists(dir / "2026/01/03/garbage.opus.part"));  // left for a human
  CHECK(testing::OpusinfoAccepts(dir / "2026/01/02/with-audio.opus"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("A recording process killed with SIGKILL is recovered up to the last second") {
  const MediaConfig config = testing::TestEngineConfig("kill9", 32100);
  const testing::RecorderProcess child = testing::ForkRecorder(config, "killed-1");
  REQUIRE(child.pid > 0);
  REQUIRE(child.ports[0] != 0);
  testing::SendTonePair(child.ports[0], child.ports[1], 150, 440, 1000);  // 3 s
  REQUIRE(kill(child.pid, SIGKILL) == 0);
  int status = 0;
  REQUIRE(waitpid(child.pid, &status, 0) == child.pid);
  CHECK(WIFSIGNALED(status));

  const auto ids = MediaEngine::RecoverInterrupted(config);
  REQUIRE(ids.repaired.size() == 1);
  CHECK(ids.repaired[0].recording_id == "killed-1");
  CHECK(ids.discarded_ids.empty());
  std::filesystem::path file;
  for (const auto& e : std::filesystem::recursive_directory_iterator(config.recordings_dir)) {
    if (e.path().extension() == ".opus") file = e.path();
  }
  REQUIRE_FALSE(file.empty());
  CHECK(file.filename() == "killed-1.opus");
  CHECK(ids.repaired[0].file == file);
  CHECK(ids.repaired[0].file_bytes == std::filesystem::file_size(file));  // what the store is told
  const auto audio = DecodeOpusFile(file);
  REQUIRE(audio.ok);
  CHECK(audio.duration_s() == Approx(ids.repaired[0].duration_s).margin(0.001));
  // Sent 3 s; at most ~1 s (one flush period) plus the 60 ms reorder delay is lost.
  CHECK(audio.duration_s() >= 3.0 - 1.0 - 0.3);
  CHECK(audio.duration_s() <= 3.3);
  for (double t = 0; t + 0.25 <= audio.duration_s(); t += 0.25) {
    UNSCOPED_INFO("t=" << t << " rms L " << testing::Rms(audio.Channel(0, t, t + 0.25)) << " R "
                       << testing::Rms(audio.Channel(1, t, t + 0.25)));
  }
  CHECK(DominantFrequency(audio.Channel(0, 0.3, 1.5), {440, 1000}) == 440);
  CHECK(DominantFrequency(audio.Channel(1, 0.3, 1.5), {440, 1000}) == 1000);
  std::string info;
  CHECK(testing::OpusinfoAccepts(file, &info));
  INFO(info);
  std::filesystem::remove_all(config.recordings_dir);
}

}  // namespace
}  // namespace kronika::media
