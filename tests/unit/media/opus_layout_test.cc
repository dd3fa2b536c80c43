// The recording's Opus layout: two mono streams (channel mapping family 1) in 20 ms packets
// by default; coupled stereo and 40/60 ms packets when configured. Files are read back with
// libopusfile and checked with opusinfo (independent readers).
#include <opus/opusfile.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "audio_test_util.h"
#include "media_test_util.h"
#include "ogg_opus_writer.h"
#include "opus_frame_encoder.h"

namespace kronika::media {
namespace {

using testing::DecodeOpusFile;
using testing::GoertzelShare;
using testing::Rms;
using testing::TempDir;
using testing::ToneSample;

// Writes `seconds` of `left_hz` left / `right_hz` right (0 = silence) through `settings`,
// the way the media worker does (20 ms frames in, packets when complete, a final padded
// packet, end trimming). Returns the finished file.
std::filesystem::path WriteFile(const std::filesystem::path& dir, const OpusEncoderSettings& settings,
                                double left_hz, double right_hz, double seconds) {
  auto enc = OpusFrameEncoder::Create(settings);
  REQUIRE(enc.ok());
  OpusFrameEncoder& e = **enc;
  const auto part = dir / "rec.opus.part";
  OggOpusHeader header{2, settings.rate_hz, e.pre_skip_48k(), "rec", e.dual_mono()};
  auto writer = OggOpusWriter::Create(part, header, 77);
  REQUIRE(writer.ok());
  const int frame = e.frame_samples();
  const int frames = static_cast<int>(seconds * 1000 / kFrameMs);
  std::vector<int16_t> pcm(static_cast<size_t>(frame * 2));
  std::vector<uint8_t> packet;
  int packets = 0;
  for (int f = 0, n = 0; f < frames; ++f) {
    for (int i = 0; i < frame; ++i, ++n) {
      pcm[static_cast<size_t>(2 * i)] = left_hz > 0 ? ToneSample(left_hz, n, settings.rate_hz) : 0;
      pcm[static_cast<size_t>(2 * i + 1)] = right_hz > 0 ? ToneSample(right_hz, n, settings.rate_hz) : 0;
    }
    REQUIRE(e.Encode(pcm.data(), packet).ok());
    if (packet.empty()) continue;
    ++packets;
    REQUIRE((*writer)->WritePacket(packet.data(), packet.size(), e.packet_samples_48k()).ok());
  }
  REQUIRE(e.EncodeFinalPacket(packet).ok());
  REQUIRE_FALSE(packet.empty());
  REQUIRE((*writer)->WritePacket(packet.data(), packet.size(), e.packet_samples_48k()).ok());
  // One packet per packet_ms of audio, not per 20 ms frame.
  CHECK(packets == frames * kFrameMs / settings.packet_ms);
  REQUIRE((*writer)->Finish(static_cast<int64_t>(frames) * kFrameMs * 48).ok());
  const auto final_path = dir / "rec.opus";
  REQUIRE(CommitRecordingFile((*writer)->ReleaseFd(), part, final_path).ok());
  return final_path;
}

struct HeadInfo {
  int channels = 0, family = -1, streams = 0, coupled = 0;
};

HeadInfo ReadHead(const std::filesystem::path& path) {
  HeadInfo h;
  int err = 0;
  OggOpusFile* of = op_open_file(path.c_str(), &err);
  if (of == nullptr) return h;
  const OpusHead* head = op_head(of, -1);
  h = {head->channel_count, head->mapping_family, head->stream_count, head->coupled_count};
  op_free(of);
  return h;
}

OpusEncoderSettings DualMono60() {
  OpusEncoderSettings settings;
  settings.layout = OpusChannelLayout::kDualMono;
  settings.packet_ms = 60;
  return settings;
}

TEST_CASE("Dual mono layout: two mono Opus streams in 60 ms packets, 440 Hz left and 1000 Hz right, no crosstalk") {
  const auto dir = TempDir("layout_dual");
  const OpusEncoderSettings settings = DualMono60();
  const auto path = WriteFile(dir, settings, 440, 1000, 3.0);

  const HeadInfo head = ReadHead(path);
  CHECK(head.channels == 2);
  CHECK(head.family == 1);  // RFC 7845 §5.1.1.2
  CHECK(head.streams == 2);
  CHECK(head.coupled == 0);
  const auto audio = DecodeOpusFile(path);
  REQUIRE(audio.ok);
  CHECK(audio.channels == 2);
  CHECK(audio.duration_s() == Approx(3.0).margin(0.001));  // end trimming cuts the padding
  const auto left = audio.Channel(0, 0.5, 2.5);
  const auto right = audio.Channel(1, 0.5, 2.5);
  CHECK(GoertzelShare(left, 440) > 0.15);
  CHECK(GoertzelShare(right, 1000) > 0.15);
  // Independent streams: each tone is at least 40 dB (power) below its own level in the
  // other channel (coupled stereo measured -25..-32 dB, opus_variants_bench).
  INFO("440 in right " << GoertzelShare(right, 440) << ", 1000 in left " << GoertzelShare(left, 1000));
  CHECK(GoertzelShare(right, 440) < GoertzelShare(left, 440) * 1e-4);
  CHECK(GoertzelShare(left, 1000) < GoertzelShare(right, 1000) * 1e-4);
  std::string info;
  CHECK(testing::OpusinfoAccepts(path, &info));
  INFO(info);
  std::filesystem::remove_all(dir);
}

TEST_CASE("Default layout (dual mono, 20 ms): a participant who is silent stays silent while the other talks") {
  const auto dir = TempDir("layout_silent");
  const OpusEncoderSettings settings;  // the engine's defaults
  REQUIRE(settings.layout == OpusChannelLayout::kDualMono);
  REQUIRE(settings.packet_ms == 20);
  const auto path = WriteFile(dir, settings, 0, 1000, 2.0);
  CHECK(ReadHead(path).family == 1);
  const auto audio = DecodeOpusFile(path);
  REQUIRE(audio.ok);
  const auto left = audio.Channel(0, 0.2, 1.8);
  const auto right = audio.Channel(1, 0.2, 1.8);
  INFO("left rms " << Rms(left) << " right rms " << Rms(right));
  CHECK(Rms(right) > 1000);
  CHECK(Rms(left) < Rms(right) / 1000);  // more than 60 dB down
  std::filesystem::remove_all(dir);
}

TEST_CASE("Coupled stereo in 20 ms packets (mapping family 0) stays selectable and keeps the channels apart") {
  const auto dir = TempDir("layout_coupled");
  OpusEncoderSettings settings;
  settings.layout = OpusChannelLayout::kCoupledStereo;
  const auto path = WriteFile(dir, settings, 440, 1000, 2.0);
  const HeadInfo head = ReadHead(path);
  CHECK(head.channels == 2);
  CHECK(head.family == 0);
  const auto audio = DecodeOpusFile(path);
  REQUIRE(audio.ok);
  CHECK(audio.duration_s() == Approx(2.0).margin(0.001));
  const auto left = audio.Channel(0, 0.5, 1.5);
  const auto right = audio.Channel(1, 0.5, 1.5);
  CHECK(GoertzelShare(left, 440) > 0.15);
  CHECK(GoertzelShare(right, 1000) > 0.15);
  // Mid/side coding leaks a little (measured about -32 dB); at least 20 dB apart.
  CHECK(GoertzelShare(right, 440) < GoertzelShare(left, 440) * 0.01);
  CHECK(GoertzelShare(left, 1000) < GoertzelShare(right, 1000) * 0.01);
  std::filesystem::remove_all(dir);
}

TEST_CASE("Dual mono in 40 ms packets at 16 kHz gives the right length and tones") {
  const auto dir = TempDir("layout_40");
  OpusEncoderSettings settings = DualMono60();
  settings.rate_hz = 16000;
  settings.packet_ms = 40;
  const auto path = WriteFile(dir, settings, 440, 1000, 2.0);
  const auto audio = DecodeOpusFile(path);
  REQUIRE(audio.ok);
  CHECK(audio.duration_s() == Approx(2.0).margin(0.001));
  CHECK(GoertzelShare(audio.Channel(0, 0.5, 1.5), 440) > 0.15);
  CHECK(GoertzelShare(audio.Channel(1, 0.5, 1.5), 1000) > 0.15);
  std::filesystem::remove_all(dir);
}

TEST_CASE("Opus encoder settings outside what it supports are refused with a reason") {
  OpusEncoderSettings settings;
  settings.packet_ms = 30;
  auto enc = OpusFrameEncoder::Create(settings);
  REQUIRE_FALSE(enc.ok());
  CHECK(enc.error().message == "media: opus encoder: packet length 30 ms is not 20, 40 or 60");
}

}  // namespace
}  // namespace kronika::media
