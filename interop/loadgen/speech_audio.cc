#include "speech_audio.h"

#include <samplerate.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace kronika::loadgen {
namespace {

constexpr int kFramesPerSecond = 50;  // 20 ms

struct SndfileCloser {
  void operator()(SNDFILE* f) const { sf_close(f); }
};

}  // namespace

Result<std::vector<int16_t>> LoadSpeech(const std::string& path, int rate_hz) {
  SF_INFO info{};
  std::unique_ptr<SNDFILE, SndfileCloser> file(sf_open(path.c_str(), SFM_READ, &info));
  if (!file) {
    return MakeError(ErrorCode::kIo, "audio: cannot read " + path + ": " + sf_strerror(nullptr));
  }
  if (info.channels <= 0 || info.samplerate <= 0) {
    return MakeError(ErrorCode::kInvalidInput, "audio: " + path + " has no channels or no sample rate");
  }
  const sf_count_t max_frames = static_cast<sf_count_t>(kMaxSpeechSeconds * info.samplerate);
  const sf_count_t frames = std::min(info.frames, max_frames);
  std::vector<float> interleaved(static_cast<size_t>(frames) * static_cast<size_t>(info.channels));
  const sf_count_t got = sf_readf_float(file.get(), interleaved.data(), frames);
  if (got < info.samplerate) {
    return MakeError(ErrorCode::kInvalidInput,
                     "audio: " + path + " holds less than 1 s of audio (" + std::to_string(got) + " samples)");
  }
  std::vector<float> mono(static_cast<size_t>(got));
  for (size_t i = 0; i < mono.size(); ++i) {
    float sum = 0;
    for (int c = 0; c < info.channels; ++c)
      sum += interleaved[i * static_cast<size_t>(info.channels) + static_cast<size_t>(c)];
    mono[i] = sum / static_cast<float>(info.channels);
  }

  std::vector<float> resampled;
  if (info.samplerate == rate_hz) {
    resampled = std::move(mono);
  } else {
    const double ratio = static_cast<double>(rate_hz) / info.samplerate;
    resampled.resize(static_cast<size_t>(std::ceil(static_cast<double>(mono.size()) * ratio)) + 16);
    SRC_DATA data{};
    data.data_in = mono.data();
    data.input_frames = static_cast<long>(mono.size());
    data.data_out = resampled.data();
    data.output_frames = static_cast<long>(resampled.size());
    data.src_ratio = ratio;
    if (const int rc = src_simple(&data, SRC_SINC_MEDIUM_QUALITY, 1); rc != 0) {
      return MakeError(ErrorCode::kInternal, std::string("audio: resampling ") + path + ": " + src_strerror(rc));
    }
    resampled.resize(static_cast<size_t>(data.output_frames_gen));
  }
  const size_t frame = static_cast<size_t>(rate_hz / kFramesPerSecond);
  resampled.resize(resampled.size() - resampled.size() % frame);
  std::vector<int16_t> pcm(resampled.size());
  src_float_to_short_array(resampled.data(), pcm.data(), static_cast<int>(resampled.size()));
  return pcm;
}

std::vector<int16_t> ToneAudio(int rate_hz, int tone_hz, double seconds) {
  std::vector<int16_t> out(static_cast<size_t>(rate_hz * seconds));
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<int16_t>(8000.0 * std::sin(2.0 * M_PI * tone_hz * static_cast<double>(i) / rate_hz));
  }
  return out;
}

}  // namespace kronika::loadgen
