// leg_bench: CPU cost of one RTP leg through LegPipeline (SRTP, parse, reorder, decode,
// resample), per 20 ms packet, for each codec. Writes JSON (argv[1], default stdout).
//
// Input: 60 s of a speech-band test signal (tone sweep + noise), 20 ms packets encoded
// before timing; packets are fed with synthetic arrival times and drained as a worker would
// (after every packet). Thread CPU time, median of 5 runs, each on a fresh pipeline.
#include <opus/opus.h>
#include <spandsp.h>
#include <srtp2/srtp.h>
extern "C" {
#include <bcg729/encoder.h>
}

#include <algorithm>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "leg_pipeline.h"
#include "srtp_session.h"

namespace {

using kronika::media::LegConfig;
using kronika::media::LegPipeline;
using kronika::media::LegSink;
using kronika::media::PcmChunk;
using kronika::media::DtmfEvent;

constexpr int kPackets = 3000;  // 60 s
constexpr int kRuns = 5;
constexpr int64_t kPacketNs = 20'000'000;

class CountingSink : public LegSink {
 public:
  void OnAudio(const PcmChunk& chunk) override { samples += chunk.count; }
  void OnDtmf(const DtmfEvent&) override {}
  size_t samples = 0;
};

std::vector<int16_t> Signal(int rate, size_t count) {
  std::vector<int16_t> out(count);
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0, 300);
  double phase = 0;
  for (size_t i = 0; i < count; ++i) {
    const double t = double(i) / rate;
    const double f = 300 + 1500 * (0.5 + 0.5 * std::sin(2 * M_PI * 0.3 * t));
    phase += 2 * M_PI * f / rate;
    out[i] = int16_t(std::clamp(6000 * std::sin(phase) + noise(rng), -32768.0, 32767.0));
  }
  return out;
}

std::vector<uint8_t> Rtp(uint8_t pt, int k, uint32_t ts_step, const std::vector<uint8_t>& p) {
  std::vector<uint8_t> out(12 + p.size());
  const uint16_t seq = uint16_t(k);
  const uint32_t ts = uint32_t(k) * ts_step;
  out[0] = 0x80;
  out[1] = pt;
  out[2] = uint8_t(seq >> 8);
  out[3] = uint8_t(seq);
  for (int i = 0; i < 4; ++i) out[size_t(4 + i)] = uint8_t(ts >> (24 - 8 * i));
  out[11] = 1;
  std::copy(p.begin(), p.end(), out.begin() + 12);
  return out;
}

std::vector<std::vector<uint8_t>> Encode(const std::string& codec) {
  std::vector<std::vector<uint8_t>> packets;
  if (codec == "PCMU") {
    const auto pcm = Signal(8000, kPackets * 160);
    for (int k = 0; k < kPackets; ++k) {
      std::vector<uint8_t> p(160);
      for (int i = 0; i < 160; ++i) p[size_t(i)] = linear_to_ulaw(pcm[size_t(k * 160 + i)]);
      packets.push_back(Rtp(0, k, 160, p));
    }
  } else if (codec == "G722") {
    const auto pcm = Signal(16000, kPackets * 320);
    g722_encode_state_t* enc = g722_encode_init(nullptr, 64000, 0);
    for (int k = 0; k < kPackets; ++k) {
      std::vector<uint8_t> p(160);
      g722_encode(enc, p.data(), pcm.data() + k * 320, 320);
      packets.push_back(Rtp(9, k, 160, p));
    }
    g722_encode_free(enc);
  } else if (codec == "G729") {
    const auto pcm = Signal(8000, kPackets * 160);
    auto* enc = initBcg729EncoderChannel(0);
    for (int k = 0; k < kPackets; ++k) {
      std::vector<uint8_t> p(20);
      uint8_t len = 0;
      bcg729Encoder(enc, pcm.data() + k * 160, p.data(), &len);
      bcg729Encoder(enc, pcm.data() + k * 160 + 80, p.data() + 10, &len);
      packets.push_back(Rtp(18, k, 160, p));
    }
    closeBcg729EncoderChannel(enc);
  } else if (codec == "OPUS") {
    const auto pcm = Signal(48000, kPackets * 960);
    int err = 0;
    OpusEncoder* enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
    opus_encoder_ctl(enc, OPUS_SET_BITRATE(24000));
    opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(1));
    opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(5));
    for (int k = 0; k < kPackets; ++k) {
      std::vector<uint8_t> p(400);
      const int n = opus_encode(enc, pcm.data() + k * 960, 960, p.data(), 400);
      p.resize(size_t(std::max(n, 0)));
      packets.push_back(Rtp(111, k, 960, p));
    }
    opus_encoder_destroy(enc);
  }
  return packets;
}

void Protect(std::vector<std::vector<uint8_t>>& packets, const uint8_t key[30]) {
  (void)kronika::media::EnsureSrtpInitialized();
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  std::vector<uint8_t> k(key, key + 30);
  policy.key = k.data();
  policy.ssrc.type = ssrc_any_outbound;
  srtp_t session = nullptr;
  srtp_create(&session, &policy);
  for (auto& p : packets) {
    int len = int(p.size());
    p.resize(p.size() + SRTP_MAX_TRAILER_LEN);
    srtp_protect(session, p.data(), &len);
    p.resize(size_t(len));
  }
  srtp_dealloc(session);
}

// CPU time of this thread: the machine is shared, wall time would count waiting.
int64_t ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

struct Case {
  std::string name;
  std::string codec;
  int output_rate;
  bool srtp;
};

double RunOnce(const Case& c, const std::vector<std::vector<uint8_t>>& packets, size_t* out) {
  LegConfig config;
  config.formats = {{0, "PCMU", 8000, 1},
                    {9, "G722", 8000, 1},
                    {18, "G729", 8000, 1},
                    {111, "opus", 48000, 2},
                    {101, "telephone-event", 8000, 1}};
  config.output_rate_hz = c.output_rate;
  if (c.srtp) {
    config.srtp_suite = "AES_CM_128_HMAC_SHA1_80";
    config.srtp_key_b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";
  }
  LegPipeline leg(config);
  CountingSink sink;
  const int64_t start = ThreadCpuNs();
  for (size_t k = 0; k < packets.size(); ++k) {
    const int64_t t = 100'000'000 + int64_t(k) * kPacketNs;
    leg.OnDatagram(packets[k].data(), packets[k].size(), t);
    leg.Drain(t, sink);
  }
  leg.Drain(int64_t(packets.size() + 100) * kPacketNs, sink);
  const int64_t end = ThreadCpuNs();
  *out = sink.samples;
  return double(end - start) / double(packets.size());
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<Case> cases = {
      {"pcmu_8k", "PCMU", 8000, false},   {"pcmu_16k", "PCMU", 16000, false},
      {"pcmu_srtp_8k", "PCMU", 8000, true}, {"g722_16k", "G722", 16000, false},
      {"g722_8k", "G722", 8000, false},   {"g729_8k", "G729", 8000, false},
      {"opus_8k", "OPUS", 8000, false},   {"opus_16k", "OPUS", 16000, false},
  };
  FILE* out = argc > 1 ? std::fopen(argv[1], "w") : stdout;
  if (out == nullptr) return 1;
  std::fprintf(out, "{\n  \"benchmark\": \"leg_pipeline\",\n  \"packet_ms\": 20,\n"
                    "  \"packets_per_run\": %d,\n  \"runs\": %d,\n  \"results\": [\n",
               kPackets, kRuns);
  const uint8_t key[30] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                           15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29};
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    auto packets = Encode(c.codec);
    if (c.srtp) Protect(packets, key);
    std::vector<double> ns;
    size_t samples = 0;
    for (int r = 0; r < kRuns; ++r) ns.push_back(RunOnce(c, packets, &samples));
    std::sort(ns.begin(), ns.end());
    const double median = ns[ns.size() / 2];
    // A leg sends 50 packets/s: legs one core can take at 100 % for this stage alone.
    const double legs_per_core = 1e9 / (median * 50);
    std::fprintf(out,
                 "    {\"case\": \"%s\", \"codec\": \"%s\", \"output_rate_hz\": %d, "
                 "\"srtp\": %s, \"ns_per_packet\": %.0f, \"ns_per_packet_min\": %.0f, "
                 "\"legs_per_core\": %.0f, \"output_samples\": %zu}%s\n",
                 c.name.c_str(), c.codec.c_str(), c.output_rate, c.srtp ? "true" : "false",
                 median, ns.front(), legs_per_core, samples, i + 1 < cases.size() ? "," : "");
  }
  std::fprintf(out, "  ]\n}\n");
  if (out != stdout) std::fclose(out);
  return 0;
}
