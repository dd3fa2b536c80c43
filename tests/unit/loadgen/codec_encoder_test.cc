// The load generator's encoded audio must be what the SRS decodes: each codec's loop is
// decoded here with the media engine's own decoders and must give back the tone it was
// made from, with the payload size and RTP clock the codec's RTP format prescribes.
#include "codec_encoder.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "audio_test_util.h"
#include "decoder_g711.h"
#include "decoder_g722.h"
#include "decoder_g729.h"
#include "decoder_opus.h"
#include "speech_audio.h"

namespace kronika::loadgen {
namespace {

constexpr int kToneHz = 700;

std::unique_ptr<media::Decoder> SrsDecoderFor(LoadCodec codec) {
  switch (codec) {
    case LoadCodec::kPcmu:
      return media::MakeG711Decoder(media::G711Law::kMu);
    case LoadCodec::kPcma:
      return media::MakeG711Decoder(media::G711Law::kA);
    case LoadCodec::kG722:
      return media::MakeG722Decoder();
    case LoadCodec::kG729:
      return media::MakeG729Decoder();
    case LoadCodec::kOpus:
      return media::MakeOpusDecoder(16000);
  }
  return nullptr;
}

TEST_CASE("Every input codec's encoded loop decodes, with the SRS's decoders, to the tone it was made from") {
  struct Expect {
    LoadCodec codec;
    size_t payload_bytes;  // 0 = variable (Opus)
    uint32_t timestamp_step;
  };
  const Expect cases[] = {{LoadCodec::kPcmu, 160, 160},
                          {LoadCodec::kPcma, 160, 160},
                          {LoadCodec::kG722, 160, 160},
                          {LoadCodec::kG729, 20, 160},
                          {LoadCodec::kOpus, 0, 960}};
  for (const Expect& c : cases) {
    const CodecSpec& spec = CodecSpecOf(c.codec);
    INFO("codec " << spec.name);
    CHECK(spec.timestamp_step == c.timestamp_step);
    auto loop = EncodeLoop(c.codec, ToneAudio(spec.input_rate_hz, kToneHz, 1.0));
    REQUIRE(loop.ok());
    REQUIRE(loop->frames() == 50);  // 1 s in 20 ms payloads
    auto decoder = SrsDecoderFor(c.codec);
    REQUIRE(decoder != nullptr);
    std::vector<int16_t> pcm;
    for (size_t f = 0; f < loop->frames(); ++f) {
      const auto payload = loop->Frame(f);
      if (c.payload_bytes != 0) CHECK(payload.size() == c.payload_bytes);
      REQUIRE(decoder->Decode(payload.data(), payload.size(), pcm));
    }
    const int rate = decoder->sample_rate();
    CHECK(pcm.size() == static_cast<size_t>(rate));  // 1 s back out
    // Skip the first 100 ms (codec start-up), then the tone must dominate at its level.
    const std::vector<float> steady(pcm.begin() + rate / 10, pcm.end());
    CHECK(media::testing::GoertzelShare(steady, kToneHz, rate) > 0.35);
    CHECK(media::testing::Rms(steady) > 3000);  // sent at 8000 peak = 5657 RMS
  }
}

TEST_CASE("Codec names on the command line: the common spellings, and an error naming the choices") {
  CHECK(ParseCodec("PCMU").value() == LoadCodec::kPcmu);
  CHECK(ParseCodec("g.729").value() == LoadCodec::kG729);
  CHECK(ParseCodec("G722").value() == LoadCodec::kG722);
  CHECK(ParseCodec("Opus").value() == LoadCodec::kOpus);
  auto bad = ParseCodec("gsm");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kUsage);
  CHECK(bad.error().message == "--codec: unknown codec 'gsm' (one of pcmu, pcma, g722, g729, opus)");
}

TEST_CASE("No audio to encode is an error, not an empty loop") {
  auto loop = EncodeLoop(LoadCodec::kPcmu, std::vector<int16_t>(100));  // < one 20 ms frame
  REQUIRE_FALSE(loop.ok());
  CHECK(loop.error().code == ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace kronika::loadgen
