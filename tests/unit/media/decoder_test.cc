#include "decoder.h"

extern "C" {  // bcg729 headers lack C++ guards
#include <bcg729/encoder.h>
}
#include <catch2/catch.hpp>
#include <opus/opus.h>
#include <spandsp.h>

#include "leg_pipeline.h"
#include "leg_test_util.h"
#include "resample.h"

namespace kronika::media {
namespace {

using testing::DominantFrequency;
using testing::Goertzel;
using testing::Rms;
using testing::Tone;

std::vector<uint8_t> EncodeUlaw(const std::vector<int16_t>& pcm) {
  std::vector<uint8_t> out;
  for (int16_t s : pcm) out.push_back(linear_to_ulaw(s));
  return out;
}

std::unique_ptr<Decoder> Make(const char* encoding, int clock, int out_rate = 8000) {
  return MakeDecoder(PayloadFormat{0, encoding, clock, 1}, out_rate);
}

TEST_CASE("PCMU and PCMA decode a 1 kHz tone", "[decoder]") {
  const auto tone = Tone(1000, 8000, 800);
  auto pcmu = Make("PCMU", 8000);
  REQUIRE(pcmu);
  CHECK(pcmu->sample_rate() == 8000);
  std::vector<int16_t> out;
  REQUIRE(pcmu->Decode(EncodeUlaw(tone).data(), tone.size(), out));
  REQUIRE(out.size() == 800);
  CHECK(DominantFrequency(out, 8000) == 1000);
  CHECK(Rms(out.data(), out.size()) == Approx(8000 / std::sqrt(2.0)).epsilon(0.03));

  std::vector<uint8_t> alaw;
  for (int16_t s : tone) alaw.push_back(linear_to_alaw(s));
  auto pcma = Make("pcma", 8000);
  REQUIRE(pcma);
  out.clear();
  REQUIRE(pcma->Decode(alaw.data(), alaw.size(), out));
  CHECK(DominantFrequency(out, 8000) == 1000);
}

TEST_CASE("G.711 concealment continues the waveform for the requested length", "[decoder]") {
  const auto tone = Tone(1000, 8000, 480);
  auto pcmu = Make("PCMU", 8000);
  std::vector<int16_t> out;
  REQUIRE(pcmu->Decode(EncodeUlaw(tone).data(), tone.size(), out));
  std::vector<int16_t> filled;
  pcmu->Conceal(160, nullptr, 0, filled);
  REQUIRE(filled.size() == 160);
  CHECK(Rms(filled.data(), 80) > 2000);  // not silence: pitch repeated
  CHECK(DominantFrequency(filled, 8000) == 1000);
}

TEST_CASE("G.722 decodes wideband audio at 16 kHz", "[decoder]") {
  // 5 kHz is above what any 8 kHz codec can carry.
  const auto tone = Tone(5000, 16000, 3200);
  g722_encode_state_t* enc = g722_encode_init(nullptr, 64000, 0);
  std::vector<uint8_t> bits(tone.size() / 2);
  REQUIRE(g722_encode(enc, bits.data(), tone.data(), int(tone.size())) == int(bits.size()));
  g722_encode_free(enc);
  auto g722 = Make("G722", 8000);
  REQUIRE(g722);
  CHECK(g722->sample_rate() == 16000);
  std::vector<int16_t> out;
  REQUIRE(g722->Decode(bits.data(), bits.size(), out));
  REQUIRE(out.size() == 3200);
  std::vector<int16_t> steady(out.begin() + 400, out.end());
  CHECK(DominantFrequency(steady, 16000) == 5000);
  std::vector<int16_t> filled;
  g722->Conceal(320, nullptr, 0, filled);
  CHECK(filled.size() == 320);
}

TEST_CASE("G.729 decodes bcg729-encoded frames and a SID frame", "[decoder]") {
  const auto tone = Tone(1000, 8000, 1600, 0, 6000);
  auto* enc = initBcg729EncoderChannel(0);
  std::vector<uint8_t> payload;  // 20 frames of 10 bytes
  for (size_t i = 0; i < tone.size(); i += 80) {
    uint8_t frame[10];
    uint8_t len = 0;
    bcg729Encoder(enc, tone.data() + i, frame, &len);
    REQUIRE(len == 10);
    payload.insert(payload.end(), frame, frame + 10);
  }
  closeBcg729EncoderChannel(enc);
  auto g729 = Make("G729", 8000);
  REQUIRE(g729);
  std::vector<int16_t> out;
  REQUIRE(g729->Decode(payload.data(), payload.size(), out));
  REQUIRE(out.size() == 1600);
  std::vector<int16_t> steady(out.begin() + 400, out.end());
  CHECK(DominantFrequency(steady, 8000) == 1000);

  const uint8_t sid[2] = {0x12, 0x34};
  std::vector<uint8_t> with_sid(payload.begin(), payload.begin() + 20);
  with_sid.insert(with_sid.end(), sid, sid + 2);
  out.clear();
  REQUIRE(g729->Decode(with_sid.data(), with_sid.size(), out));
  CHECK(out.size() == 240);  // two frames + one SID frame of comfort noise

  const uint8_t odd[7] = {};
  out.clear();
  CHECK_FALSE(g729->Decode(odd, sizeof(odd), out));
  CHECK(out.empty());

  std::vector<int16_t> filled;
  g729->Conceal(200, nullptr, 0, filled);
  CHECK(filled.size() == 200);
}

std::vector<std::vector<uint8_t>> OpusPackets(const std::vector<int16_t>& pcm, int rate,
                                              int frame, bool fec) {
  int err = 0;
  OpusEncoder* enc = opus_encoder_create(rate, 1, OPUS_APPLICATION_VOIP, &err);
  REQUIRE(err == OPUS_OK);
  opus_encoder_ctl(enc, OPUS_SET_BITRATE(24000));
  if (fec) {
    opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(1));
    opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(20));
  }
  std::vector<std::vector<uint8_t>> packets;
  for (size_t i = 0; i + size_t(frame) <= pcm.size(); i += size_t(frame)) {
    std::vector<uint8_t> buf(400);
    const int n = opus_encode(enc, pcm.data() + i, frame, buf.data(), int(buf.size()));
    REQUIRE(n > 0);
    buf.resize(size_t(n));
    packets.push_back(buf);
  }
  opus_encoder_destroy(enc);
  return packets;
}

TEST_CASE("Opus decodes at the recording rate, with PLC and FEC of exact length",
          "[decoder]") {
  const int rate = GENERATE(8000, 16000);
  const auto tone = Tone(1000, 48000, 48000);
  const auto packets = OpusPackets(tone, 48000, 960, /*fec=*/true);
  auto opus = Make("opus", 48000, rate);
  REQUIRE(opus);
  CHECK(opus->sample_rate() == rate);
  std::vector<int16_t> out;
  for (size_t i = 0; i < 30; ++i) REQUIRE(opus->Decode(packets[i].data(), packets[i].size(), out));
  CHECK(out.size() == size_t(30 * rate / 50));
  std::vector<int16_t> steady(out.begin() + rate / 5, out.end());
  CHECK(DominantFrequency(steady, rate) == 1000);

  std::vector<int16_t> filled;
  opus->Conceal(size_t(rate / 50), packets[31].data(), packets[31].size(), filled);  // FEC
  REQUIRE(filled.size() == size_t(rate / 50));
  CHECK(Goertzel(filled.data(), filled.size(), 1000, rate) >
        100 * Goertzel(filled.data(), filled.size(), 2500, rate));
  filled.clear();
  opus->Conceal(size_t(rate / 50) + 7, nullptr, 0, filled);  // PLC, not a 2.5 ms multiple
  CHECK(filled.size() == size_t(rate / 50) + 7);
}

TEST_CASE("Unknown encodings have no decoder", "[decoder]") {
  CHECK_FALSE(Make("GSM", 8000));
  CHECK_FALSE(Make("telephone-event", 8000));
}

TEST_CASE("Resampler doubles 8 kHz to 16 kHz keeping the tone", "[resample]") {
  Resampler up(8000, 16000);
  const auto tone = Tone(1000, 8000, 1600);
  std::vector<int16_t> out;
  for (size_t i = 0; i < tone.size(); i += 160) up.Process(tone.data() + i, 160, out);
  REQUIRE(out.size() == 3200);
  std::vector<int16_t> steady(out.begin() + 320, out.end());
  CHECK(DominantFrequency(steady, 16000) == 1000);
  CHECK(Rms(steady.data(), steady.size()) == Approx(8000 / std::sqrt(2.0)).epsilon(0.02));
  // The image at 7 kHz left by zero stuffing is suppressed.
  CHECK(Goertzel(steady.data(), steady.size(), 7000, 16000) <
        1e-4 * Goertzel(steady.data(), steady.size(), 1000, 16000));
}

TEST_CASE("Resampler halves 16 kHz to 8 kHz and rejects aliases", "[resample]") {
  Resampler down(16000, 8000);
  const auto tone = Tone(1000, 16000, 3200);
  std::vector<int16_t> out;
  for (size_t i = 0; i < tone.size(); i += 320) down.Process(tone.data() + i, 320, out);
  REQUIRE(out.size() == 1600);
  std::vector<int16_t> steady(out.begin() + 160, out.end());
  CHECK(DominantFrequency(steady, 8000) == 1000);
  CHECK(Rms(steady.data(), steady.size()) == Approx(8000 / std::sqrt(2.0)).epsilon(0.02));

  // 6 kHz would alias to 2 kHz without the filter.
  Resampler down2(16000, 8000);
  const auto high = Tone(6000, 16000, 3200);
  std::vector<int16_t> aliased;
  down2.Process(high.data(), high.size(), aliased);
  std::vector<int16_t> tail(aliased.begin() + 160, aliased.end());
  CHECK(Rms(tail.data(), tail.size()) < 8000 / std::sqrt(2.0) / 100);  // below -40 dB
}

}  // namespace
}  // namespace kronika::media
