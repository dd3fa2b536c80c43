// Reading the speech the load generator sends: any libsndfile format, any rate and channel
// count in; mono at the codec's rate, whole 20 ms frames out; errors name the file.
#include "speech_audio.h"

#include <sndfile.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "audio_test_util.h"

namespace kronika::loadgen {
namespace {

// A stereo 22.05 kHz WAV (what espeak-ng/sox produce) of a 600 Hz tone, written by libsndfile.
std::filesystem::path WriteStereoWav(double seconds) {
  const auto path = std::filesystem::temp_directory_path() / ("kronika-loadgen-" + std::to_string(getpid()) + ".wav");
  SF_INFO info{};
  info.samplerate = 22050;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  REQUIRE(f != nullptr);
  const auto frames = static_cast<size_t>(seconds * info.samplerate);
  std::vector<short> pcm(frames * 2);
  for (size_t i = 0; i < frames; ++i) {
    pcm[2 * i] = pcm[2 * i + 1] = static_cast<short>(8000 * std::sin(2 * M_PI * 600 * static_cast<double>(i) / 22050));
  }
  sf_writef_short(f, pcm.data(), static_cast<sf_count_t>(frames));
  sf_close(f);
  return path;
}

TEST_CASE("Speech in any rate and channel count comes out mono at the codec's rate, in whole 20 ms frames") {
  const auto path = WriteStereoWav(2.01);
  for (int rate : {8000, 16000}) {
    auto pcm = LoadSpeech(path.string(), rate);
    REQUIRE(pcm.ok());
    const size_t frame = static_cast<size_t>(rate / 50);
    CHECK(pcm->size() % frame == 0);
    CHECK(pcm->size() == 2 * static_cast<size_t>(rate));  // 2.01 s -> 100 whole frames
    const std::vector<float> x(pcm->begin() + rate / 10, pcm->end() - rate / 10);
    CHECK(media::testing::GoertzelShare(x, 600, rate) > 0.4);  // the tone, at the new rate
  }
  std::filesystem::remove(path);
}

TEST_CASE("Speech: a missing file and a file under 1 s are errors naming the file") {
  auto missing = LoadSpeech("/nonexistent/speech.wav", 8000);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kIo);
  CHECK(missing.error().message.find("audio: cannot read /nonexistent/speech.wav") == 0);
  const auto path = WriteStereoWav(0.5);
  auto short_file = LoadSpeech(path.string(), 8000);
  REQUIRE_FALSE(short_file.ok());
  CHECK(short_file.error().code == ErrorCode::kInvalidInput);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace kronika::loadgen
