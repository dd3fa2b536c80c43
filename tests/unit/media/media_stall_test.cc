// MediaEngine under a stalled media worker: the worker thread is frozen (a signal whose
// handler sleeps, as a worker blocked in write() or starved of CPU would be) while both
// legs keep sending from the same host. What the network delivered must end up in the file
// on the right channel at the right time: each leg's tone on its own channel (Goertzel),
// nothing lost to the catch-up, the click on both legs within 20 ms and not moved by the
// stall. These are the conditions under which a "channel swap" was once reported (it was
// both channels silent for ~1 s: the old Goertzel helper named silence "440 Hz").
#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
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
using testing::DominantFrequency;
using testing::ToneSample;
using testing::StallMediaWorkers;

constexpr int kRate = 8000;
constexpr int kFrame = 160;

MediaConfig StallConfig(const std::string& name, uint16_t port_min) {
  MediaConfig c = testing::TestEngineConfig("stall_" + name, port_min, 2);
  // Enough bits for Opus to hold a steady tone's level in every 100 ms, so that a quiet
  // window is the pipeline's doing, not the codec's (at 8 kbit/s a channel it varies 4x).
  c.opus_bitrate_bps = 64000;
  return c;
}

std::string RmsTrace(const testing::DecodedAudio& audio) {
  std::string out;
  for (int i = 0; (i + 1) * 0.1 <= audio.duration_s(); ++i) {
    out += std::to_string(i / 10.0).substr(0, 3) + ":" + std::to_string(int(Rms(audio.Channel(0, i / 10.0, i / 10.0 + 0.1)))) +
           "/" + std::to_string(int(Rms(audio.Channel(1, i / 10.0, i / 10.0 + 0.1)))) + " ";
  }
  return out;
}

struct StallCase {
  std::string name;
  uint16_t port_min;
  int stall_at_frame;      // when the worker freezes (20 ms frames from the first send)
  int stall_ms;
  int left_first_frame;    // frame at which the left (m-line 0) leg starts sending
  int right_first_frame;   // same for the right leg: legs may start in either order
};

// Sends 440 Hz on m-line 0 (left) and 1000 Hz on m-line 1 (right) for 4 s in real time, a
// click on both at 3.0 s, and freezes the workers once; checks the decoded file.
void RunStallCase(const StallCase& c) {
  INFO("case " << c.name);
  MediaConfig config = StallConfig(c.name, c.port_min);
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  const std::string id = "stall-" + c.name;
  auto opened = (*engine)->Open(RecordingSpec{id, {PcmuStream(0, 0), PcmuStream(1, 1)}});
  REQUIRE(opened.ok());
  // Same host, different source ports, the right leg's packets sent first in each frame.
  PcmuLeg right(opened->local_ports[1], 0x2222, 4000000000u, 65000);
  PcmuLeg left(opened->local_ports[0], 0x1111, 12345, 100);
  constexpr int kFrames = 200;
  constexpr int kClickFrame = 150;
  const auto start = Clock::now();
  int16_t pcm[kFrame];
  int signalled = 0;
  for (int f = 0; f < kFrames; ++f) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * f));
    if (f == c.stall_at_frame) signalled = StallMediaWorkers(std::chrono::milliseconds(c.stall_ms));
    for (int leg = 1; leg >= 0; --leg) {
      const double freq = leg == 0 ? 440 : 1000;
      for (int i = 0; i < kFrame; ++i) {
        const int64_t n = int64_t{f} * kFrame + i;
        pcm[i] = f == kClickFrame && i < 80 ? ToneSample(2000, n, kRate, 30000) : ToneSample(freq, n, kRate, 6000);
      }
      PcmuLeg& sender = leg == 0 ? left : right;
      if (f >= (leg == 0 ? c.left_first_frame : c.right_first_frame)) {
        sender.SendFrame(pcm, kFrame);
      } else {
        sender.SkipFrame(kFrame);
      }
    }
  }
  (*engine)->Close(id);
  REQUIRE(signalled == 2);
  REQUIRE(WaitFinished(**engine, id));
  const auto audio = DecodeOpusFile(opened->file);
  REQUIRE(audio.ok);
  REQUIRE(audio.channels == 2);
  const MediaStats stats = (*engine)->Stats();
  INFO("RMS per 100 ms (left/right): " << RmsTrace(audio) << "packets " << stats.rtp_packets_total << " late "
                                       << stats.rtp_packets_late_total);

  // Each leg's tone on its own channel, including while the worker was frozen; the file
  // starts when the recording opened, so frame f is at ~f * 20 ms (+ the reorder delay).
  const double stall_from = c.stall_at_frame * 0.020;
  const double stall_to = stall_from + c.stall_ms / 1000.0;
  const double left_from = c.left_first_frame * 0.020 + 0.1;
  const double right_from = c.right_first_frame * 0.020 + 0.1;
  CHECK(DominantFrequency(audio.Channel(0, left_from, 2.9), {440, 1000}) == 440);
  CHECK(DominantFrequency(audio.Channel(1, right_from, 2.9), {440, 1000}) == 1000);
  CHECK(DominantFrequency(audio.Channel(0, stall_from, stall_to), {440, 1000}) == 440);
  CHECK(DominantFrequency(audio.Channel(1, stall_from, stall_to), {440, 1000}) == 1000);
  // Nothing lost to the stall: every 100 ms of the stalled period carries its tone (RMS
  // of the tone: 4243; a quarter of it allows for a sender preempted past the 60 ms delay).
  for (double t = std::max(stall_from, std::max(left_from, right_from)); t + 0.1 <= stall_to; t += 0.1) {
    INFO("t=" << t);
    CHECK(Rms(audio.Channel(0, t, t + 0.1)) > 1000);
    CHECK(Rms(audio.Channel(1, t, t + 0.1)) > 1000);
  }
  // The click: on both channels within 20 ms (ClickOnset steps by 2.5 ms), where it was
  // sent (3.0 s + the 60 ms reorder delay), not moved by the stall.
  const double click_left = testing::ClickOnset(audio, 0, 2000, 2.5, 3.5);
  const double click_right = testing::ClickOnset(audio, 1, 2000, 2.5, 3.5);
  INFO("click left " << click_left << " s, right " << click_right << " s");
  CHECK(std::abs(click_left - click_right) <= 0.020 + 0.0025);
  CHECK(click_left == Approx(3.06).margin(0.1));
  CHECK(stats.rtp_packets_total ==
        static_cast<uint64_t>(2 * kFrames - c.left_first_frame - c.right_first_frame));
  std::filesystem::remove_all(config.recordings_dir);
}

TEST_CASE("Stalled worker: 0.6 s frozen mid-call, both legs keep their tone, channel and timing") {
  RunStallCase({"short", 32300, 50, 600, 0, 0});
}

TEST_CASE("Stalled worker: 1.5 s frozen (past the 1 s re-anchor limit), nothing moves or is lost") {
  RunStallCase({"long", 32400, 40, 1500, 0, 0});
}

TEST_CASE("Stalled worker: the right leg starts first and the stall hits the left leg's first packets") {
  // The left leg's first packet is read only after the stall: its anchor must be its
  // arrival at the host, not the time the worker got round to reading it.
  RunStallCase({"order", 32500, 48, 800, 50, 0});
}

TEST_CASE("Cross-sent packets: the left leg's source also sends its stream to the right leg's port") {
  // Both legs from 127.0.0.1. After both latched, the left sender's socket (same address and
  // port as the left leg's source, same SSRC) sends a copy of every left packet to the right
  // leg's port too, and a third socket sends it there from yet another port: the right
  // channel keeps its 1000 Hz, the left its 440 Hz, and every copy is counted as foreign.
  MediaConfig config = StallConfig("cross", 32700);
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  auto opened = (*engine)->Open(RecordingSpec{"cross-1", {PcmuStream(0, 0), PcmuStream(1, 1)}});
  REQUIRE(opened.ok());
  PcmuLeg left(opened->local_ports[0], 0x1111, 12345, 100);
  PcmuLeg right(opened->local_ports[1], 0x2222, 500, 7);
  PcmuLeg other(opened->local_ports[1], 0x1111, 12345, 100);  // left's stream from another port
  sockaddr_in to_right{};
  to_right.sin_family = AF_INET;
  to_right.sin_port = htons(opened->local_ports[1]);
  to_right.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::vector<uint8_t> packet(12 + kFrame);
  const auto start = Clock::now();
  int16_t pcm[kFrame];
  int copies = 0;
  for (int f = 0; f < 100; ++f) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * f));
    for (int i = 0; i < kFrame; ++i) pcm[i] = ToneSample(1000, int64_t{f} * kFrame + i, kRate, 6000);
    right.SendFrame(pcm, kFrame);
    for (int i = 0; i < kFrame; ++i) pcm[i] = ToneSample(440, int64_t{f} * kFrame + i, kRate, 6000);
    left.SendFrame(pcm, kFrame);
    if (f < 10) {
      other.SkipFrame(kFrame);
      continue;
    }
    // The same stream (SSRC 0x1111, same sequence numbers) from the left leg's own socket...
    packet[0] = 0x80;
    packet[1] = 0;
    const uint16_t seq = static_cast<uint16_t>(100 + f);
    const uint32_t ts = 12345u + static_cast<uint32_t>(f * kFrame);
    packet[2] = static_cast<uint8_t>(seq >> 8);
    packet[3] = static_cast<uint8_t>(seq);
    for (int i = 0; i < 4; ++i) packet[static_cast<size_t>(4 + i)] = static_cast<uint8_t>(ts >> (24 - 8 * i));
    for (int i = 0; i < 4; ++i) packet[static_cast<size_t>(8 + i)] = static_cast<uint8_t>(0x1111u >> (24 - 8 * i));
    for (int i = 0; i < kFrame; ++i) packet[static_cast<size_t>(12 + i)] = testing::LinearToUlaw(pcm[i]);
    (void)!sendto(left.sender().fd(), packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&to_right),
                  sizeof to_right);
    // ... and from a third port.
    other.SendFrame(pcm, kFrame);
    copies += 2;
  }
  (*engine)->Close("cross-1");
  REQUIRE(WaitFinished(**engine, "cross-1"));
  const auto audio = DecodeOpusFile(opened->file);
  REQUIRE(audio.ok);
  const MediaStats stats = (*engine)->Stats();
  INFO("RMS per 100 ms (left/right): " << RmsTrace(audio));
  CHECK(DominantFrequency(audio.Channel(0, 0.3, 1.9), {440, 1000}) == 440);
  CHECK(DominantFrequency(audio.Channel(1, 0.3, 1.9), {440, 1000}) == 1000);
  // No 440 Hz leaks into the right channel (a tenth of the 1000 Hz share would be audible).
  const auto right_audio = audio.Channel(1, 0.3, 1.9);
  CHECK(testing::GoertzelShare(right_audio, 440) < testing::GoertzelShare(right_audio, 1000) / 10);
  CHECK(stats.rtp_foreign_source_total == static_cast<uint64_t>(copies));
  CHECK(stats.rtp_packets_total == 200);
  std::filesystem::remove_all(config.recordings_dir);
}

}  // namespace
}  // namespace kronika::media
