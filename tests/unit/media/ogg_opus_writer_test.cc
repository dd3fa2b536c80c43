#include "ogg_opus_writer.h"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "audio_test_util.h"
#include "media_test_util.h"
#include "opus_frame_encoder.h"
#include "recording_recovery.h"

namespace kronika::media {
namespace {

using testing::DecodeOpusFile;
using testing::DominantFrequency;
using testing::GoertzelShare;
using testing::TempDir;
using testing::ToneSample;

// Encodes `seconds` of 440 Hz left / 1000 Hz right (or 440 Hz mono) into `writer`, plus
// `padding_frames` of silence (flushes the encoder lookahead before Finish).
void WriteTones(OpusFrameEncoder& enc, OggOpusWriter& writer, double seconds, int padding_frames = 0) {
  const int frame = enc.frame_samples();
  const int tone_frames = static_cast<int>(seconds * 1000 / kFrameMs);
  const int frames = tone_frames + padding_frames;
  std::vector<int16_t> pcm(static_cast<size_t>(frame * enc.channels()));
  std::vector<uint8_t> packet;
  int64_t n = 0;
  for (int f = 0; f < frames; ++f) {
    if (f == tone_frames) std::fill(pcm.begin(), pcm.end(), 0);
    for (int i = 0; i < frame && f < tone_frames; ++i, ++n) {
      pcm[static_cast<size_t>(i * enc.channels())] = ToneSample(440, n, enc.rate_hz());
      if (enc.channels() == 2) pcm[static_cast<size_t>(i * 2 + 1)] = ToneSample(1000, n, enc.rate_hz());
    }
    REQUIRE(enc.Encode(pcm.data(), packet).ok());
    REQUIRE(writer.WritePacket(packet.data(), packet.size(), kOpusGranuleRateHz * kFrameMs / 1000).ok());
  }
}

TEST_CASE("Stereo 8 kHz file decodes with the right length, header and tones per channel") {
  const auto dir = TempDir("writer_stereo");
  auto enc = OpusFrameEncoder::Create(8000, 2, 16000, 0);
  REQUIRE(enc.ok());
  const auto part = dir / "2026/11/25/rec-1.opus.part";
  auto writer = OggOpusWriter::Create(part, {2, 8000, (*enc)->pre_skip_48k(), "rec-1"}, 1234);
  REQUIRE(writer.ok());
  WriteTones(**enc, **writer, 3.0, 1);
  REQUIRE((*writer)->Finish(3 * 48000).ok());
  const auto final_path = dir / "2026/11/25/rec-1.opus";
  REQUIRE(CommitRecordingFile((*writer)->ReleaseFd(), part, final_path).ok());
  CHECK_FALSE(std::filesystem::exists(part));

  const auto audio = DecodeOpusFile(final_path);
  REQUIRE(audio.ok);
  CHECK(audio.channels == 2);
  CHECK(audio.input_rate_hz == 8000);
  CHECK(audio.pre_skip == (*enc)->pre_skip_48k());
  CHECK(audio.pre_skip > 0);
  CHECK(audio.vendor == "kronika");
  CHECK(audio.recording_id_tag == "rec-1");
  CHECK(audio.duration_s() == Approx(3.0).margin(0.001));
  const auto left = audio.Channel(0, 0.5, 2.5);
  const auto right = audio.Channel(1, 0.5, 2.5);
  INFO("left 440 " << GoertzelShare(left, 440) << " left 1000 " << GoertzelShare(left, 1000) << " right 440 " << GoertzelShare(right, 440) << " right 1000 " << GoertzelShare(right, 1000));
  CHECK(DominantFrequency(left, {440, 1000}) == 440);
  CHECK(DominantFrequency(right, {440, 1000}) == 1000);
  CHECK(GoertzelShare(left, 440) > 0.15);
  CHECK(GoertzelShare(right, 1000) > 0.15);
  std::string info;
  CHECK(testing::OpusinfoAccepts(final_path, &info));
  INFO(info);
  std::filesystem::remove_all(dir);
}

TEST_CASE("Mono 16 kHz file records the native rate") {
  const auto dir = TempDir("writer_mono");
  auto enc = OpusFrameEncoder::Create(16000, 1, 16000, 0);
  REQUIRE(enc.ok());
  const auto part = dir / "m.opus.part";
  auto writer = OggOpusWriter::Create(part, {1, 16000, (*enc)->pre_skip_48k(), "m"}, 7);
  REQUIRE(writer.ok());
  WriteTones(**enc, **writer, 1.0, 1);
  REQUIRE((*writer)->Finish(48000).ok());
  REQUIRE(CommitRecordingFile((*writer)->ReleaseFd(), part, dir / "m.opus").ok());
  const auto audio = DecodeOpusFile(dir / "m.opus");
  REQUIRE(audio.ok);
  CHECK(audio.channels == 1);
  CHECK(audio.input_rate_hz == 16000);
  CHECK(audio.duration_s() == Approx(1.0).margin(0.001));
  CHECK(DominantFrequency(audio.Channel(0, 0.2, 0.9), {440, 1000}) == 440);
  CHECK(testing::OpusinfoAccepts(dir / "m.opus"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("An unfinished file already holds all but the last second on disk") {
  const auto dir = TempDir("writer_flush");
  auto enc = OpusFrameEncoder::Create(8000, 2, 16000, 0);
  REQUIRE(enc.ok());
  const auto part = dir / "cut.opus.part";
  auto writer = OggOpusWriter::Create(part, {2, 8000, (*enc)->pre_skip_48k(), "cut"}, 9);
  REQUIRE(writer.ok());
  WriteTones(**enc, **writer, 4.3);
  // Simulate a crash: copy what is on disk now, while the writer is still open.
  const auto copy = dir / "copy" / "cut.opus.part";
  std::filesystem::create_directories(copy.parent_path());
  std::filesystem::copy_file(part, copy);
  auto recovered = RecoverPartFile(copy);
  REQUIRE(recovered.ok());
  CHECK(recovered->recording_id == "cut");
  CHECK(recovered->duration_s >= 4.3 - 1.0 - 0.021);
  CHECK(recovered->duration_s <= 4.3);
  CHECK(recovered->duration_s == Approx(4.0 - (*enc)->pre_skip_48k() / 48000.0));
  const auto audio = DecodeOpusFile(recovered->file);
  REQUIRE(audio.ok);
  CHECK(audio.duration_s() == Approx(recovered->duration_s).margin(0.001));
  CHECK(testing::OpusinfoAccepts(recovered->file));
  std::filesystem::remove_all(dir);
}

TEST_CASE("Creating over an existing file fails with a message naming the path") {
  const auto dir = TempDir("writer_exists");
  const auto part = dir / "x.opus.part";
  { std::ofstream(part) << "x"; }
  auto writer = OggOpusWriter::Create(part, {2, 8000, 312, "x"}, 1);
  REQUIRE_FALSE(writer.ok());
  CHECK(writer.error().message.find("x.opus.part") != std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kronika::media
