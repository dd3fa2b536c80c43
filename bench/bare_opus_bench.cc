// bare_opus_bench: the reference the capacity bench compares a recording server against —
// the bare libopus two-channel encode of the SAME audio kronika-loadgen sends, nothing else
// (no sockets, no RTP, no decode, no alignment, no Ogg, no disk). Writes JSON.
//
// Input: `--audio FILE` read exactly as kronika-loadgen reads it (LoadSpeech: libsndfile,
// mono, libsamplerate to `--rate`), left channel = the audio, right = the same audio
// shifted by half its length (two different talkers at every instant, as two legs started
// at different points of the loop); without --audio, 440 Hz left and 1000 Hz right tones.
// `--rate` is the rate the server records the input codec at: 8000 for G.711 and G.729,
// 16000 for G.722 and Opus (wideband inputs).
//
// Encodes (thread CPU time, CLOCK_THREAD_CPUTIME_ID), `--reps` times, each rep alternating:
//   coupled: one stereo encoder forced to two channels, 20 ms packets — the reference of
//            issue 18 ("bare two-channel libopus encode");
//   engine layout: OpusFrameEncoder with the engine's default layout (two mono streams).
// Both: OPUS_APPLICATION_VOIP, 16 kbit/s, complexity 0 (the server's defaults; --bitrate,
// --complexity to match another config). Reports the median CPU seconds per call-second.
//
// Usage: bare_opus_bench [--audio FILE] [--rate 8000|16000] [--seconds S] [--reps N]
//                        [--bitrate BPS] [--complexity C] [--out FILE]
#include <time.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "opus_frame_encoder.h"
#include "speech_audio.h"

namespace {

using kronika::media::OpusChannelLayout;
using kronika::media::OpusEncoderSettings;
using kronika::media::OpusFrameEncoder;

struct Options {
  std::string audio;
  int rate_hz = 8000;
  double seconds = 120;  // call-seconds encoded per rep
  int reps = 5;
  int bitrate = 16000;
  int complexity = 0;
  std::string out;
};

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// CPU seconds per call-second of encoding `stereo` (interleaved, looped) for `seconds`.
double EncodeCpuPerSecond(OpusFrameEncoder& encoder, const std::vector<int16_t>& stereo, double seconds) {
  const size_t frame = static_cast<size_t>(encoder.frame_samples()) * 2;
  const size_t frames_in_loop = stereo.size() / frame;
  const auto frames = static_cast<size_t>(seconds * 1000 / kronika::media::kFrameMs);
  std::vector<uint8_t> packet;
  const double t0 = ThreadCpuSeconds();
  for (size_t f = 0; f < frames; ++f) (void)encoder.Encode(stereo.data() + (f % frames_in_loop) * frame, packet);
  return (ThreadCpuSeconds() - t0) / seconds;
}

int Usage() {
  std::cerr << "usage: bare_opus_bench [--audio FILE] [--rate 8000|16000] [--seconds S] [--reps N] "
               "[--bitrate BPS] [--complexity C] [--out FILE]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return Usage();
    const std::string v = argv[++i];
    try {
      if (a == "--audio")
        opt.audio = v;
      else if (a == "--rate")
        opt.rate_hz = std::stoi(v);
      else if (a == "--seconds")
        opt.seconds = std::stod(v);
      else if (a == "--reps")
        opt.reps = std::stoi(v);
      else if (a == "--bitrate")
        opt.bitrate = std::stoi(v);
      else if (a == "--complexity")
        opt.complexity = std::stoi(v);
      else if (a == "--out")
        opt.out = v;
      else
        return Usage();
    } catch (const std::exception&) {
      return Usage();
    }
  }
  if ((opt.rate_hz != 8000 && opt.rate_hz != 16000) || opt.seconds <= 0 || opt.reps <= 0) return Usage();

  std::vector<int16_t> left, right;
  if (opt.audio.empty()) {
    left = kronika::loadgen::ToneAudio(opt.rate_hz, 440, 1.0);
    right = kronika::loadgen::ToneAudio(opt.rate_hz, 1000, 1.0);
  } else {
    auto speech = kronika::loadgen::LoadSpeech(opt.audio, opt.rate_hz);
    if (!speech) {
      std::cerr << "bare_opus_bench: " << speech.error().message << "\n";
      return 1;
    }
    left = std::move(*speech);
    right = left;
    std::rotate(right.begin(), right.begin() + static_cast<std::ptrdiff_t>(right.size() / 2), right.end());
  }
  std::vector<int16_t> stereo(left.size() * 2);
  for (size_t i = 0; i < left.size(); ++i) {
    stereo[2 * i] = left[i];
    stereo[2 * i + 1] = right[i];
  }

  std::vector<double> coupled, engine_layout;
  for (int rep = 0; rep < opt.reps; ++rep) {
    // A fresh encoder per rep; the order alternates so a load change hits both alike.
    auto coupled_encoder = OpusFrameEncoder::Create(opt.rate_hz, 2, opt.bitrate, opt.complexity);
    OpusEncoderSettings settings;
    settings.rate_hz = opt.rate_hz;
    settings.bitrate_bps = opt.bitrate;
    settings.complexity = opt.complexity;
    settings.layout = OpusChannelLayout::kDualMono;
    auto engine_encoder = OpusFrameEncoder::Create(settings);
    if (!coupled_encoder || !engine_encoder) {
      std::cerr << "bare_opus_bench: cannot create the Opus encoders\n";
      return 1;
    }
    if (rep % 2 == 0) {
      coupled.push_back(EncodeCpuPerSecond(**coupled_encoder, stereo, opt.seconds));
      engine_layout.push_back(EncodeCpuPerSecond(**engine_encoder, stereo, opt.seconds));
    } else {
      engine_layout.push_back(EncodeCpuPerSecond(**engine_encoder, stereo, opt.seconds));
      coupled.push_back(EncodeCpuPerSecond(**coupled_encoder, stereo, opt.seconds));
    }
  }

  const nlohmann::json out = {
      {"benchmark", "bare_opus_bench"},
      {"audio", opt.audio.empty() ? "tones 440 Hz / 1000 Hz" : opt.audio},
      {"audio_seconds", static_cast<double>(left.size()) / opt.rate_hz},
      {"rate_hz", opt.rate_hz},
      {"bitrate_bps", opt.bitrate},
      {"complexity", opt.complexity},
      {"call_seconds_per_rep", opt.seconds},
      {"reps", opt.reps},
      {"bare_libopus_cpu_per_call_second", Median(coupled)},
      {"bare_same_layout_cpu_per_call_second", Median(engine_layout)},
      {"coupled_per_rep", coupled},
      {"same_layout_per_rep", engine_layout},
  };
  if (!opt.out.empty()) std::ofstream(opt.out) << out.dump(2) << "\n";
  std::cout << out.dump(2) << "\n";
  return 0;
}
