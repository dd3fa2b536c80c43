// opus_variants_bench: CPU and quality of the ways a two-party recording can be Opus-encoded
// at 8 kHz, written as JSON. Encoder only (no sockets, no Ogg): this is the ~95 % of a
// media worker. The engine-* variants run OpusFrameEncoder exactly as the worker does.
//
// Input: real speech, sipp/miarecdev/audio_alaw.wav of the interop corpus (60.8 s A-law, read
// with the loadgen's libsndfile loader;
// left = the file, right = the same file 30 s later, i.e. a different talker turn), or the
// synthetic speech-like signal of media_bench if the corpus is absent.
//
// Variants (all complexity 0, OPUS_APPLICATION_VOIP, SIGNAL_VOICE, max bandwidth NB, total
// bitrate `--bitrate` for both channels):
//   stereo*   one coupled stereo encoder with OPUS_SET_FORCE_CHANNELS(2) (the old default)
//   dual*     multistream, 2 streams, 0 coupled: two independent mono encoders (RFC 7845
//             channel mapping family 1), bitrate/2 each
//   engine-*  OpusFrameEncoder (two plain mono OpusEncoders for dual: the multistream
//             encoder API runs CPUID on every call, ~60 % extra on this VM)
//   *-40..-120  longer frames instead of 20 ms; +dtx, +cbr, +lean (LSB depth 16, FEC off,
//             packet loss 0) are the encoder switches of candidate C.
//
// CPU: thread CPU time of encoding the whole input; every repetition runs all variants in
// a rotated order (the host is shared: interleaving keeps load changes from favouring one
// variant). Reported per variant: min/median/max CPU-s per recorded call-second and the
// median/range of the ratio to `stereo-20` measured in the same repetition.
// Quality proxy (decoded with libopus at 8 kHz, delay aligned by cross-correlation):
//   snr_db        waveform SNR per channel (low for SILK, which is not waveform-matching;
//                 compare between variants only)
//   lsd_db        log-spectral distance per channel over active 32 ms frames (lower = better)
//   leak_db       one channel speech, the other digital silence: decoded energy in the
//                 silent channel relative to the speech channel (worst of both directions)
//   tone_leak_db  440 Hz left + 1000 Hz right: 440 Hz power in the right channel relative
//                 to the left, and 1000 Hz in the left relative to the right (worst)
//
// Usage: opus_variants_bench [--out FILE] [--reps N] [--bitrate BPS] [--wav FILE]
#include <opus/opus.h>
#include <opus/opus_multistream.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "opus_frame_encoder.h"
#include "speech_audio.h"

namespace {

constexpr int kRate = 8000;

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// media_bench's speech-like signal (fallback when the corpus is missing).
std::vector<int16_t> SpeechLike(unsigned seed, size_t samples) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, 300);
  std::vector<int16_t> out(samples);
  double phase = 0;
  for (size_t n = 0; n < out.size(); ++n) {
    const double t = static_cast<double>(n) / kRate;
    const double pitch = 120 + 40 * std::sin(2 * M_PI * 0.7 * t + seed);
    phase += 2 * M_PI * pitch / kRate;
    const double envelope = std::max(0.0, std::sin(2 * M_PI * 3.0 * t + seed));
    const double talking = std::fmod(t + seed * 0.37, 2.5) < 1.8 ? 1.0 : 0.0;
    double v = 0;
    for (int h = 1; h <= 12; ++h) v += std::sin(h * phase) / h;
    out[n] = static_cast<int16_t>(std::clamp(4000 * envelope * talking * v + noise(rng), -32000.0, 32000.0));
  }
  return out;
}

// kPlain: opus_encoder_create (the old engine path, coupled stereo only); kMultistream: the
// libopus multistream API; kEngine: OpusFrameEncoder as the media worker uses it (two plain
// mono encoders for dual, 20 ms frames in, a packet per frame_ms out).
enum class Api { kPlain, kMultistream, kEngine };

struct Variant {
  std::string name;
  bool dual = false;  // two mono streams (mapping family 1) instead of coupled stereo
  int frame_ms = 20;
  bool dtx = false;
  bool cbr = false;
  bool lean = false;  // LSB depth 16, inband FEC off, expected packet loss 0
  Api api = Api::kMultistream;
};

// One encoder of a variant: multistream API for both layouts (1 stream 1 coupled is
// exactly a stereo OpusEncoder; 2 streams 0 coupled are two mono OpusEncoders).
struct Codec {
  std::unique_ptr<kronika::media::OpusFrameEncoder> engine;
  OpusEncoder* plain = nullptr;
  OpusMSEncoder* enc = nullptr;
  OpusMSDecoder* dec = nullptr;
  int frame = 0;
  int lookahead = 0;
  ~Codec() {
    if (plain) opus_encoder_destroy(plain);
    if (enc) opus_multistream_encoder_destroy(enc);
    if (dec) opus_multistream_decoder_destroy(dec);
  }
};

bool Setup(const Variant& v, int bitrate, Codec& c) {
  const unsigned char mapping[2] = {0, 1};
  const int streams = v.dual ? 2 : 1, coupled = v.dual ? 0 : 1;
  int err = 0;
  c.enc = opus_multistream_encoder_create(kRate, 2, streams, coupled, mapping, OPUS_APPLICATION_VOIP, &err);
  if (err != OPUS_OK) return false;
  c.dec = opus_multistream_decoder_create(kRate, 2, streams, coupled, mapping, &err);
  if (err != OPUS_OK) return false;
  OpusMSEncoder* e = c.enc;
  bool ok = opus_multistream_encoder_ctl(e, OPUS_SET_BITRATE(bitrate)) == OPUS_OK &&
            opus_multistream_encoder_ctl(e, OPUS_SET_COMPLEXITY(0)) == OPUS_OK &&
            opus_multistream_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)) == OPUS_OK &&
            opus_multistream_encoder_ctl(e, OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_NARROWBAND)) == OPUS_OK &&
            opus_multistream_encoder_ctl(e, OPUS_SET_DTX(v.dtx ? 1 : 0)) == OPUS_OK &&
            opus_multistream_encoder_ctl(e, OPUS_SET_VBR(v.cbr ? 0 : 1)) == OPUS_OK;
  if (!v.dual) {
    OpusEncoder* st = nullptr;
    ok = ok && opus_multistream_encoder_ctl(e, OPUS_MULTISTREAM_GET_ENCODER_STATE(0, &st)) == OPUS_OK &&
         opus_encoder_ctl(st, OPUS_SET_FORCE_CHANNELS(2)) == OPUS_OK;
  }
  if (v.lean) {
    ok = ok && opus_multistream_encoder_ctl(e, OPUS_SET_LSB_DEPTH(16)) == OPUS_OK &&
         opus_multistream_encoder_ctl(e, OPUS_SET_INBAND_FEC(0)) == OPUS_OK &&
         opus_multistream_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(0)) == OPUS_OK;
  }
  if (v.api == Api::kEngine) {
    auto made = kronika::media::OpusFrameEncoder::Create(
        {kRate, 2, bitrate, 0, v.frame_ms,
         v.dual ? kronika::media::OpusChannelLayout::kDualMono : kronika::media::OpusChannelLayout::kCoupledStereo});
    if (!made.ok()) return false;
    c.engine = std::move(made.value());
    c.frame = c.engine->frame_samples();  // 20 ms in; packets of frame_ms come out
  }
  if (v.api == Api::kPlain) {
    c.plain = opus_encoder_create(kRate, 2, OPUS_APPLICATION_VOIP, &err);
    ok = ok && err == OPUS_OK && opus_encoder_ctl(c.plain, OPUS_SET_BITRATE(bitrate)) == OPUS_OK &&
         opus_encoder_ctl(c.plain, OPUS_SET_COMPLEXITY(0)) == OPUS_OK &&
         opus_encoder_ctl(c.plain, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)) == OPUS_OK &&
         opus_encoder_ctl(c.plain, OPUS_SET_FORCE_CHANNELS(2)) == OPUS_OK &&
         opus_encoder_ctl(c.plain, OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_NARROWBAND)) == OPUS_OK;
  }
  opus_int32 la = 0;
  opus_multistream_encoder_ctl(e, OPUS_GET_LOOKAHEAD(&la));
  c.lookahead = la;
  if (!c.engine) c.frame = kRate * v.frame_ms / 1000;
  return ok;
}

// Encodes interleaved stereo `pcm` (whole frames only); returns thread CPU seconds.
// Appends the packets to `packets` when given.
double Encode(Codec& c, const std::vector<int16_t>& pcm, std::vector<std::vector<unsigned char>>* packets,
              size_t* bytes) {
  std::vector<unsigned char> buf(4000);
  std::vector<uint8_t> engine_packet;
  const size_t frames = pcm.size() / 2 / static_cast<size_t>(c.frame);
  size_t total = 0;
  const double t0 = ThreadCpuSeconds();
  for (size_t f = 0; f < frames; ++f) {
    const int16_t* in = pcm.data() + f * c.frame * 2;
    const opus_int32 cap = static_cast<opus_int32>(buf.size());
    if (c.engine) {
      if (!c.engine->Encode(in, engine_packet).ok()) return -1;
      total += engine_packet.size();
      if (packets && !engine_packet.empty()) packets->push_back(engine_packet);
      continue;
    }
    const int n = c.plain ? opus_encode(c.plain, in, c.frame, buf.data(), cap)
                          : opus_multistream_encode(c.enc, in, c.frame, buf.data(), cap);
    if (n < 0) return -1;
    total += static_cast<size_t>(n);
    if (packets) packets->emplace_back(buf.begin(), buf.begin() + n);
  }
  const double cpu = ThreadCpuSeconds() - t0;
  if (bytes) *bytes = total;
  return cpu;
}

std::vector<int16_t> Decode(Codec& c, const std::vector<std::vector<unsigned char>>& packets) {
  std::vector<int16_t> out;
  std::vector<int16_t> buf(static_cast<size_t>(kRate) * 120 / 1000 * 2);
  for (const auto& p : packets) {
    const int n = opus_multistream_decode(c.dec, p.data(), static_cast<opus_int32>(p.size()), buf.data(),
                                          static_cast<int>(buf.size() / 2), 0);
    if (n < 0) return {};
    out.insert(out.end(), buf.begin(), buf.begin() + 2 * n);
  }
  return out;
}

std::vector<double> Channel(const std::vector<int16_t>& pcm, int ch, size_t offset, size_t count) {
  std::vector<double> out;
  for (size_t i = 0; i < count && (offset + i) * 2 + ch < pcm.size(); ++i) out.push_back(pcm[(offset + i) * 2 + ch]);
  return out;
}

double Energy(const std::vector<double>& x) {
  double e = 0;
  for (double v : x) e += v * v;
  return e;
}

double Db(double ratio) { return 10 * std::log10(std::max(ratio, 1e-12)); }

// Decoder delay in samples: the lag (around the encoder lookahead) that best correlates
// the decoded left channel with the input.
int BestLag(const std::vector<int16_t>& in, const std::vector<int16_t>& out, int lookahead) {
  const size_t n = std::min(in.size(), out.size()) / 2 - 400;
  int best = lookahead;
  double best_corr = -1e300;
  for (int lag = std::max(0, lookahead - 40); lag <= lookahead + 40; ++lag) {
    double corr = 0;
    for (size_t i = 0; i + lag < n; i += 1) corr += static_cast<double>(in[2 * i]) * out[2 * (i + lag)];
    if (corr > best_corr) best_corr = corr, best = lag;
  }
  return best;
}

// Mean log-spectral distance (dB) over frames of 256 samples where the reference is active.
double LogSpectralDistance(const std::vector<double>& ref, const std::vector<double>& dec) {
  constexpr int kN = 256;
  static std::vector<double> cos_t, sin_t, window;
  if (cos_t.empty()) {
    for (int i = 0; i < kN; ++i) {
      cos_t.push_back(std::cos(2 * M_PI * i / kN));
      sin_t.push_back(std::sin(2 * M_PI * i / kN));
      window.push_back(0.5 - 0.5 * std::cos(2 * M_PI * i / kN));
    }
  }
  const size_t n = std::min(ref.size(), dec.size());
  double sum = 0;
  int used = 0;
  const double active_energy = 1e5 * kN;  // ~ -50 dBFS: skip pauses
  for (size_t at = 0; at + kN <= n; at += kN) {
    double e = 0;
    for (int i = 0; i < kN; ++i) e += ref[at + i] * ref[at + i];
    if (e < active_energy) continue;
    double d2 = 0;
    for (int k = 1; k < kN / 2; ++k) {
      double rr = 0, ri = 0, dr = 0, di = 0;
      for (int i = 0; i < kN; ++i) {
        const int idx = (k * i) % kN;
        const double a = ref[at + i] * window[i], b = dec[at + i] * window[i];
        rr += a * cos_t[idx], ri -= a * sin_t[idx];
        dr += b * cos_t[idx], di -= b * sin_t[idx];
      }
      const double diff = Db((rr * rr + ri * ri + 1) / (dr * dr + di * di + 1));
      d2 += diff * diff;
    }
    sum += std::sqrt(d2 / (kN / 2 - 1));
    ++used;
  }
  return used ? sum / used : 0;
}

double Goertzel(const std::vector<double>& x, double hz) {
  const double w = 2 * M_PI * hz / kRate, coeff = 2 * std::cos(w);
  double s1 = 0, s2 = 0;
  for (double v : x) {
    const double s = v + coeff * s1 - s2;
    s2 = s1, s1 = s;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

// Dominant frequency (5 Hz steps, 100..3900 Hz).
double Dominant(const std::vector<double>& x) {
  double best = 0, best_p = -1;
  for (double hz = 100; hz <= 3900; hz += 5) {
    const double p = Goertzel(x, hz);
    if (p > best_p) best_p = p, best = hz;
  }
  return best;
}

std::vector<int16_t> Interleave(const std::vector<int16_t>& l, const std::vector<int16_t>& r) {
  std::vector<int16_t> out(l.size() * 2);
  for (size_t i = 0; i < l.size(); ++i) out[2 * i] = l[i], out[2 * i + 1] = r[i];
  return out;
}

nlohmann::json Quality(const Variant& v, int bitrate, const std::vector<int16_t>& left,
                       const std::vector<int16_t>& right) {
  nlohmann::json q;
  const size_t n = left.size();
  // Speech on both channels: SNR and LSD per channel.
  {
    Codec c;
    Setup(v, bitrate, c);
    std::vector<std::vector<unsigned char>> packets;
    size_t bytes = 0;
    const std::vector<int16_t> in = Interleave(left, right);
    Encode(c, in, &packets, &bytes);
    const std::vector<int16_t> out = Decode(c, packets);
    const int lag = BestLag(in, out, c.lookahead);
    const size_t len = out.size() / 2 - static_cast<size_t>(lag);
    q["kbit_s"] = bytes * 8.0 / (static_cast<double>(packets.size()) * v.frame_ms);
    q["decoder_delay_samples"] = lag;
    for (int ch = 0; ch < 2; ++ch) {
      const std::vector<double> ref = Channel(in, ch, 0, len);
      const std::vector<double> dec = Channel(out, ch, static_cast<size_t>(lag), len);
      std::vector<double> err(ref.size());
      for (size_t i = 0; i < ref.size(); ++i) err[i] = ref[i] - dec[i];
      q["snr_db"].push_back(std::round(Db(Energy(ref) / Energy(err)) * 100) / 100);
      q["lsd_db"].push_back(std::round(LogSpectralDistance(ref, dec) * 100) / 100);
    }
  }
  // Speech on one channel, silence on the other: energy leaking into the silent channel.
  double worst_leak = -120;
  const std::vector<int16_t> zeros(n, 0);
  for (int speech_ch = 0; speech_ch < 2; ++speech_ch) {
    Codec c;
    Setup(v, bitrate, c);
    std::vector<std::vector<unsigned char>> packets;
    const std::vector<int16_t> in = speech_ch == 0 ? Interleave(left, zeros) : Interleave(zeros, left);
    Encode(c, in, &packets, nullptr);
    const std::vector<int16_t> out = Decode(c, packets);
    const size_t frames = out.size() / 2;
    const double speech = Energy(Channel(out, speech_ch, 0, frames));
    const double silent = Energy(Channel(out, 1 - speech_ch, 0, frames));
    worst_leak = std::max(worst_leak, Db(silent / speech));
  }
  q["leak_db"] = std::round(worst_leak * 10) / 10;
  // Tones: 440 Hz left, 1000 Hz right, -12 dBFS, 3 s; analyse the middle second.
  {
    Codec c;
    Setup(v, bitrate, c);
    std::vector<int16_t> l(3 * kRate), r(3 * kRate);
    for (size_t i = 0; i < l.size(); ++i) {
      l[i] = static_cast<int16_t>(8000 * std::sin(2 * M_PI * 440 * i / kRate));
      r[i] = static_cast<int16_t>(8000 * std::sin(2 * M_PI * 1000 * i / kRate));
    }
    std::vector<std::vector<unsigned char>> packets;
    Encode(c, Interleave(l, r), &packets, nullptr);
    const std::vector<int16_t> out = Decode(c, packets);
    const std::vector<double> dl = Channel(out, 0, kRate, kRate), dr = Channel(out, 1, kRate, kRate);
    q["tone_hz"] = {Dominant(dl), Dominant(dr)};
    const double leak = std::max(Db(Goertzel(dr, 440) / Goertzel(dl, 440)), Db(Goertzel(dl, 1000) / Goertzel(dr, 1000)));
    q["tone_leak_db"] = std::round(leak * 10) / 10;
  }
  return q;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : (v[(v.size() - 1) / 2] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_path = "opus_variants_bench.json";
  int reps = 7;
  int bitrate = 16000;
  std::string wav =
      (std::filesystem::path(KRONIKA_SHARED_DIR) / "interop-corpus" / "sipp" / "miarecdev" / "audio_alaw.wav").string();
  CLI::App app{"Opus encoding variants: CPU, packet bytes and SNR on speech; writes JSON.", "opus_variants_bench"};
  app.add_option("--out", out_path, "JSON report")->capture_default_str();
  app.add_option("--reps", reps, "repetitions per variant (the median is reported)")->check(CLI::Range(1, 1000));
  app.add_option("--bitrate", bitrate, "Opus bit rate, bit/s")->check(CLI::Range(6000, 510000));
  app.add_option("--wav", wav, "speech to encode (any file libsndfile reads)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  // The loadgen's loader (libsndfile + libsamplerate): any format, mono at 8 kHz.
  kronika::Result<std::vector<int16_t>> loaded = kronika::loadgen::LoadSpeech(wav, kRate);
  std::vector<int16_t> speech = loaded.ok() ? std::move(*loaded) : std::vector<int16_t>{};
  std::string source = wav;
  if (speech.size() < static_cast<size_t>(20 * kRate)) {
    if (!loaded.ok()) std::fprintf(stderr, "opus_variants_bench: %s\n", loaded.error().message.c_str());
    speech = SpeechLike(1, 60 * kRate);
    source = "synthetic speech-like (media_bench)";
  }
  // Whole 120 ms frames so every frame length encodes the same audio.
  speech.resize(speech.size() / 960 * 960);
  std::vector<int16_t> other(speech.size());
  for (size_t i = 0; i < speech.size(); ++i) other[i] = speech[(i + speech.size() / 2) % speech.size()];
  const std::vector<int16_t> pcm = Interleave(speech, other);
  const double audio_s = static_cast<double>(speech.size()) / kRate;

  const std::vector<Variant> variants = {
      {"stereo-20", false, 20, false, false, false, Api::kPlain},  // reference: the old engine path
      {"stereo-20-ms", false, 20},
      {"stereo-20+dtx", false, 20, true},
      {"stereo-20+cbr", false, 20, false, true},
      {"stereo-20+lean", false, 20, false, false, true},
      {"stereo-40", false, 40},
      {"stereo-60", false, 60},
      {"stereo-120", false, 120},
      {"dual-20", true, 20},
      {"dual-20+dtx", true, 20, true},
      {"dual-20+cbr", true, 20, false, true},
      {"dual-20+lean", true, 20, false, false, true},
      {"dual-40", true, 40},
      {"dual-60", true, 60},
      {"dual-80", true, 80},
      {"dual-120", true, 120},
      {"engine-stereo-20", false, 20, false, false, false, Api::kEngine},
      {"engine-stereo-60", false, 60, false, false, false, Api::kEngine},
      {"engine-dual-20", true, 20, false, false, false, Api::kEngine},
      {"engine-dual-40", true, 40, false, false, false, Api::kEngine},
      {"engine-dual-60", true, 60, false, false, false, Api::kEngine},  // the default
  };
  std::vector<std::vector<double>> cpu(variants.size()), ratio(variants.size());
  for (int rep = 0; rep < reps; ++rep) {
    std::vector<double> this_rep(variants.size());
    for (size_t k = 0; k < variants.size(); ++k) {
      const size_t i = (k + static_cast<size_t>(rep)) % variants.size();  // rotated order
      Codec c;
      if (!Setup(variants[i], bitrate, c)) {
        std::cerr << "setup failed: " << variants[i].name << "\n";
        return 1;
      }
      this_rep[i] = Encode(c, pcm, nullptr, nullptr) / audio_s;
    }
    for (size_t i = 0; i < variants.size(); ++i) {
      cpu[i].push_back(this_rep[i]);
      ratio[i].push_back(this_rep[i] / this_rep[0]);
    }
    std::cerr << "rep " << rep + 1 << "/" << reps << " done\n";
  }
  nlohmann::json j;
  j["source"] = source;
  j["audio_seconds"] = audio_s;
  j["bitrate_bps"] = bitrate;
  j["reps"] = reps;
  j["metric"] = "thread CPU-s per recorded call-second (one two-party call = one stereo file)";
  for (size_t i = 0; i < variants.size(); ++i) {
    const auto [mn, mx] = std::minmax_element(cpu[i].begin(), cpu[i].end());
    const auto [rmn, rmx] = std::minmax_element(ratio[i].begin(), ratio[i].end());
    nlohmann::json v;
    v["name"] = variants[i].name;
    v["cpu_per_call_s"] = {{"min", *mn}, {"median", Median(cpu[i])}, {"max", *mx}};
    v["calls_per_core"] = 1.0 / Median(cpu[i]);
    v["ratio_to_stereo_20"] = {{"min", *rmn}, {"median", Median(ratio[i])}, {"max", *rmx}};
    v["quality"] = Quality(variants[i], bitrate, speech, other);
    j["variants"].push_back(v);
    std::printf("%-16s cpu/call-s %.5f [%.5f..%.5f]  ratio %.3f [%.3f..%.3f]  %s\n", variants[i].name.c_str(),
                Median(cpu[i]), *mn, *mx, Median(ratio[i]), *rmn, *rmx, v["quality"].dump().c_str());
  }
  std::ofstream(out_path) << j.dump(2) << "\n";
  return 0;
}
