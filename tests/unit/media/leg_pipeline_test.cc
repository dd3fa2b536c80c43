// LegPipeline: packets in, PCM on the recording timeline out (no sockets, synthetic time).
#include "leg_pipeline.h"

extern "C" {  // bcg729 headers lack C++ guards
#include <bcg729/encoder.h>
}
#include <catch2/catch.hpp>
#include <opus/opus.h>
#include <spandsp.h>

#include <algorithm>
#include <functional>
#include <random>

#include "leg_test_util.h"

namespace kronika::media {
namespace {

using testing::DominantFrequency;
using testing::kMs;
using testing::MakeRtp;
using testing::RecordingSink;
using testing::Rms;
using testing::Tone;

struct Sent {
  int64_t arrival_ns = 0;
  std::vector<uint8_t> bytes;
};

LegConfig PcmuConfig(int rate = 8000) {
  LegConfig c;
  c.formats = {{0, "PCMU", 8000, 1}, {8, "PCMA", 8000, 1}, {101, "telephone-event", 8000, 1},
               {13, "CN", 8000, 1}};
  c.output_rate_hz = rate;
  return c;
}

// Delivers packets in arrival order, draining every `tick`; checks the watermark contract
// on the way: after Drain(t), watermark >= t - 60 ms and no later chunk starts before it.
void Run(LegPipeline& leg, std::vector<Sent> sent, RecordingSink& sink, int rate = 8000,
         int64_t tick_ns = 10 * kMs, const std::function<void(int64_t)>& on_tick = {}) {
  std::stable_sort(sent.begin(), sent.end(),
                   [](const Sent& a, const Sent& b) { return a.arrival_ns < b.arrival_ns; });
  const int64_t end = (sent.empty() ? 0 : sent.back().arrival_ns) + 300 * kMs;
  size_t next = 0;
  int64_t watermark = 0;
  for (int64_t t = 0; t <= end; t += tick_ns) {
    if (on_tick) on_tick(t);
    while (next < sent.size() && sent[next].arrival_ns <= t) {
      leg.OnDatagram(sent[next].bytes.data(), sent[next].bytes.size(), sent[next].arrival_ns);
      ++next;
    }
    const size_t before = sink.chunks.size();
    leg.Drain(t, sink);
    for (size_t i = before; i < sink.chunks.size(); ++i) REQUIRE(sink.chunks[i].start >= watermark);
    watermark = leg.watermark();
    REQUIRE(watermark >= t / 1000 * rate / 1000000 - 60 * rate / 1000);
  }
  REQUIRE(sink.overlaps == 0);
}

struct Stream {
  uint8_t pt = 0;
  uint32_t ssrc = 0x11223344;
  uint16_t seq0 = 1000;
  uint32_t ts0 = 5000;
  int64_t t0_ns = 100 * kMs;      // arrival of packet 0
  int64_t period_ns = 20 * kMs;   // sender's packet spacing on our clock
  double freq = 1000;
};

// PCMU packets of 20 ms carrying a continuous tone; packet k holds samples [160k, 160k+160).
Sent Pcmu(const Stream& s, int k, int64_t extra_delay_ns = 0, bool marker = false) {
  const auto pcm = Tone(s.freq, 8000, 160, int64_t(k) * 160);
  std::vector<uint8_t> payload;
  for (int16_t v : pcm) payload.push_back(linear_to_ulaw(v));
  return Sent{s.t0_ns + k * s.period_ns + extra_delay_ns,
              MakeRtp(s.pt, uint16_t(s.seq0 + k), uint32_t(s.ts0 + 160u * uint32_t(k)), s.ssrc,
                      payload, marker)};
}

std::vector<Sent> PcmuRun(const Stream& s, int count) {
  std::vector<Sent> out;
  for (int k = 0; k < count; ++k) out.push_back(Pcmu(s, k));
  return out;
}

TEST_CASE("Leg: a PCMU stream lands at its arrival time and decodes to its tone", "[leg]") {
  LegPipeline leg(PcmuConfig());
  RecordingSink sink;
  Stream s;
  std::mt19937 rng(7);
  auto sent = PcmuRun(s, 50);
  for (size_t k = 1; k < sent.size(); ++k) sent[k].arrival_ns += int64_t(rng() % 40) * kMs;
  Run(leg, sent, sink);

  REQUIRE_FALSE(sink.chunks.empty());
  CHECK(sink.chunks.front().start == 800);  // 100 ms at 8 kHz: jitter does not move audio
  CHECK(sink.CoveredIn(800, 800 + 8000) == 8000);
  CHECK(sink.CoveredIn(0, 800) == 0);
  CHECK(sink.chunks.back().end() == 800 + 8000);
  const auto timeline = sink.Timeline();
  CHECK(DominantFrequency(std::vector<int16_t>(timeline.begin() + 800, timeline.end()), 8000) ==
        1000);
  const auto& st = leg.stats();
  CHECK(st.packets == 50);
  CHECK(st.bytes == 50 * 172);
  CHECK(st.lost == 0);
  CHECK(st.late == 0);
  CHECK(st.concealed_samples == 0);
  CHECK(st.codec == "PCMU");
  CHECK(st.reordered > 0);  // 40 ms of random jitter on 20 ms packets reorders some
}

TEST_CASE("Leg: reordered packets within 60 ms play in RTP order", "[leg]") {
  LegPipeline leg(PcmuConfig());
  RecordingSink sink;
  Stream s;
  auto sent = PcmuRun(s, 20);
  std::swap(sent[5].arrival_ns, sent[7].arrival_ns);  // 7 arrives 40 ms before 5
  std::swap(sent[12].arrival_ns, sent[13].arrival_ns);
  Run(leg, sent, sink);
  CHECK(leg.stats().reordered == 3);  // 6 and 5 after 7, 12 after 13
  CHECK(leg.stats().late == 0);
  CHECK(leg.stats().concealed_samples == 0);
  CHECK(sink.CoveredIn(800, 800 + 20 * 160) == 20 * 160);
  // Samples are where the sender put them: the tone is continuous across the swaps.
  const auto expected = Tone(1000, 8000, 20 * 160);
  const auto timeline = sink.Timeline();
  for (int k : {5, 6, 7, 12, 13}) {
    const int16_t got = timeline[size_t(800 + k * 160 + 40)];
    CHECK(std::abs(got - expected[size_t(k * 160 + 40)]) < 300);  // mu-law step
  }
}

TEST_CASE("Leg: duplicates are dropped and counted", "[leg]") {
  LegPipeline leg(PcmuConfig());
  RecordingSink sink;
  Stream s;
  auto sent = PcmuRun(s, 20);
  for (int k = 0; k < 20; k += 5) {
    Sent copy = sent[size_t(k)];
    copy.arrival_ns += 3 * kMs;
    sent.push_back(copy);
  }
  Run(leg, sent, sink);
  CHECK(leg.stats().duplicate == 4);
  CHECK(leg.stats().packets == 20);
  CHECK(sink.CoveredIn(0, 100000) == 20 * 160);
}

TEST_CASE("Leg: a lost packet is concealed for exactly its duration", "[leg]") {
  LegPipeline leg(PcmuConfig());
  RecordingSink sink;
  Stream s;
  auto sent = PcmuRun(s, 20);
  sent.erase(sent.begin() + 10);
  Run(leg, sent, sink);
  const auto& st = leg.stats();
  CHECK(st.lost == 1);
  CHECK(st.concealed_samples == 160);
  const int64_t slot = 800 + 10 * 160;
  CHECK(sink.CoveredIn(slot, slot + 160) == 160);
  CHECK(sink.CoveredIn(800, 800 + 20 * 160) == 20 * 160);
  const auto timeline = sink.Timeline();
  CHECK(Rms(timeline.data() + slot, 80) > 2000);  // PLC repeats the tone, not silence
  // Packet 11 is still in its place.
  CHECK(std::abs(timeline[size_t(slot + 160 + 10)] - Tone(1000, 8000, 1, 11 * 160 + 10)[0]) <
        300);
}

TEST_CASE("Leg: a packet later than its slot is dropped as late, the slot concealed", "[leg]") {
  LegPipeline leg(PcmuConfig());
  RecordingSink sink;
  Stream s;
  auto sent = PcmuRun(s, 20);
  sent[10].arrival_ns += 150 * kMs;
  Run(leg, sent, sink);
  CHECK(leg.stats().late == 1);
  CHECK(leg.stats().lost == 0);  // RFC 3550: it did arrive
  CHECK(leg.stats().concealed_samples == 160);
  CHECK(sink.CoveredIn(800, 800 + 20 * 160) == 20 * 160);
}

TEST_CASE("Leg: a 60 ms loss is concealed, a longer burst becomes silence", "[leg]") {
  LegPipeline leg(PcmuConfig());
  RecordingSink sink;
  Stream s;
  auto sent = PcmuRun(s, 60);
  sent.erase(sent.begin() + 30, sent.begin() + 40);  // 200 ms: nothing buffered in time
  sent.erase(sent.begin() + 10, sent.begin() + 13);  // 60 ms: packet 13 arrives in time
  Run(leg, sent, sink);
  CHECK(leg.stats().lost == 13);
  CHECK(leg.stats().concealed_samples == 480);
  CHECK(sink.CoveredIn(800 + 1600, 800 + 1600 + 480) == 480);
  CHECK(sink.CoveredIn(800 + 4800, 800 + 6400) == 0);
  CHECK(sink.CoveredIn(800 + 6400, 800 + 60 * 160) == 20 * 160);
}

TEST_CASE("Leg: a talkspurt after silence (marker bit) is placed by timestamp", "[leg]") {
  LegPipeline leg(PcmuConfig());
  RecordingSink sink;
  Stream s;
  auto sent = PcmuRun(s, 10);
  // 400 ms pause with no packets, sequence numbers continuous (silence suppression).
  Stream later = s;
  later.seq0 = uint16_t(s.seq0 - 20);   // so that packet 30 of `later` has seq0 + 10
  for (int k = 30; k < 40; ++k) sent.push_back(Pcmu(later, k, 0, /*marker=*/k == 30));
  Run(leg, sent, sink);
  CHECK(leg.stats().lost == 0);
  CHECK(leg.stats().concealed_samples == 0);
  CHECK(sink.CoveredIn(800 + 1600, 800 + 30 * 160) == 0);
  CHECK(sink.CoveredIn(800 + 30 * 160, 800 + 40 * 160) == 1600);
  CHECK(sink.chunks.back().end() == 800 + 40 * 160);
}

TEST_CASE("Leg: comfort noise (PT 13) leaves silence until the next talkspurt", "[leg]") {
  LegPipeline leg(PcmuConfig());
  RecordingSink sink;
  Stream s;
  auto sent = PcmuRun(s, 10);
  sent.push_back(Sent{s.t0_ns + 10 * s.period_ns,
                      MakeRtp(13, uint16_t(s.seq0 + 10), s.ts0 + 1600, s.ssrc, {40})});
  Stream later = s;
  later.seq0 = uint16_t(s.seq0 - 14);  // packet 25 follows the CN packet's sequence number
  for (int k = 25; k < 35; ++k) sent.push_back(Pcmu(later, k, 0, k == 25));
  Run(leg, sent, sink);
  CHECK(leg.stats().concealed_samples == 0);
  CHECK(leg.stats().lost == 0);
  CHECK(leg.stats().bad == 0);
  CHECK(sink.CoveredIn(800 + 1600, 800 + 25 * 160) == 0);
  CHECK(sink.CoveredIn(800 + 25 * 160, 800 + 35 * 160) == 1600);
}

TEST_CASE("Leg: sequence and timestamp wrap-around are seamless", "[leg]") {
  LegPipeline leg(PcmuConfig());
  RecordingSink sink;
  Stream s;
  s.seq0 = 65530;
  s.ts0 = 0xffffffffu - 3 * 160 + 1;
  Run(leg, PcmuRun(s, 20), sink);
  CHECK(leg.stats().lost == 0);
  CHECK(leg.stats().reanchors == 0);
  CHECK(leg.stats().concealed_samples == 0);
  CHECK(sink.CoveredIn(800, 800 + 20 * 160) == 20 * 160);
  CHECK(sink.chunks.back().end() == 800 + 20 * 160);
}

TEST_CASE("Leg: a new SSRC starts at its arrival time", "[leg]") {
  LegPipeline leg(PcmuConfig());
  RecordingSink sink;
  Stream a;
  Stream b;
  b.ssrc = 0x55667788;
  b.seq0 = 40000;
  b.ts0 = 123456789;
  b.t0_ns = 1000 * kMs;  // 400 ms after a's last packet
  b.freq = 2000;
  auto sent = PcmuRun(a, 25);
  for (auto& p : PcmuRun(b, 25)) sent.push_back(p);
  Run(leg, sent, sink);
  CHECK(leg.stats().ssrc_changes == 1);
  CHECK(leg.stats().lost == 0);
  CHECK(sink.CoveredIn(800, 800 + 25 * 160) == 25 * 160);
  CHECK(sink.CoveredIn(8000, 8000 + 25 * 160) == 25 * 160);
  CHECK(sink.chunks.back().end() == 8000 + 25 * 160);
  const auto timeline = sink.Timeline();
  CHECK(DominantFrequency(std::vector<int16_t>(timeline.begin() + 8000, timeline.end()), 8000) ==
        2000);
}

TEST_CASE("Leg: a timestamp jump of more than 1 s re-anchors at arrival", "[leg]") {
  const int64_t jump = GENERATE(int64_t{80000}, int64_t{-40000});  // +10 s, -5 s
  LegPipeline leg(PcmuConfig());
  RecordingSink sink;
  Stream s;
  auto sent = PcmuRun(s, 40);
  for (size_t k = 20; k < sent.size(); ++k) {
    uint32_t ts = (uint32_t(sent[k].bytes[4]) << 24) | (uint32_t(sent[k].bytes[5]) << 16) |
                  (uint32_t(sent[k].bytes[6]) << 8) | sent[k].bytes[7];
    ts = uint32_t(int64_t(ts) + jump);
    for (int i = 0; i < 4; ++i) sent[k].bytes[size_t(4 + i)] = uint8_t(ts >> (24 - 8 * i));
  }
  sent[19].arrival_ns += 25 * kMs;  // arrives after the jump: a straggler
  Run(leg, sent, sink);
  CHECK(leg.stats().reanchors == 1);
  CHECK(leg.stats().late == 1);
  // Audio stays where it was heard: packets from 100 ms, the straggler's slot concealed.
  CHECK(sink.CoveredIn(800, 800 + 40 * 160) == 40 * 160);
  CHECK(leg.stats().concealed_samples == 160);
  CHECK(sink.chunks.back().end() == 800 + 40 * 160);
}

// Payload with one known constant level per packet, to find packets on the timeline.
int16_t LevelOf(int k) { return ulaw_to_linear(uint8_t(0x80 + (k % 100))); }

TEST_CASE("Leg: sender clock drift stays within 20 ms of arrival time", "[leg]") {
  const int64_t period_us = GENERATE(int64_t{20100}, int64_t{19900});  // 0.5 % slow / fast
  LegPipeline leg(PcmuConfig());
  RecordingSink sink;
  std::vector<Sent> sent;
  const int count = 1500;  // 30 s
  for (int k = 0; k < count; ++k) {
    std::vector<uint8_t> payload(160, uint8_t(0x80 + (k % 100)));
    sent.push_back(Sent{100 * kMs + k * period_us * 1000,
                        MakeRtp(0, uint16_t(k), uint32_t(160 * k), 1, payload)});
  }
  Run(leg, sent, sink);
  CHECK(leg.stats().late == 0);
  CHECK(leg.stats().reanchors >= 3);  // without correction the offset would reach 150 ms
  int64_t worst = 0;
  int checked = 0;
  for (const auto& c : sink.chunks) {
    if (c.samples.size() != 160) continue;
    // Find which packet this is from its level (unique within 100 packets = 2 s).
    const int64_t arrival_samples_guess = c.start;
    for (int k = 0; k < count; ++k) {
      const int64_t arrival = (100 * kMs + k * period_us * 1000) / 125000;
      if (LevelOf(k) == c.samples[80] && std::llabs(arrival - arrival_samples_guess) < 4000) {
        worst = std::max<int64_t>(worst, std::llabs(c.start - arrival));
        ++checked;
        break;
      }
    }
  }
  CHECK(checked > count * 9 / 10);
  CHECK(worst <= 20 * 8);  // the 20 ms alignment budget
}

TEST_CASE("Leg: unknown payload types and garbage are counted as bad", "[leg]") {
  LegPipeline leg(PcmuConfig());
  RecordingSink sink;
  std::vector<Sent> sent = {Sent{10 * kMs, MakeRtp(96, 1, 0, 1, std::vector<uint8_t>(160, 0xff))},
                            Sent{20 * kMs, {0x00, 0x01, 0x02}}};
  std::mt19937 rng(3);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> junk(rng() % 200);
    for (auto& b : junk) b = uint8_t(rng());
    if (!junk.empty()) junk[0] = uint8_t((junk[0] & 0x3f) | 0x40);  // never version 2
    sent.push_back(Sent{30 * kMs + i * kMs / 10, junk});
  }
  Run(leg, sent, sink);
  CHECK(leg.stats().bad == 2002);
  CHECK(leg.stats().packets == 0);
  CHECK(sink.chunks.empty());
}

TEST_CASE("Leg: random datagrams with valid RTP headers never break the contract", "[leg]") {
  LegConfig config = PcmuConfig();
  config.formats.push_back({9, "G722", 8000, 1});
  config.formats.push_back({18, "G729", 8000, 1});
  config.formats.push_back({111, "opus", 48000, 2});
  LegPipeline leg(config);
  RecordingSink sink;
  std::mt19937 rng(11);
  const uint8_t pts[] = {0, 8, 9, 13, 18, 101, 111};
  std::vector<Sent> sent;
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> payload(rng() % 300);
    for (auto& b : payload) b = uint8_t(rng());
    sent.push_back(Sent{int64_t(i) * 2 * kMs,
                        MakeRtp(pts[rng() % 7], uint16_t(rng() % 64), rng() % 100000,
                                rng() % 2, payload, rng() % 2)});
  }
  Run(leg, sent, sink);  // the harness checks order, overlap and watermark
  CHECK(leg.stats().packets > 0);
}

TEST_CASE("Leg: a re-INVITE codec change keeps the timeline", "[leg]") {
  LegConfig only_pcmu;
  only_pcmu.formats = {{0, "PCMU", 8000, 1}};
  LegPipeline leg(only_pcmu);
  RecordingSink sink;
  Stream s;
  auto sent = PcmuRun(s, 10);
  // Next 10 packets as PCMA, continuing sequence, timestamp and tone.
  for (int k = 10; k < 20; ++k) {
    const auto pcm = Tone(1000, 8000, 160, k * 160);
    std::vector<uint8_t> payload;
    for (int16_t v : pcm) payload.push_back(linear_to_alaw(v));
    sent.push_back(Sent{s.t0_ns + k * s.period_ns,
                        MakeRtp(8, uint16_t(s.seq0 + k), s.ts0 + 160u * uint32_t(k), s.ssrc,
                                payload)});
  }
  LegConfig only_pcma;
  only_pcma.formats = {{8, "PCMA", 8000, 1}};
  // The re-INVITE lands while PCMU packets 7..9 still wait in the reorder buffer.
  Run(leg, sent, sink, 8000, 10 * kMs, [&](int64_t t) {
    if (t == 290 * kMs) leg.Reconfigure(only_pcma);
  });
  CHECK(leg.stats().codec == "PCMA");
  CHECK(leg.stats().bad == 0);
  CHECK(leg.stats().concealed_samples == 0);
  CHECK(sink.CoveredIn(800, 800 + 20 * 160) == 20 * 160);
  const auto timeline = sink.Timeline();
  const auto expected = Tone(1000, 8000, 20 * 160);
  int far = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    if (std::abs(timeline[800 + i] - expected[i]) > 300) ++far;
  }
  CHECK(far == 0);  // every packet decoded with its own codec, in its place
}

// ---- other codecs through the pipeline ------------------------------------------------

TEST_CASE("Leg: G.722 gives 16 kHz audio, or 8 kHz resampled", "[leg]") {
  const int rate = GENERATE(16000, 8000);
  LegConfig config;
  config.formats = {{9, "G722", 8000, 1}};
  config.output_rate_hz = rate;
  LegPipeline leg(config);
  RecordingSink sink;
  const double freq = rate == 16000 ? 5000 : 1000;
  const auto pcm = Tone(freq, 16000, 50 * 320);
  g722_encode_state_t* enc = g722_encode_init(nullptr, 64000, 0);
  std::vector<Sent> sent;
  for (int k = 0; k < 50; ++k) {
    std::vector<uint8_t> payload(160);
    g722_encode(enc, payload.data(), pcm.data() + k * 320, 320);
    sent.push_back(Sent{100 * kMs + k * 20 * kMs,
                        MakeRtp(9, uint16_t(k), 160u * uint32_t(k), 9, payload)});
  }
  g722_encode_free(enc);
  Run(leg, sent, sink, rate);
  const int64_t start = 100 * rate / 1000;
  const int64_t per_packet = rate / 50;
  CHECK(sink.chunks.front().start == start);
  CHECK(sink.chunks.front().samples.size() == size_t(per_packet));
  CHECK(sink.CoveredIn(start, start + 50 * per_packet) == size_t(50 * per_packet));
  const auto timeline = sink.Timeline();
  CHECK(DominantFrequency(std::vector<int16_t>(timeline.begin() + start + per_packet * 5,
                                               timeline.end()),
                          rate) == freq);
  CHECK(leg.stats().codec == "G722");
}

TEST_CASE("Leg: G.729 at 20 ms per packet, resampled to 16 kHz", "[leg]") {
  LegConfig config;
  config.formats = {{18, "G729", 8000, 1}};
  config.output_rate_hz = 16000;
  LegPipeline leg(config);
  RecordingSink sink;
  const auto pcm = Tone(1000, 8000, 50 * 160, 0, 6000);
  auto* enc = initBcg729EncoderChannel(0);
  std::vector<Sent> sent;
  for (int k = 0; k < 50; ++k) {
    std::vector<uint8_t> payload(20);
    uint8_t len = 0;
    bcg729Encoder(enc, pcm.data() + k * 160, payload.data(), &len);
    bcg729Encoder(enc, pcm.data() + k * 160 + 80, payload.data() + 10, &len);
    if (k == 20) continue;  // lost: bcg729 PLC fills it
    sent.push_back(Sent{100 * kMs + k * 20 * kMs,
                        MakeRtp(18, uint16_t(k), 160u * uint32_t(k), 9, payload)});
  }
  closeBcg729EncoderChannel(enc);
  Run(leg, sent, sink, 16000);
  CHECK(leg.stats().lost == 1);
  CHECK(leg.stats().concealed_samples == 320);
  CHECK(sink.CoveredIn(1600, 1600 + 50 * 320) == 50 * 320);
  const auto timeline = sink.Timeline();
  CHECK(DominantFrequency(std::vector<int16_t>(timeline.begin() + 1600 + 3200, timeline.end()),
                          16000) == 1000);
}

TEST_CASE("Leg: Opus at 48 kHz RTP clock, loss filled by FEC/PLC", "[leg]") {
  const int rate = GENERATE(8000, 16000);
  LegConfig config;
  config.formats = {{111, "opus", 48000, 2}};
  config.output_rate_hz = rate;
  LegPipeline leg(config);
  RecordingSink sink;
  int err = 0;
  OpusEncoder* enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
  opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(1));
  opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(20));
  const auto pcm = Tone(1000, 48000, 50 * 960);
  std::vector<Sent> sent;
  for (int k = 0; k < 50; ++k) {
    std::vector<uint8_t> payload(400);
    const int n = opus_encode(enc, pcm.data() + k * 960, 960, payload.data(), 400);
    REQUIRE(n > 0);
    payload.resize(size_t(n));
    if (k == 25) continue;
    sent.push_back(Sent{100 * kMs + k * 20 * kMs,
                        MakeRtp(111, uint16_t(k), 960u * uint32_t(k), 9, payload)});
  }
  opus_encoder_destroy(enc);
  Run(leg, sent, sink, rate);
  const int64_t start = 100 * rate / 1000;
  const int64_t per_packet = rate / 50;
  CHECK(leg.stats().lost == 1);
  CHECK(leg.stats().concealed_samples == uint64_t(per_packet));
  CHECK(sink.CoveredIn(start, start + 50 * per_packet) == size_t(50 * per_packet));
  const auto timeline = sink.Timeline();
  const int64_t slot = start + 25 * per_packet;
  CHECK(Rms(timeline.data() + slot, size_t(per_packet)) > 1000);  // not a hole
  CHECK(DominantFrequency(std::vector<int16_t>(timeline.begin() + start + per_packet * 10,
                                               timeline.end()),
                          rate) == 1000);
  CHECK(leg.stats().codec == "OPUS");
}

TEST_CASE("Leg: config validation names the problem", "[leg]") {
  CHECK(LegPipeline::Validate(PcmuConfig()).ok());
  LegConfig bad = PcmuConfig();
  bad.formats.push_back({97, "AMR", 8000, 1});
  auto status = LegPipeline::Validate(bad);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message == "media: unsupported codec AMR/8000");
  CHECK(status.error().code == ErrorCode::kNotAcceptable);
  LegConfig rate = PcmuConfig();
  rate.output_rate_hz = 44100;
  CHECK_FALSE(LegPipeline::Validate(rate).ok());
  LegConfig no_audio;
  no_audio.formats = {{101, "telephone-event", 8000, 1}};
  CHECK_FALSE(LegPipeline::Validate(no_audio).ok());
}

}  // namespace
}  // namespace kronika::media
