// resample_bench: the media engine's 8 <-> 16 kHz Resampler (media/src/resample.h, a
// 31-tap half-band FIR) against speexdsp's resampler at each quality it offers, as the
// leg pipeline calls them (one 20 ms chunk per call), on speech; writes JSON.
//
// Per variant and direction: ns of thread CPU per input sample (median of --reps runs over
// the whole input), and what a listener would hear: the gain of a 1 kHz tone, the level of
// a 6 kHz tone after 16 -> 8 kHz (it aliases to 2 kHz without filtering) and of the 7 kHz
// image after 8 -> 16 kHz, both relative to the 1 kHz tone, in dB.
//
// Input: sipp/miarecdev/audio_alaw.wav of the interop corpus (speech, read with the
// loadgen's libsndfile loader at 8 and 16 kHz), or a synthetic tone mix without it.
// Usage: resample_bench [--out FILE] [--reps N] [--wav FILE]
#include <speex/speex_resampler.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "resample.h"
#include "speech_audio.h"

namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

std::vector<int16_t> Tone(double hz, int rate, size_t samples, double amplitude = 8000) {
  std::vector<int16_t> out(samples);
  for (size_t n = 0; n < samples; ++n) {
    out[n] = static_cast<int16_t>(std::lround(amplitude * std::sin(2 * M_PI * hz * n / rate)));
  }
  return out;
}

double Rms(const std::vector<int16_t>& v, size_t skip) {
  double sum = 0;
  for (size_t n = skip; n < v.size(); ++n) sum += static_cast<double>(v[n]) * v[n];
  return v.size() > skip ? std::sqrt(sum / (v.size() - skip)) : 0;
}

// Goertzel power of `hz` in `v` from `skip` on.
double Power(const std::vector<int16_t>& v, size_t skip, double hz, int rate) {
  const double w = 2 * M_PI * hz / rate, coeff = 2 * std::cos(w);
  double s1 = 0, s2 = 0;
  for (size_t n = skip; n < v.size(); ++n) {
    const double s = v[n] + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

double Db(double ratio) { return 20 * std::log10(std::max(ratio, 1e-12)); }

// One resampler as the pipeline uses it: a chunk in, what comes out appended.
using Chunker = std::function<void(const int16_t*, size_t, std::vector<int16_t>&)>;
using Factory = std::function<Chunker(int in_rate, int out_rate)>;

Chunker Kronika(int in_rate, int out_rate) {
  auto r = std::make_shared<kronika::media::Resampler>(in_rate, out_rate);
  return [r](const int16_t* in, size_t n, std::vector<int16_t>& out) { r->Process(in, n, out); };
}

Factory Speex(int quality) {
  return [quality](int in_rate, int out_rate) -> Chunker {
    int err = 0;
    std::shared_ptr<SpeexResamplerState> st(speex_resampler_init(1, in_rate, out_rate, quality, &err),
                                            speex_resampler_destroy);
    return [st, in_rate, out_rate](const int16_t* in, size_t n, std::vector<int16_t>& out) {
      spx_uint32_t in_len = static_cast<spx_uint32_t>(n);
      spx_uint32_t out_len = static_cast<spx_uint32_t>(n * out_rate / in_rate + 2);
      const size_t at = out.size();
      out.resize(at + out_len);
      speex_resampler_process_int(st.get(), 0, in, &in_len, out.data() + at, &out_len);
      out.resize(at + out_len);
    };
  };
}

std::vector<int16_t> Run(const Factory& make, int in_rate, int out_rate, const std::vector<int16_t>& in) {
  Chunker c = make(in_rate, out_rate);
  const size_t chunk = static_cast<size_t>(in_rate / 50);  // 20 ms
  std::vector<int16_t> out;
  out.reserve(in.size() * out_rate / in_rate + 64);
  for (size_t at = 0; at + chunk <= in.size(); at += chunk) c(in.data() + at, chunk, out);
  return out;
}

nlohmann::json Measure(const Factory& make, int in_rate, int out_rate, const std::vector<int16_t>& speech,
                       int reps) {
  std::vector<double> ns;
  for (int r = 0; r < reps; ++r) {
    const double t0 = ThreadCpuSeconds();
    const std::vector<int16_t> out = Run(make, in_rate, out_rate, speech);
    ns.push_back((ThreadCpuSeconds() - t0) * 1e9 / speech.size());
    if (out.empty()) std::abort();
  }
  std::sort(ns.begin(), ns.end());
  const size_t tone_len = static_cast<size_t>(in_rate);  // 1 s
  const size_t skip = static_cast<size_t>(out_rate / 10);  // past any filter delay
  const std::vector<int16_t> pass = Run(make, in_rate, out_rate, Tone(1000, in_rate, tone_len));
  const double pass_rms = Rms(pass, skip);
  const std::vector<int16_t> edge = Run(make, in_rate, out_rate, Tone(3400, in_rate, tone_len));
  nlohmann::json j = {{"ns_per_input_sample", ns[ns.size() / 2]},
                      {"gain_1khz_db", Db(pass_rms / (8000 / std::sqrt(2.0)))},
                      {"gain_3400hz_db", Db(Rms(edge, skip) / (8000 / std::sqrt(2.0)))},
                      {"output_samples_per_second_in", pass.size()}};
  if (out_rate < in_rate) {
    // 6 kHz aliases to 2 kHz, 4.6 kHz (just past the band) to 3.4 kHz.
    const std::vector<int16_t> alias = Run(make, in_rate, out_rate, Tone(6000, in_rate, tone_len));
    const std::vector<int16_t> near = Run(make, in_rate, out_rate, Tone(4600, in_rate, tone_len));
    j["alias_6khz_db"] = Db(Rms(alias, skip) / pass_rms);
    j["alias_4600hz_db"] = Db(Rms(near, skip) / pass_rms);
  } else {
    // Zero stuffing leaves images at 8 kHz - f: 7 kHz for 1 kHz, 4.6 kHz for 3.4 kHz.
    j["image_7khz_db"] = 10 * std::log10(std::max(Power(pass, skip, 7000, out_rate), 1e-12) /
                                         Power(pass, skip, 1000, out_rate));
    j["image_4600hz_db"] = 10 * std::log10(std::max(Power(edge, skip, 4600, out_rate), 1e-12) /
                                           Power(edge, skip, 3400, out_rate));
  }
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_path = "resample_bench.json";
  int reps = 7;
  std::string wav = std::string(KRONIKA_SHARED_DIR) + "/interop-corpus/sipp/miarecdev/audio_alaw.wav";
  CLI::App app{"8 <-> 16 kHz resampling: the media engine's FIR against speexdsp; writes JSON.", "resample_bench"};
  app.add_option("--out", out_path, "JSON report")->capture_default_str();
  app.add_option("--reps", reps, "runs per variant (the median is reported)")->check(CLI::Range(1, 1000));
  app.add_option("--wav", wav, "speech (any file libsndfile reads)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto speech8 = kronika::loadgen::LoadSpeech(wav, 8000);
  auto speech16 = kronika::loadgen::LoadSpeech(wav, 16000);
  std::string source = wav;
  std::vector<int16_t> in8, in16;
  if (speech8.ok() && speech16.ok()) {
    in8 = std::move(*speech8);
    in16 = std::move(*speech16);
  } else {
    source = "synthetic 300 Hz tone (no corpus)";
    in8 = Tone(300, 8000, 60 * 8000, 4000);
    in16 = Tone(300, 16000, 60 * 16000, 4000);
  }
  struct Variant {
    std::string name;
    Factory make;
  };
  std::vector<Variant> variants = {{"kronika-halfband-fir", Kronika}};
  for (int q = 0; q <= 10; ++q) variants.push_back({"speexdsp-q" + std::to_string(q), Speex(q)});
  nlohmann::json results = nlohmann::json::array();
  for (const Variant& v : variants) {
    nlohmann::json row = {{"variant", v.name},
                          {"up_8k_to_16k", Measure(v.make, 8000, 16000, in8, reps)},
                          {"down_16k_to_8k", Measure(v.make, 16000, 8000, in16, reps)}};
    const nlohmann::json& up = row["up_8k_to_16k"];
    const nlohmann::json& down = row["down_16k_to_8k"];
    std::printf(
        "%-22s up %6.1f ns/sample (3.4k %5.1f dB, image 7k %6.1f / 4.6k %6.1f dB)  down %6.1f ns/sample "
        "(3.4k %5.1f dB, alias 6k %6.1f / 4.6k %6.1f dB)\n",
        v.name.c_str(), up["ns_per_input_sample"].get<double>(), up["gain_3400hz_db"].get<double>(),
        up["image_7khz_db"].get<double>(), up["image_4600hz_db"].get<double>(),
        down["ns_per_input_sample"].get<double>(), down["gain_3400hz_db"].get<double>(),
        down["alias_6khz_db"].get<double>(), down["alias_4600hz_db"].get<double>());
    results.push_back(std::move(row));
  }
  const nlohmann::json report = {{"bench", "resample_bench"},
                                 {"input", source},
                                 {"input_seconds", static_cast<double>(in8.size()) / 8000},
                                 {"chunk_ms", 20},
                                 {"reps", reps},
                                 {"variants", results}};
  std::ofstream(out_path) << report.dump(2) << "\n";
  std::printf("wrote %s\n", out_path.c_str());
  return 0;
}
