// The evidence the engine hands over with kFinished, and the verdict it leads to, for each
// verdict provoked by real RTP over UDP (issue 14 item 4): eight recordings run side by side
// in one engine for 3 s, each with its own way of (not) sending.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "audio_test_util.h"
#include "kronika/media/completeness.h"
#include "kronika/media/media_engine.h"
#include "media_test_util.h"
#include "rtp_test_sender.h"

namespace kronika::media {
namespace {

using Clock = std::chrono::steady_clock;
using testing::PcmuLeg;
using testing::ToneSample;

constexpr int kRate = 8000;
constexpr int kFrame = 160;
constexpr int kFrames = 150;  // 3 s

// What a leg sends in frame f: a tone, digital silence (PCMU of 0), nothing while its
// sequence numbers run on (lost), or nothing at all (stopped, as on hold).
enum class Send { kTone, kZeros, kLost, kStopped };

struct Case {
  std::string id;
  Verdict expected;
  std::function<Send(int leg, int frame)> send;
  bool paused_0_8_to_2_0 = false;  // both streams paused by Update for [0.8 s, 2.0 s)
};

std::vector<Case> Cases() {
  return {
      {"ev-complete", Verdict::kComplete, [](int, int) { return Send::kTone; }},
      {"ev-one-way-never", Verdict::kOneWay, [](int leg, int) { return leg == 0 ? Send::kTone : Send::kStopped; }},
      {"ev-one-way-silent", Verdict::kOneWay, [](int leg, int) { return leg == 0 ? Send::kTone : Send::kZeros; }},
      {"ev-silent", Verdict::kSilent, [](int, int) { return Send::kZeros; }},
      {"ev-no-media", Verdict::kNoMedia, [](int, int) { return Send::kStopped; }},
      {"ev-partial-gap", Verdict::kPartial,
       [](int leg, int f) { return leg == 1 && f >= 50 && f < 125 ? Send::kLost : Send::kTone; }},
      {"ev-partial-stopped", Verdict::kPartial, [](int, int f) { return f < 50 ? Send::kTone : Send::kStopped; }},
      {"ev-paused", Verdict::kComplete, [](int, int f) { return f >= 40 && f < 100 ? Send::kStopped : Send::kTone; },
       true},
  };
}

TEST_CASE("Evidence: each verdict provoked by real RTP, judged from what the engine reports") {
  MediaConfig config = testing::TestEngineConfig("evidence", 33200, 2, 33299);
  config.no_rtp_warning_ms = 1000;
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  const std::vector<Case> cases = Cases();
  std::map<std::string, RecordingSpec> specs;
  std::vector<std::unique_ptr<PcmuLeg>> legs;  // two per case
  const auto opened_at = Clock::now();
  for (const Case& c : cases) {
    specs[c.id] = testing::StereoPcmuSpec(c.id);
    auto opened = (*engine)->Open(specs[c.id]);
    REQUIRE(opened.ok());
    for (int leg = 0; leg < 2; ++leg) {
      legs.push_back(std::make_unique<PcmuLeg>(opened->local_ports[static_cast<size_t>(leg)], 0x100u + legs.size(),
                                               1000, 100));
    }
  }
  const auto start = Clock::now();
  int16_t pcm[kFrame];
  for (int f = 0; f < kFrames; ++f) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * f));
    for (size_t i = 0; i < cases.size(); ++i) {
      const Case& c = cases[i];
      if (c.paused_0_8_to_2_0 && (f == 40 || f == 100)) {
        for (auto& s : specs[c.id].streams) s.paused = f == 40;
        REQUIRE((*engine)->Update(specs[c.id]).ok());
      }
      for (int leg = 0; leg < 2; ++leg) {
        PcmuLeg& sender = *legs[2 * i + static_cast<size_t>(leg)];
        switch (c.send(leg, f)) {
          case Send::kTone:
            for (int k = 0; k < kFrame; ++k) pcm[k] = ToneSample(leg == 0 ? 440 : 1000, int64_t{f} * kFrame + k, kRate, 6000);
            sender.SendFrame(pcm, kFrame);
            break;
          case Send::kZeros:
            for (int k = 0; k < kFrame; ++k) pcm[k] = 0;
            sender.SendFrame(pcm, kFrame);
            break;
          case Send::kLost: sender.SkipFrame(kFrame); break;
          case Send::kStopped: break;
        }
      }
    }
  }
  const auto sent_until = Clock::now();
  for (const Case& c : cases) (*engine)->Close(c.id);

  std::map<std::string, MediaEvent> finished;
  std::map<std::string, int> no_rtp;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (finished.size() < cases.size() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    for (auto& e : (*engine)->TakeEvents()) {
      if (e.kind == MediaEventKind::kFinished) finished[e.recording_id] = e;
      if (e.kind == MediaEventKind::kNoRtp) ++no_rtp[e.recording_id];
    }
  }
  REQUIRE(finished.size() == cases.size());
  const double wall_s = std::chrono::duration<double>(sent_until - opened_at).count();

  for (const Case& c : cases) {
    INFO("recording " << c.id);
    const RecordingEvidence& e = finished[c.id].evidence;
    const Completeness judged = JudgeCompleteness(e, {});
    CHECK(VerdictName(judged.verdict) == VerdictName(c.expected));
    REQUIRE(e.legs.size() == 2);
    CHECK(e.duration_ms == Approx(wall_s * 1000).margin(150));
    CHECK(e.start_unix_ms > 1'600'000'000'000);
    for (const LegEvidence& leg : e.legs) {
      CHECK(leg.active_from_ms == 0);
      CHECK(leg.active_to_ms == e.duration_ms);
      CHECK(leg.packets_lost + leg.packets_received == leg.packets_expected);
    }
  }

  // What the evidence says, leg by leg, where the verdict came from.
  const RecordingEvidence& complete = finished["ev-complete"].evidence;
  for (const LegEvidence& leg : complete.legs) {
    CHECK(leg.packets_received == kFrames);
    CHECK(leg.packets_lost == 0);
    CHECK(leg.gaps.empty());
    CHECK(leg.first_packet_ms < 100);
    CHECK(leg.last_packet_ms == Approx(complete.duration_ms - 20).margin(150));
    CHECK(leg.last_packet_unix_ms - leg.first_packet_unix_ms == leg.last_packet_ms - leg.first_packet_ms);
    CHECK(leg.codecs == std::vector<std::string>{"PCMU"});
    CHECK(leg.signal_ms == Approx(3000).margin(100));
    CHECK(leg.rms_dbfs == Approx(-17.8).margin(1.0));   // 6000 peak: RMS 4243 = -17.8 dBFS
    CHECK(leg.peak_dbfs == Approx(-14.7).margin(1.0));
  }
  CHECK(complete.legs[0].channel == 0);
  CHECK(complete.legs[1].label == "2");

  const LegEvidence& never = finished["ev-one-way-never"].evidence.legs[1];
  CHECK(never.packets_received == 0);
  CHECK(never.first_packet_ms == -1);
  CHECK(never.latched_source.empty());
  CHECK(no_rtp["ev-one-way-never"] == 1);
  CHECK(no_rtp["ev-no-media"] == 2);
  CHECK(no_rtp["ev-complete"] == 0);

  const LegEvidence& zeros = finished["ev-one-way-silent"].evidence.legs[1];
  CHECK(zeros.packets_received == kFrames);
  CHECK(zeros.signal_ms == 0);
  CHECK(zeros.audio_ms == Approx(3000).margin(100));
  CHECK(zeros.rms_dbfs == -120);

  const LegEvidence& gappy = finished["ev-partial-gap"].evidence.legs[1];
  REQUIRE(gappy.gaps.size() == 1);
  CHECK(gappy.gaps[0].kind == GapKind::kLoss);
  CHECK(gappy.gaps[0].missing_packets == 75);
  CHECK(gappy.gaps[0].from_ms == Approx(980).margin(100));
  CHECK(gappy.gaps[0].to_ms == Approx(2500).margin(100));
  CHECK(gappy.packets_lost == 75);
  CHECK(gappy.packets_expected == kFrames);

  const RecordingEvidence& stopped = finished["ev-partial-stopped"].evidence;
  for (const LegEvidence& leg : stopped.legs) {
    REQUIRE(leg.gaps.size() == 1);
    CHECK(leg.gaps[0].kind == GapKind::kEnd);
    CHECK(leg.gaps[0].from_ms == Approx(980).margin(100));
    CHECK(leg.gaps[0].to_ms == stopped.duration_ms);
  }

  const RecordingEvidence& paused = finished["ev-paused"].evidence;
  for (const LegEvidence& leg : paused.legs) {
    REQUIRE(leg.pauses.size() == 1);
    CHECK(leg.pauses[0].from_ms == Approx(800).margin(100));
    CHECK(leg.pauses[0].to_ms == Approx(2000).margin(100));
    REQUIRE(leg.gaps.size() == 1);
    CHECK(leg.gaps[0].kind == GapKind::kSilence);  // the hold: nothing sent, nothing missing
    CHECK(leg.packets_lost == 0);
    CHECK(leg.signal_ms == Approx(1800).margin(150));  // the pause is not audio
  }
  std::filesystem::remove_all(config.recordings_dir);
}

}  // namespace
}  // namespace kronika::media
