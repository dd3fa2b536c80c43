// LegPipeline across an SDP pause (a sender that stops during the pause, or whose paused
// packets the worker mutes) with a worker that runs late: it reads and drains on its own schedule, not
// when packets arrive. The clock is fed, nothing sleeps. What a user hears: the tone
// before the pause, silence for the pause, the whole resumed tone after it, in place.
#include <catch2/catch.hpp>
#include <spandsp.h>

#include <algorithm>
#include <random>
#include <vector>

#include "leg_pipeline.h"
#include "leg_test_util.h"

namespace kronika::media {
namespace {

using testing::Goertzel;
using testing::kMs;
using testing::MakeRtp;
using testing::RecordingSink;
using testing::Rms;
using testing::Tone;

constexpr int kRate = 8000;
constexpr int kPacketSamples = 160;  // 20 ms

struct Packet {
  int64_t arrival_ns = 0;  // when it reached the host
  std::vector<uint8_t> bytes;
};

LegConfig Pcmu() {
  LegConfig c;
  c.formats = {{0, "PCMU", 8000, 1}};
  c.output_rate_hz = kRate;
  return c;
}

// A 440 Hz PCMU stream, packet k sent at first_ns + k * 20 ms (seq/ts continuous, as a
// sender that keeps sending through a pause does); packets [pause_from, pause_to) are
// dropped by the worker (paused) and never reach the pipeline.
std::vector<Packet> PausedStream(int64_t first_ns, int count, int pause_from, int pause_to,
                                 const std::vector<int64_t>& network_delay_ns) {
  std::vector<Packet> out;
  for (int k = 0; k < count; ++k) {
    if (k >= pause_from && k < pause_to) continue;
    std::vector<uint8_t> payload;
    for (int16_t v : Tone(440, kRate, kPacketSamples, int64_t{k} * kPacketSamples, 6000)) {
      payload.push_back(linear_to_ulaw(v));
    }
    const int64_t delay = network_delay_ns.empty() ? 0 : network_delay_ns[size_t(k) % network_delay_ns.size()];
    out.push_back(Packet{first_ns + k * 20 * kMs + delay,
                         MakeRtp(0, uint16_t(7000 + k), uint32_t(90000 + k * kPacketSamples), 0x4242, payload)});
  }
  return out;
}

// The worker: wakes at each of `wakes` (sorted), reads every packet that arrived by then,
// handing the pipeline either the packet's arrival time (kernel receive timestamp) or the
// read time (what a worker without timestamps knows), then drains the leg.
void RunWorker(LegPipeline& leg, const std::vector<Packet>& packets, const std::vector<int64_t>& wakes,
               bool kernel_timestamps, RecordingSink& sink) {
  size_t next = 0;
  for (int64_t at : wakes) {
    while (next < packets.size() && packets[next].arrival_ns <= at) {
      const Packet& p = packets[next++];
      leg.OnDatagram(p.bytes.data(), p.bytes.size(), kernel_timestamps ? p.arrival_ns : at);
    }
    leg.Drain(at, sink);
  }
  REQUIRE(next == packets.size());
  REQUIRE(sink.overlaps == 0);
}

// Worker wakes every 20 ms (a tick), except during [stall_from, stall_to): none at all.
std::vector<int64_t> Ticks(int64_t end_ns, int64_t stall_from = 0, int64_t stall_to = 0) {
  std::vector<int64_t> out;
  for (int64_t t = 0; t <= end_ns; t += 20 * kMs) {
    if (t >= stall_from && t < stall_to) continue;
    out.push_back(t);
  }
  if (stall_to > stall_from) out.push_back(stall_to);
  std::sort(out.begin(), out.end());
  return out;
}

int64_t Samples(double seconds) { return static_cast<int64_t>(seconds * kRate); }

// The timeline in [from_s, to_s) as a vector (silence where nothing was emitted).
std::vector<int16_t> Slice(const RecordingSink& sink, double from_s, double to_s) {
  auto all = sink.Timeline();
  all.resize(std::max(all.size(), size_t(Samples(to_s))), 0);
  return std::vector<int16_t>(all.begin() + Samples(from_s), all.begin() + Samples(to_s));
}

// Tone 0.1-2 s, paused 2-3 s, tone 3-4.1 s (the engine test's leg A); packet k sent at
// 100 ms + k * 20 ms.
constexpr int kCount = 200;
constexpr int kPauseFrom = 95;   // 2.0 s
constexpr int kPauseTo = 145;    // 3.0 s
constexpr int64_t kFirstNs = 100 * kMs;

void CheckPausedLeg(const RecordingSink& sink, const LegPipeline& leg) {
  const auto& st = leg.stats();
  INFO("late " << st.late << " reanchors " << st.reanchors << " concealed " << st.concealed_samples);
  // Before: tone; the pause: silence of the pause's length; after: the whole resumed tone.
  CHECK(sink.CoveredIn(Samples(0.3), Samples(2.0)) == size_t(Samples(1.7)));
  CHECK(sink.CoveredIn(Samples(2.01), Samples(2.99)) == 0);
  CHECK(sink.CoveredIn(Samples(3.1), Samples(4.1)) == size_t(Samples(1.0)));
  CHECK(Rms(Slice(sink, 3.1, 4.1).data(), size_t(Samples(1.0))) > 4000);
  const auto resumed = Slice(sink, 3.1, 4.1);
  CHECK(Goertzel(resumed.data(), resumed.size(), 440, kRate) >
        100 * Goertzel(resumed.data(), resumed.size(), 1000, kRate));
  CHECK(st.late == 0);
}

TEST_CASE("Leg pause: the resumed tone is complete when the worker drains late after the pause", "[leg]") {
  // The worker wakes late after the resume: its first drain comes `stall` after the first
  // resumed packet arrived (a starved or sanitized worker), then on time again.
  const int64_t stall_ms = GENERATE(0, 40, 100, 250, 600, 1500);
  const bool kernel_timestamps = GENERATE(true, false);
  INFO("stall " << stall_ms << " ms, " << (kernel_timestamps ? "kernel" : "read-time") << " arrival");
  LegPipeline leg(Pcmu());
  RecordingSink sink;
  const auto packets = PausedStream(kFirstNs, kCount, kPauseFrom, kPauseTo, {});
  const int64_t resume_ns = kFirstNs + kPauseTo * 20 * kMs;
  RunWorker(leg, packets, Ticks(4600 * kMs, resume_ns, resume_ns + stall_ms * kMs), kernel_timestamps, sink);
  if (kernel_timestamps || stall_ms < 1000) {
    // A late drain alone loses nothing: packets are placed by timestamp and the cursor
    // only moves when the leg is drained.
    CheckPausedLeg(sink, leg);
  } else {
    // Read time past the 1 s jump limit: the resumed packets look a second late and the leg
    // is re-anchored where they were read, moving the resumed audio. Kernel receive times
    // (the worker's SO_TIMESTAMPNS) avoid this.
    CHECK(leg.stats().reanchors >= 1);
    CHECK(sink.CoveredIn(Samples(3.1), Samples(3.1) + Samples(stall_ms / 1000.0) - Samples(0.1)) == 0);
  }
}

TEST_CASE("Leg pause: a late first packet, network jitter and a late resume keep the leg in place", "[leg]") {
  // The worker read the very first packet 150 ms late (recording just opened), the network
  // adds up to 30 ms of jitter, and the worker stalls 300 ms at the resume.
  LegPipeline leg(Pcmu());
  RecordingSink sink;
  std::mt19937 rng(5);
  std::vector<int64_t> jitter(kCount);
  for (auto& j : jitter) j = int64_t(rng() % 31) * kMs;
  jitter[0] = 0;
  auto packets = PausedStream(kFirstNs, kCount, kPauseFrom, kPauseTo, jitter);
  std::stable_sort(packets.begin(), packets.end(),
                   [](const Packet& a, const Packet& b) { return a.arrival_ns < b.arrival_ns; });
  const int64_t resume_ns = kFirstNs + kPauseTo * 20 * kMs;
  auto wakes = Ticks(4600 * kMs, kFirstNs, kFirstNs + 150 * kMs);
  const auto late = Ticks(4600 * kMs, resume_ns, resume_ns + 300 * kMs);
  std::vector<int64_t> both;
  std::set_intersection(wakes.begin(), wakes.end(), late.begin(), late.end(), std::back_inserter(both));
  both.push_back(kFirstNs + 150 * kMs);
  both.push_back(resume_ns + 300 * kMs);
  std::sort(both.begin(), both.end());
  RunWorker(leg, packets, both, /*kernel_timestamps=*/true, sink);
  CheckPausedLeg(sink, leg);
  // The first packet is where it arrived (100 ms), not where it was read (250 ms).
  REQUIRE_FALSE(sink.chunks.empty());
  CHECK(sink.chunks.front().start == Samples(0.1));
}

TEST_CASE("Leg pause: after Resync a sender whose timestamps stood still during a short hold is placed at its arrival", "[leg]") {
  // An SBC on hold for 400 ms sends nothing and does not advance its RTP timestamps (nor
  // its sequence numbers): after the resume the timestamps say "400 ms ago", under the 1 s
  // jump limit. The worker calls Resync() when it applies the resume.
  const bool resync = GENERATE(true, false);
  INFO((resync ? "with" : "without") << " Resync");
  LegPipeline leg(Pcmu());
  RecordingSink sink;
  std::vector<Packet> packets;
  for (int k = 0; k < 100; ++k) {  // packet k sent at 100 ms + k * 20 ms, plus the hold from k = 50 on
    std::vector<uint8_t> payload;
    for (int16_t v : Tone(440, kRate, kPacketSamples, int64_t{k} * kPacketSamples, 6000)) {
      payload.push_back(linear_to_ulaw(v));
    }
    const int64_t hold_ns = k >= 50 ? 400 * kMs : 0;
    packets.push_back(Packet{kFirstNs + k * 20 * kMs + hold_ns,
                             MakeRtp(0, uint16_t(300 + k), uint32_t(5000 + k * kPacketSamples), 0x77, payload)});
  }
  const int64_t resume_ns = kFirstNs + 50 * 20 * kMs + 400 * kMs;  // 1.5 s
  size_t next = 0;
  for (int64_t t = 0; t <= 3000 * kMs; t += 20 * kMs) {
    if (resync && t == resume_ns - 20 * kMs) leg.Resync();  // the worker applies the resume
    while (next < packets.size() && packets[next].arrival_ns <= t) {
      leg.OnDatagram(packets[next].bytes.data(), packets[next].bytes.size(), packets[next].arrival_ns);
      ++next;
    }
    leg.Drain(t, sink);
  }
  if (resync) {
    // The resumed second is on the timeline right where it arrived, none of it late.
    CHECK(leg.stats().late == 0);
    CHECK(sink.CoveredIn(Samples(1.5), Samples(2.5)) == size_t(Samples(1.0)));
    CHECK(sink.CoveredIn(Samples(1.11), Samples(1.49)) == 0);
  } else {
    // What happens without it: the resumed audio is placed in the past and dropped as late
    // until the drift correction moves the leg (two 0.5 s windows).
    CHECK(leg.stats().late > 20);
    CHECK(sink.CoveredIn(Samples(1.5), Samples(2.5)) < size_t(Samples(0.6)));
  }
}

}  // namespace
}  // namespace kronika::media
