// Nothing the SRC sent is lost around a re-INVITE/UPDATE (issue 14: a soak with holds lost
// packets as sequence gaps with no drop reason). A command from the SIP thread reaches the
// media worker some time after the SIP layer decided it; packets that arrive in between must
// be judged by when they arrived, not by when the worker got round to the command. The
// worker is frozen on purpose (StallMediaWorkers) so that the command and the packets are
// both pending when it wakes, whatever the machine's load.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "audio_test_util.h"
#include "kronika/media/media_engine.h"
#include "media_test_util.h"
#include "rtp_test_sender.h"

namespace kronika::media {
namespace {

using Clock = std::chrono::steady_clock;
using testing::DecodeOpusFile;
using testing::DominantFrequency;
using testing::PcmuLeg;
using testing::PcmuStream;
using testing::Rms;
using testing::StallMediaWorkers;
using testing::ToneSample;
using testing::WaitFinished;

constexpr int kRate = 8000;
constexpr int kFrame = 160;

// Sends frames [first, first + count) of `hz` on `leg` in real time, 20 ms apart from `start`.
void SendTone(PcmuLeg& leg, double hz, int first, int count, Clock::time_point start) {
  int16_t pcm[kFrame];
  for (int f = first; f < first + count; ++f) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * f));
    for (int i = 0; i < kFrame; ++i) pcm[i] = ToneSample(hz, int64_t{f} * kFrame + i, kRate, 6000);
    leg.SendFrame(pcm, kFrame);
  }
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

TEST_CASE("Resume: packets that reach the worker before the resume command are recorded, not dropped as paused") {
  MediaConfig config = testing::TestEngineConfig("resume_race", 33000, 1);
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  RecordingSpec spec{"resume-1", {PcmuStream(0, -1)}};
  const auto opened_at = Clock::now();
  auto opened = (*engine)->Open(spec);
  REQUIRE(opened.ok());
  // As an SBC on hold: the stream stops (sequence numbers and timestamps stand still), the
  // re-INVITE pauses it, a second one resumes it and the packets follow the 200 OK at once.
  PcmuLeg leg(opened->local_ports[0], 0x5151, 1000, 200);
  const auto start = Clock::now();
  SendTone(leg, 440, 0, 40, start);  // 0.0 - 0.8 s
  spec.streams[0].paused = true;
  REQUIRE((*engine)->Update(spec).ok());
  std::this_thread::sleep_until(start + std::chrono::milliseconds(1200));
  // The worker is busy (frozen here) when the resume is posted and the packets arrive.
  REQUIRE(StallMediaWorkers(std::chrono::milliseconds(300)) == 1);
  spec.streams[0].paused = false;
  REQUIRE((*engine)->Update(spec).ok());
  const auto resumed_at = Clock::now();
  SendTone(leg, 440, 60, 50, start);  // 1.2 - 2.2 s: the first ~15 packets wait in the socket
  (*engine)->Close("resume-1");
  REQUIRE(WaitFinished(**engine, "resume-1"));

  const MediaStats stats = (*engine)->Stats();
  CHECK(stats.rtp_packets_total == 90);
  CHECK(stats.rtp_packets_lost_total == 0);
  const auto audio = DecodeOpusFile(opened->file);
  REQUIRE(audio.ok);
  // The tone is back from the resume on (plus the 60 ms reorder delay), not 300 ms later.
  const double resume_s = Seconds(resumed_at - opened_at);
  INFO("resumed at " << resume_s << " s");
  CHECK(Rms(audio.Channel(0, resume_s + 0.08, resume_s + 0.3)) > 1000);
  CHECK(Rms(audio.Channel(0, 1.0, 1.15)) < 100);  // the pause itself is silence
  std::filesystem::remove_all(config.recordings_dir);
}

TEST_CASE("Pause: packets sent before the pause but read after the pause command are recorded") {
  MediaConfig config = testing::TestEngineConfig("pause_race", 33020, 1);
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  RecordingSpec spec{"pause-1", {PcmuStream(0, -1)}};
  const auto opened_at = Clock::now();
  auto opened = (*engine)->Open(spec);
  REQUIRE(opened.ok());
  PcmuLeg leg(opened->local_ports[0], 0x5252, 1000, 200);
  const auto start = Clock::now();
  SendTone(leg, 440, 0, 20, start);  // 0.0 - 0.4 s
  // The worker freezes; the last 0.3 s before the hold wait in its socket, then the pause.
  REQUIRE(StallMediaWorkers(std::chrono::milliseconds(500)) == 1);
  SendTone(leg, 440, 20, 15, start);  // 0.4 - 0.7 s
  const auto paused_at = Clock::now();
  spec.streams[0].paused = true;
  REQUIRE((*engine)->Update(spec).ok());
  std::this_thread::sleep_until(start + std::chrono::milliseconds(1500));
  (*engine)->Close("pause-1");
  REQUIRE(WaitFinished(**engine, "pause-1"));

  const MediaStats stats = (*engine)->Stats();
  CHECK(stats.rtp_packets_total == 35);
  CHECK(stats.rtp_packets_lost_total == 0);
  const auto audio = DecodeOpusFile(opened->file);
  REQUIRE(audio.ok);
  const double pause_s = Seconds(paused_at - opened_at);
  INFO("paused at " << pause_s << " s");
  CHECK(Rms(audio.Channel(0, 0.45, pause_s - 0.02)) > 1000);  // what was sent before the pause
  CHECK(Rms(audio.Channel(0, pause_s + 0.1, 1.4)) < 100);
  std::filesystem::remove_all(config.recordings_dir);
}

TEST_CASE("A stream removed by a re-INVITE keeps every packet it received before the removal") {
  MediaConfig config = testing::TestEngineConfig("remove_keeps", 33040, 1);
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  RecordingSpec spec{"remove-1", {PcmuStream(0, 0), PcmuStream(1, 1)}};
  const auto opened_at = Clock::now();
  auto opened = (*engine)->Open(spec);
  REQUIRE(opened.ok());
  PcmuLeg left(opened->local_ports[0], 0x1111, 0, 0);
  PcmuLeg right(opened->local_ports[1], 0x2222, 0, 0);
  const auto start = Clock::now();
  int16_t pcm[kFrame];
  for (int f = 0; f < 40; ++f) {  // both legs 0.0 - 0.8 s
    std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * f));
    for (int i = 0; i < kFrame; ++i) pcm[i] = ToneSample(440, int64_t{f} * kFrame + i, kRate, 6000);
    left.SendFrame(pcm, kFrame);
    for (int i = 0; i < kFrame; ++i) pcm[i] = ToneSample(1000, int64_t{f} * kFrame + i, kRate, 6000);
    right.SendFrame(pcm, kFrame);
  }
  // The right leg's last packets wait in its socket (worker frozen) when its m-line is
  // removed; the ones already read wait in its reorder buffer.
  REQUIRE(StallMediaWorkers(std::chrono::milliseconds(200)) == 1);
  for (int f = 40; f < 50; ++f) {  // 0.8 - 1.0 s
    std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * f));
    for (int i = 0; i < kFrame; ++i) pcm[i] = ToneSample(440, int64_t{f} * kFrame + i, kRate, 6000);
    left.SendFrame(pcm, kFrame);
    for (int i = 0; i < kFrame; ++i) pcm[i] = ToneSample(1000, int64_t{f} * kFrame + i, kRate, 6000);
    right.SendFrame(pcm, kFrame);
  }
  const auto removed_at = Clock::now();
  spec.streams.pop_back();
  REQUIRE((*engine)->Update(spec).ok());
  SendTone(left, 440, 50, 40, start);  // left goes on to 1.8 s
  (*engine)->Close("remove-1");
  REQUIRE(WaitFinished(**engine, "remove-1"));

  const MediaStats stats = (*engine)->Stats();
  CHECK(stats.rtp_packets_total == 140);
  CHECK(stats.rtp_packets_lost_total == 0);
  const auto audio = DecodeOpusFile(opened->file);
  REQUIRE(audio.ok);
  REQUIRE(audio.channels == 2);
  const double removed_s = Seconds(removed_at - opened_at);
  INFO("removed at " << removed_s << " s");
  // Right channel: the tone right up to the removal (its last 60 ms were in the reorder
  // buffer, the last 200 ms in the socket), silence after.
  CHECK(DominantFrequency(audio.Channel(1, 0.1, removed_s - 0.01), {440, 1000}) == 1000);
  CHECK(Rms(audio.Channel(1, removed_s - 0.2, removed_s - 0.01)) > 1000);
  CHECK(Rms(audio.Channel(1, removed_s + 0.15, 1.7)) < 100);
  CHECK(Rms(audio.Channel(0, 0.1, 1.7)) > 1000);
  std::filesystem::remove_all(config.recordings_dir);
}

TEST_CASE("A paused stream that keeps sending: neither its audio nor its key presses are stored (SCOPE-5)") {
  MediaConfig config = testing::TestEngineConfig("pause_dtmf", 33060, 1);
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  StreamSpec stream = PcmuStream(0, -1);
  sdp::PayloadFormat dtmf;
  dtmf.payload_type = 101;
  dtmf.encoding = "TELEPHONE-EVENT";
  dtmf.clock_rate = 8000;
  stream.formats.push_back(dtmf);
  RecordingSpec spec{"pause-dtmf-1", {stream}};
  auto opened = (*engine)->Open(spec);
  REQUIRE(opened.ok());
  PcmuLeg leg(opened->local_ports[0], 0x5353, 0, 0);
  const auto start = Clock::now();
  int16_t pcm[kFrame];
  // 1.5 s: tone, paused from 0.5 to 1.0 s; during the pause the caller types '7' (a card
  // number digit) and the SRC keeps sending.
  for (int f = 0; f < 75; ++f) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * f));
    if (f == 25) {
      spec.streams[0].paused = true;
      REQUIRE((*engine)->Update(spec).ok());
    }
    if (f == 50) {
      spec.streams[0].paused = false;
      REQUIRE((*engine)->Update(spec).ok());
    }
    if (f >= 30 && f < 36) {
      const bool end = f >= 33;
      const uint16_t duration = static_cast<uint16_t>((f - 29) * kFrame);
      const uint8_t event[4] = {7, static_cast<uint8_t>(end ? 0x80 : 0), static_cast<uint8_t>(duration >> 8),
                                static_cast<uint8_t>(duration)};
      leg.SendOther(101, f == 30, 30 * kFrame, event, sizeof event);
      leg.AdvanceTimestamp(kFrame);
      continue;
    }
    for (int i = 0; i < kFrame; ++i) pcm[i] = ToneSample(440, int64_t{f} * kFrame + i, kRate, 6000);
    leg.SendFrame(pcm, kFrame);
  }
  (*engine)->Close("pause-dtmf-1");
  std::vector<MediaEvent> seen;
  bool finished = false;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!finished && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    for (auto& e : (*engine)->TakeEvents()) {
      if (e.kind == MediaEventKind::kFinished) finished = true;
      seen.push_back(e);
    }
  }
  REQUIRE(finished);
  for (const auto& e : seen) CHECK(e.kind != MediaEventKind::kDtmf);
  CHECK((*engine)->Stats().dtmf_events_total == 1);  // received and counted, not reported
  const auto audio = DecodeOpusFile(opened->file);
  REQUIRE(audio.ok);
  CHECK(Rms(audio.Channel(0, 0.65, 0.95)) < 100);
  CHECK(Rms(audio.Channel(0, 1.15, 1.45)) > 1000);
  std::filesystem::remove_all(config.recordings_dir);
}

}  // namespace
}  // namespace kronika::media
