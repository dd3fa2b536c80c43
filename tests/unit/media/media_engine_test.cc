// MediaEngine end to end in one process: real UDP RTP on loopback in, Ogg Opus file out,
// decoded with libopusfile and checked by ear (frequencies, timing, silence).
#include "kronika/media/media_engine.h"

#include <catch2/catch.hpp>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <thread>

#include "audio_test_util.h"
#include "media_test_util.h"
#include "rtp_test_sender.h"

namespace kronika::media {
namespace {

using Clock = std::chrono::steady_clock;
using testing::DecodeOpusFile;
using testing::DominantFrequency;
using testing::PcmuLeg;
using testing::Rms;
using testing::ToneSample;

constexpr int kRate = 8000;
constexpr int kFrame = 160;

MediaConfig TestConfig(const std::string& name, uint16_t port_min, uint16_t port_max = 0) {
  return testing::TestEngineConfig("engine_" + name, port_min, 2, port_max);
}

// A PCMU leg that also carries RFC 4733 events (PT 101).
StreamSpec Stream(size_t mline, int channel) {
  StreamSpec s = testing::PcmuStream(mline, channel);
  sdp::PayloadFormat dtmf;
  dtmf.payload_type = 101;
  dtmf.encoding = "TELEPHONE-EVENT";
  dtmf.clock_rate = 8000;
  s.formats.push_back(dtmf);
  return s;
}

RecordingSpec TwoLegs(const std::string& id) { return RecordingSpec{id, {Stream(0, 0), Stream(1, 1)}}; }

bool Bindable(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  close(fd);
  return ok;
}

// First even port p in [from, to] with p and p + 2 free; 0 if none.
uint16_t FreePortPair(uint16_t from, uint16_t to) {
  for (uint16_t p = from; p + 2 <= to; p = static_cast<uint16_t>(p + 4)) {
    if (Bindable(p) && Bindable(static_cast<uint16_t>(p + 2))) return p;
  }
  return 0;
}

// Waits for an event of `kind` for `id`; collects everything seen into `seen`.
bool WaitForEvent(MediaEngine& engine, const std::string& id, MediaEventKind kind, MediaEvent* out,
                  std::vector<MediaEvent>* seen = nullptr, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    pollfd p{engine.event_fd(), POLLIN, 0};
    poll(&p, 1, 50);
    for (auto& e : engine.TakeEvents()) {
      if (seen) seen->push_back(e);
      if (e.recording_id == id && e.kind == kind) {
        if (out) *out = e;
        return true;
      }
    }
  }
  return false;
}

// Sends `seconds` of real-time 20 ms packets. frame_fn(frame_index, leg, pcm) fills the
// frame of leg 0/1 and returns false to skip sending it.
void SendRealTime(std::vector<PcmuLeg*> legs, double seconds,
                  const std::function<bool(int, int, int16_t*)>& frame_fn) {
  const int frames = static_cast<int>(seconds * 1000 / 20);
  const auto start = Clock::now();
  int16_t pcm[kFrame];
  for (int f = 0; f < frames; ++f) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * f));
    for (size_t l = 0; l < legs.size(); ++l) {
      if (frame_fn(f, static_cast<int>(l), pcm)) {
        legs[l]->SendFrame(pcm, kFrame);
      } else {
        legs[l]->SkipFrame(kFrame);
      }
    }
  }
}

TEST_CASE("Two PCMU legs over UDP become a stereo file: 440 Hz left, 1000 Hz right, click aligned") {
  MediaConfig config = TestConfig("stereo", 31000);
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  const auto open_time = Clock::now();
  auto opened = (*engine)->Open(TwoLegs("stereo-1"));
  REQUIRE(opened.ok());
  REQUIRE(opened->local_ports.size() == 2);
  CHECK(opened->local_ports[0] % 2 == 0);
  CHECK(opened->local_ports[0] != opened->local_ports[1]);

  // Different SSRCs, timestamp and sequence bases: alignment must come from arrival time.
  PcmuLeg a(opened->local_ports[0], 0x1111, 12345, 100);
  PcmuLeg b(opened->local_ports[1], 0x2222, 4000000000u, 65000);
  constexpr int kClickFrame = 75;  // at 1.5 s, on both legs in the same instant
  SendRealTime({&a, &b}, 3.0, [&](int f, int leg, int16_t* pcm) {
    const double freq = leg == 0 ? 440 : 1000;
    for (int i = 0; i < kFrame; ++i) {
      const int64_t n = int64_t{f} * kFrame + i;
      pcm[i] = f == kClickFrame && i < 80 ? ToneSample(2000, n, kRate, 30000) : ToneSample(freq, n, kRate, 6000);
    }
    return true;
  });
  (*engine)->Close("stereo-1");
  const double wall_s = std::chrono::duration<double>(Clock::now() - open_time).count();
  MediaEvent finished;
  REQUIRE(WaitForEvent(**engine, "stereo-1", MediaEventKind::kFinished, &finished));
  CHECK(finished.detail == opened->file.string());
  CHECK(std::filesystem::exists(opened->file));
  CHECK_FALSE(std::filesystem::exists(opened->file.string() + ".part"));
  // The store records the size the compliance tools and the quota see.
  CHECK(finished.file_bytes == std::filesystem::file_size(opened->file));

  const auto audio = DecodeOpusFile(opened->file);
  REQUIRE(audio.ok);
  CHECK(audio.channels == 2);
  CHECK(audio.input_rate_hz == 8000);
  CHECK(audio.recording_id_tag == "stereo-1");
  CHECK(audio.duration_s() == Approx(wall_s).margin(0.040));
  CHECK(finished.duration_s == Approx(audio.duration_s()).margin(0.001));
  CHECK(DominantFrequency(audio.Channel(0, 0.3, 1.3), {440, 1000}) == 440);
  CHECK(DominantFrequency(audio.Channel(1, 0.3, 1.3), {440, 1000}) == 1000);
  CHECK(DominantFrequency(audio.Channel(0, 1.8, 2.8), {440, 1000}) == 440);
  CHECK(DominantFrequency(audio.Channel(1, 1.8, 2.8), {440, 1000}) == 1000);
  const double click_left = testing::ClickOnset(audio, 0, 2000);
  const double click_right = testing::ClickOnset(audio, 1, 2000);
  INFO("click left " << click_left << " s, right " << click_right << " s");
  // Requirement: within 20 ms; ClickOnset steps by 2.5 ms. (Each leg is anchored on its
  // first packet's arrival, so a sender preempted between the two first packets shows up
  // here as up to 20 ms; the legs re-anchor beyond that.)
  CHECK(std::abs(click_left - click_right) <= 0.020 + 0.0025);
  CHECK(click_left == Approx(1.5).margin(0.2));  // arrival-anchored: ~1.5 s + reorder delay
  CHECK(testing::OpusinfoAccepts(opened->file));

  const MediaStats stats = (*engine)->Stats();
  CHECK(stats.recordings_opened_total == 1);
  CHECK(stats.recordings_finished_total == 1);
  CHECK(stats.rtp_packets_total == 300);
  CHECK(stats.rtp_packets_lost_total == 0);
  CHECK(stats.rtp_ports_in_use == 0);
  CHECK(stats.recordings_active == 0);
  std::filesystem::remove_all(config.recordings_dir);
}

TEST_CASE("A late leg, a paused leg and a foreign sender give silence of the right length") {
  MediaConfig config = TestConfig("gaps", 31200);
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  RecordingSpec spec = TwoLegs("gaps-1");
  auto opened = (*engine)->Open(spec);
  REQUIRE(opened.ok());
  PcmuLeg a(opened->local_ports[0], 1, 0, 0);
  PcmuLeg b(opened->local_ports[1], 2, 0, 0);
  PcmuLeg intruder(opened->local_ports[0], 3, 0, 0);
  // Leg A: 440 Hz 0-4 s, but paused by re-INVITE from 2.0 to 3.0 s (it keeps sending).
  // Leg B: 700 Hz, starts 1 s late. An intruder sends 1000 Hz to leg A's port all along.
  // (B once sent 440 Hz too. The same tone on both legs made this test depend on coupled
  // stereo Opus at 16 kbit/s, which drops both channels to ~1/5 of the level for some
  // relative phases of the legs; sanitizer timing hit those about one run in three.)
  SendRealTime({&a, &b, &intruder}, 4.0, [&](int f, int leg, int16_t* pcm) {
    if (leg == 0 && f == 100) {
      spec.streams[0].paused = true;
      REQUIRE((*engine)->Update(spec).ok());
    }
    if (leg == 0 && f == 150) {
      spec.streams[0].paused = false;
      auto updated = (*engine)->Update(spec);
      REQUIRE(updated.ok());
      CHECK(updated->local_ports == opened->local_ports);
    }
    if (leg == 1 && f < 50) return false;
    for (int i = 0; i < kFrame; ++i) {
      pcm[i] = ToneSample(leg == 1 ? 700 : leg == 0 ? 440 : 1000, int64_t{f} * kFrame + i, kRate, 6000);
    }
    return true;
  });
  (*engine)->Close("gaps-1");
  REQUIRE(WaitForEvent(**engine, "gaps-1", MediaEventKind::kFinished, nullptr));
  const auto audio = DecodeOpusFile(opened->file);
  REQUIRE(audio.ok);
  for (double t = 0; t + 0.1 <= audio.duration_s(); t += 0.1) {
    UNSCOPED_INFO("t=" << t << " rms L " << Rms(audio.Channel(0, t, t + 0.1)) << " R "
                       << Rms(audio.Channel(1, t, t + 0.1)));
  }
  const MediaStats gaps_stats = (*engine)->Stats();
  UNSCOPED_INFO("packets " << gaps_stats.rtp_packets_total << " late " << gaps_stats.rtp_packets_late_total
                           << " lost " << gaps_stats.rtp_packets_lost_total);
  // Right channel silent during the first second (late start), loud after.
  CHECK(Rms(audio.Channel(1, 0.05, 0.95)) < 100);
  CHECK(Rms(audio.Channel(1, 1.2, 3.8)) > 1000);
  // "Loud" thresholds are a quarter of the tone's RMS (4243): on a loaded machine the
  // sender's own scheduling jitter can exceed the 60 ms reorder delay and drop packets.
  // Left: tone, then silence for the pause (2.0-3.0 s + 60 ms reorder delay), tone again.
  CHECK(Rms(audio.Channel(0, 0.2, 1.9)) > 1000);
  CHECK(Rms(audio.Channel(0, 2.15, 2.95)) < 100);
  CHECK(Rms(audio.Channel(0, 3.2, 3.9)) > 1000);
  // Each leg on its own channel, before and after the pause; the intruder's 1000 Hz never
  // reaches the file.
  CHECK(DominantFrequency(audio.Channel(0, 0.2, 1.9), {440, 700, 1000}) == 440);
  CHECK(DominantFrequency(audio.Channel(0, 3.2, 3.9), {440, 700, 1000}) == 440);
  CHECK(DominantFrequency(audio.Channel(1, 1.2, 3.8), {440, 700, 1000}) == 700);
  CHECK((*engine)->Stats().rtp_foreign_source_total == 200);
  CHECK(testing::OpusinfoAccepts(opened->file));
  std::filesystem::remove_all(config.recordings_dir);
}

TEST_CASE("RTP silence longer than rtp_timeout_ms is reported, and its return too") {
  MediaConfig config = TestConfig("timeout", 31400);
  config.rtp_timeout_ms = 300;
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  RecordingSpec spec{"timeout-1", {Stream(0, -1)}};
  auto opened = (*engine)->Open(spec);
  REQUIRE(opened.ok());
  PcmuLeg a(opened->local_ports[0], 1, 0, 0);
  // 0.5 s of audio, 1 s nothing, 0.5 s audio.
  SendRealTime({&a}, 2.0, [&](int f, int, int16_t* pcm) {
    for (int i = 0; i < kFrame; ++i) pcm[i] = ToneSample(440, int64_t{f} * kFrame + i, kRate, 6000);
    return f < 25 || f >= 75;
  });
  (*engine)->Close("timeout-1");
  std::vector<MediaEvent> seen;
  REQUIRE(WaitForEvent(**engine, "timeout-1", MediaEventKind::kFinished, nullptr, &seen));
  const MediaEvent* timeout = nullptr;
  const MediaEvent* resumed = nullptr;
  for (const auto& e : seen) {
    if (e.kind == MediaEventKind::kRtpTimeout) timeout = &e;
    if (e.kind == MediaEventKind::kRtpResumed) resumed = &e;
  }
  REQUIRE(timeout != nullptr);
  REQUIRE(resumed != nullptr);
  CHECK(timeout->timeline_ms == Approx(480).margin(40));   // last packet before the gap
  CHECK(resumed->timeline_ms == Approx(1500).margin(40));
  CHECK(timeout->label == "1");
  // A single stream is written as mono.
  const auto audio = DecodeOpusFile(opened->file);
  REQUIRE(audio.ok);
  CHECK(audio.channels == 1);
  CHECK(Rms(audio.Channel(0, 0.7, 1.4)) < 100);
  std::filesystem::remove_all(config.recordings_dir);
}

TEST_CASE("RFC 4733 key presses become DTMF events at their timeline position") {
  MediaConfig config = TestConfig("dtmf", 31500);
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  auto opened = (*engine)->Open(TwoLegs("dtmf-1"));
  REQUIRE(opened.ok());
  PcmuLeg a(opened->local_ports[0], 1, 0, 0);
  // 1 s on leg A; at 0.5 s the caller presses '*' (event 10) for 100 ms, sent as
  // telephone-event PT 101 in the same RTP stream (RFC 4733: one start timestamp, growing
  // duration, the last three packets with the E bit); no audio while the key is down.
  const auto start = Clock::now();
  int16_t pcm[kFrame];
  uint32_t event_ts = 0;
  for (int f = 0; f < 50; ++f) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * f));
    if (f == 25) event_ts = a.timestamp();
    if (f >= 25 && f < 32) {
      const bool end = f >= 29;
      const uint16_t duration = static_cast<uint16_t>(end ? 800 : (f - 24) * 160);
      const uint8_t event[4] = {10, static_cast<uint8_t>((end ? 0x80 : 0) | 10), static_cast<uint8_t>(duration >> 8),
                                static_cast<uint8_t>(duration)};
      a.SendOther(101, f == 25, event_ts, event, sizeof event);
      a.AdvanceTimestamp(kFrame);
      continue;
    }
    for (int i = 0; i < kFrame; ++i) pcm[i] = ToneSample(440, int64_t{f} * kFrame + i, kRate, 6000);
    a.SendFrame(pcm, kFrame);
  }
  (*engine)->Close("dtmf-1");
  MediaEvent dtmf;
  std::vector<MediaEvent> seen;
  REQUIRE(WaitForEvent(**engine, "dtmf-1", MediaEventKind::kFinished, nullptr, &seen));
  int digits = 0;
  for (const auto& e : seen) {
    if (e.kind != MediaEventKind::kDtmf) continue;
    ++digits;
    dtmf = e;
  }
  REQUIRE(digits == 1);
  CHECK(dtmf.digit == '*');
  CHECK(dtmf.label == "1");
  CHECK(dtmf.timeline_ms == Approx(500).margin(80));
  CHECK(dtmf.duration_s == Approx(0.1).margin(0.021));
  CHECK((*engine)->Stats().dtmf_events_total == 1);
  std::filesystem::remove_all(config.recordings_dir);
}

TEST_CASE("With stereo off both legs are mixed into a mono file") {
  MediaConfig config = TestConfig("mono", 31900);
  config.stereo = false;
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  auto opened = (*engine)->Open(TwoLegs("mono-1"));
  REQUIRE(opened.ok());
  PcmuLeg a(opened->local_ports[0], 1, 0, 0);
  PcmuLeg b(opened->local_ports[1], 2, 0, 0);
  SendRealTime({&a, &b}, 1.5, [&](int f, int leg, int16_t* pcm) {
    for (int i = 0; i < kFrame; ++i) pcm[i] = ToneSample(leg == 0 ? 440 : 1000, int64_t{f} * kFrame + i, kRate, 6000);
    return true;
  });
  (*engine)->Close("mono-1");
  REQUIRE(WaitForEvent(**engine, "mono-1", MediaEventKind::kFinished, nullptr));
  const auto audio = DecodeOpusFile(opened->file);
  REQUIRE(audio.ok);
  CHECK(audio.channels == 1);
  const auto mix = audio.Channel(0, 0.3, 1.3);
  CHECK(testing::GoertzelShare(mix, 440) > 0.1);
  CHECK(testing::GoertzelShare(mix, 1000) > 0.1);
  CHECK(testing::OpusinfoAccepts(opened->file));
  std::filesystem::remove_all(config.recordings_dir);
}

TEST_CASE("Open refuses with 503 when ports run out or the disk is almost full") {
  // A range of exactly two even ports, both free right now (other test runs may hold some).
  const uint16_t base = FreePortPair(31600, 31998);
  REQUIRE(base != 0);
  MediaConfig config = TestConfig("refuse", base, static_cast<uint16_t>(base + 3));
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  auto first = (*engine)->Open(TwoLegs("r-1"));
  REQUIRE(first.ok());
  auto second = (*engine)->Open(TwoLegs("r-2"));
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == ErrorCode::kUnavailable);
  CHECK(second.error().message == "media: no free RTP port");
  CHECK((*engine)->Stats().rtp_ports_in_use == 2);
  CHECK((*engine)->Stats().rtp_port_exhausted_total == 1);
  auto again = (*engine)->Open(TwoLegs("r-1"));
  CHECK_FALSE(again.ok());
  auto bad_id = (*engine)->Open(TwoLegs("../etc/passwd"));
  CHECK_FALSE(bad_id.ok());
  CHECK((*engine)->Update(TwoLegs("nope")).error().code == ErrorCode::kNotFound);
  (*engine)->Close("r-1");
  REQUIRE(WaitForEvent(**engine, "r-1", MediaEventKind::kFinished, nullptr));
  CHECK((*engine)->Stats().rtp_ports_in_use == 0);

  MediaConfig full = TestConfig("full", 31700);
  full.min_free_disk_bytes = UINT64_MAX;
  auto full_engine = MediaEngine::Start(full);
  REQUIRE(full_engine.ok());
  auto refused = (*full_engine)->Open(TwoLegs("f-1"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kUnavailable);
  CHECK(refused.error().message == "media: disk almost full");
  CHECK((*full_engine)->Stats().disk_full_refusals_total == 1);
  std::filesystem::remove_all(config.recordings_dir);
  std::filesystem::remove_all(full.recordings_dir);
}

TEST_CASE("Update adds a stream on a new port and keeps the existing one") {
  MediaConfig config = TestConfig("update", 31800);
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  RecordingSpec spec{"u-1", {Stream(0, 0), Stream(1, 1)}};
  auto opened = (*engine)->Open(spec);
  REQUIRE(opened.ok());
  spec.streams.push_back(Stream(2, -1));
  auto updated = (*engine)->Update(spec);
  REQUIRE(updated.ok());
  REQUIRE(updated->local_ports.size() == 3);
  CHECK(updated->local_ports[0] == opened->local_ports[0]);
  CHECK(updated->local_ports[1] == opened->local_ports[1]);
  CHECK(updated->local_ports[2] != opened->local_ports[0]);
  CHECK((*engine)->Stats().rtp_ports_in_use == 3);
  spec.streams.erase(spec.streams.begin());
  auto shrunk = (*engine)->Update(spec);
  REQUIRE(shrunk.ok());
  CHECK(shrunk->local_ports == std::vector<uint16_t>{updated->local_ports[1], updated->local_ports[2]});
  (*engine)->Close("u-1");
  REQUIRE(WaitForEvent(**engine, "u-1", MediaEventKind::kFinished, nullptr));
  CHECK((*engine)->Stats().rtp_ports_in_use == 0);
  std::filesystem::remove_all(config.recordings_dir);
}

}  // namespace
}  // namespace kronika::media
