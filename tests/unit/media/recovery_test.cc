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
#include "kronika/media/media_engine.h"
#include "ogg_opus_writer.h"
#include "opus_frame_encoder.h"
#include "rtp_test_sender.h"

namespace kronika::media {
namespace {

using testing::DecodeOpusFile;
using testing::DominantFrequency;
using testing::ToneSample;

std::filesystem::path TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("kronika_recovery_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

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
  const auto recovered = RecoverAll(dir);
  REQUIRE(recovered.size() == 1);
  CHECK(recovered[0].recording_id == "with-audio");
  CHECK(std::filesystem::exists(dir / "2026/01/02/with-audio.opus"));
  CHECK_FALSE(std::filesystem::exists(dir / "2026/01/03/headers-only.opus.part"));
  CHECK(std::filesystem::exists(dir / "2026/01/03/garbage.opus.part"));  // left for a human
  CHECK(testing::OpusinfoAccepts(dir / "2026/01/02/with-audio.opus"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("A recording process killed with SIGKILL is recovered up to the last second") {
  MediaConfig config;
  config.recordings_dir = TempDir("kill9");
  config.rtp_port_min = 32100;
  config.rtp_port_max = 32199;
  config.workers = 1;
  config.min_free_disk_bytes = 0;
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // the recorder: open a recording, report its ports, wait to be killed
    close(pipe_fds[0]);
    auto engine = MediaEngine::Start(config);
    uint16_t ports[2] = {0, 0};
    std::string file;
    if (engine.ok()) {
      RecordingSpec spec;
      spec.recording_id = "killed-1";
      for (size_t m = 0; m < 2; ++m) {
        StreamSpec s;
        s.mline_index = m;
        s.channel = static_cast<int>(m);
        sdp::PayloadFormat pcmu;
        pcmu.payload_type = 0;
        pcmu.encoding = "PCMU";
        pcmu.clock_rate = 8000;
        s.formats = {pcmu};
        spec.streams.push_back(s);
      }
      auto opened = (*engine)->Open(spec);
      if (opened.ok()) {
        ports[0] = opened->local_ports[0];
        ports[1] = opened->local_ports[1];
      }
    }
    (void)!write(pipe_fds[1], ports, sizeof ports);
    for (;;) pause();
  }
  close(pipe_fds[1]);
  uint16_t ports[2] = {0, 0};
  REQUIRE(read(pipe_fds[0], ports, sizeof ports) == sizeof ports);
  close(pipe_fds[0]);
  REQUIRE(ports[0] != 0);
  {
    testing::PcmuLeg a(ports[0], 1, 0, 0);
    testing::PcmuLeg b(ports[1], 2, 0, 0);
    int16_t pcm[160];
    const auto start = std::chrono::steady_clock::now();
    for (int f = 0; f < 150; ++f) {  // 3 s
      std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * f));
      for (int i = 0; i < 160; ++i) pcm[i] = ToneSample(440, int64_t{f} * 160 + i, 8000);
      a.SendFrame(pcm, 160);
      for (int i = 0; i < 160; ++i) pcm[i] = ToneSample(1000, int64_t{f} * 160 + i, 8000);
      b.SendFrame(pcm, 160);
    }
  }
  REQUIRE(kill(child, SIGKILL) == 0);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));

  const auto ids = MediaEngine::RecoverInterrupted(config);
  REQUIRE(ids == std::vector<std::string>{"killed-1"});
  std::filesystem::path file;
  for (const auto& e : std::filesystem::recursive_directory_iterator(config.recordings_dir)) {
    if (e.path().extension() == ".opus") file = e.path();
  }
  REQUIRE_FALSE(file.empty());
  CHECK(file.filename() == "killed-1.opus");
  const auto audio = DecodeOpusFile(file);
  REQUIRE(audio.ok);
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
