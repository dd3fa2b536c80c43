// Two legs carrying the same tone with a small phase offset, one of them paused and
// resumed: each channel of the file keeps its leg's level. Coupled (mid/side) stereo Opus
// at 16 kbit/s does not: after the resume both channels collapse to ~1/5 of the level for
// relative phases of ~130-160 and ~200-230 degrees (offline sweep: RMS 650-1800 instead of
// ~4200). In `media:A late leg, a paused leg and a foreign sender ...` the relative phase
// is set by the two legs' first-packet arrival jitter, which a sanitized build makes wide
// enough to hit those phases about one run in three; this test hits them on purpose.
// The default layout (two uncoupled mono streams, MediaConfig::opus_dual_mono) passes; with
// opus_dual_mono = false and 20 ms packets both channels measured 480-1800 RMS here.
#include <catch2/catch.hpp>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>
#include <thread>

#include "audio_test_util.h"
#include "media_test_util.h"
#include "kronika/media/media_engine.h"
#include "rtp_test_sender.h"

namespace kronika::media {
namespace {

using Clock = std::chrono::steady_clock;
using testing::PcmuStream;
using testing::WaitFinished;
using testing::DecodeOpusFile;
using testing::PcmuLeg;
using testing::Rms;

constexpr int kRate = 8000;
constexpr int kFrame = 160;

TEST_CASE("Two legs with the same tone, one paused and resumed: each channel keeps its leg's level") {
  // Right leg's tone lags the left one by this many samples at 8 kHz (440 Hz: 18.2 a period).
  const double lag = GENERATE(7.25, 10.5);
  INFO("right leg lags by " << lag << " samples");
  MediaConfig config = testing::TestEngineConfig("bleed", 32600);
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  RecordingSpec spec{"bleed-1", {PcmuStream(0, 0), PcmuStream(1, 1)}};
  auto opened = (*engine)->Open(spec);
  REQUIRE(opened.ok());
  PcmuLeg left(opened->local_ports[0], 1, 0, 0);
  PcmuLeg right(opened->local_ports[1], 2, 0, 0);
  // As the pause test: left 0-4 s paused 2-3 s, right from 1 s; both send all along.
  const auto start = Clock::now();
  int16_t pcm[kFrame];
  for (int f = 0; f < 200; ++f) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * f));
    if (f == 100 || f == 150) {
      spec.streams[0].paused = f == 100;
      REQUIRE((*engine)->Update(spec).ok());
    }
    for (int i = 0; i < kFrame; ++i) {
      pcm[i] = static_cast<int16_t>(6000 * std::sin(2 * M_PI * 440 * (f * kFrame + i) / kRate));
    }
    left.SendFrame(pcm, kFrame);
    if (f < 50) {
      right.SkipFrame(kFrame);
      continue;
    }
    for (int i = 0; i < kFrame; ++i) {
      pcm[i] = static_cast<int16_t>(6000 * std::sin(2 * M_PI * 440 * (f * kFrame + i - lag) / kRate));
    }
    right.SendFrame(pcm, kFrame);
  }
  (*engine)->Close("bleed-1");
  REQUIRE(WaitFinished(**engine, "bleed-1"));
  const auto audio = DecodeOpusFile(opened->file);
  REQUIRE(audio.ok);
  // The tone's RMS is 4243; 2500 leaves room for a packet or two lost to sender jitter.
  CHECK(Rms(audio.Channel(0, 0.2, 0.9)) > 2500);
  CHECK(Rms(audio.Channel(0, 1.2, 1.9)) > 2500);
  CHECK(Rms(audio.Channel(1, 1.2, 1.9)) > 2500);
  CHECK(Rms(audio.Channel(0, 2.15, 2.95)) < 100);  // paused
  CHECK(Rms(audio.Channel(1, 2.2, 2.9)) > 2500);
  CHECK(Rms(audio.Channel(0, 3.2, 3.9)) > 2500);
  CHECK(Rms(audio.Channel(1, 3.2, 3.9)) > 2500);
  std::filesystem::remove_all(config.recordings_dir);
}

}  // namespace
}  // namespace kronika::media
