#include "codec_encoder.h"

extern "C" {  // bcg729 headers lack C++ guards
#include <bcg729/encoder.h>
}
#include <opus/opus.h>
#include <spandsp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>

namespace kronika::loadgen {
namespace {

// RFC 3551 static payload types; Opus (RFC 7587) takes a dynamic one. G.722's RTP clock
// is 8000 Hz although it samples at 16 kHz (RFC 3551 section 4.5.2); Opus's is 48000 Hz.
constexpr std::array<CodecSpec, 5> kCodecs = {{
    {LoadCodec::kPcmu, "pcmu", 0, "PCMU/8000", "", 160, 8000},
    {LoadCodec::kPcma, "pcma", 8, "PCMA/8000", "", 160, 8000},
    {LoadCodec::kG722, "g722", 9, "G722/8000", "", 160, 16000},
    {LoadCodec::kG729, "g729", 18, "G729/8000", "annexb=no", 160, 8000},
    {LoadCodec::kOpus, "opus", 111, "opus/48000/2", "maxplaybackrate=16000;sprop-maxcapturerate=16000", 960, 16000},
}};

constexpr int kG722BitRate = 64000;
constexpr int kG729FrameSamples = 80;  // 10 ms; two per RTP packet
constexpr int kOpusBitRate = 24000;
constexpr int kOpusComplexity = 5;
constexpr int kOpusMaxPacketBytes = 1275;

struct OpusEncoderDeleter {
  void operator()(OpusEncoder* e) const { opus_encoder_destroy(e); }
};

}  // namespace

const CodecSpec& CodecSpecOf(LoadCodec codec) {
  for (const CodecSpec& spec : kCodecs) {
    if (spec.codec == codec) return spec;
  }
  return kCodecs[0];
}

std::string CodecNames() {
  std::string names;
  for (const CodecSpec& spec : kCodecs) names += (names.empty() ? "" : ", ") + std::string(spec.name);
  return names;
}

Result<LoadCodec> ParseCodec(std::string_view name) {
  std::string key;
  for (char c : name) {
    if (c != '.' && c != '-') key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (const CodecSpec& spec : kCodecs) {
    if (key == spec.name) return spec.codec;
  }
  return MakeError(ErrorCode::kUsage,
                   "--codec: unknown codec '" + std::string(name) + "' (one of " + CodecNames() + ")");
}

Result<EncodedLoop> EncodeLoop(LoadCodec codec, const std::vector<int16_t>& pcm) {
  const CodecSpec& spec = CodecSpecOf(codec);
  const size_t frame_samples = static_cast<size_t>(spec.input_rate_hz * kPacketMs / 1000);
  const size_t frames = pcm.size() / frame_samples;
  if (frames == 0) return MakeError(ErrorCode::kInvalidInput, "codec: no audio to encode");
  EncodedLoop loop;
  auto append = [&loop](const uint8_t* data, size_t size) {
    loop.bytes_.insert(loop.bytes_.end(), data, data + size);
    loop.offsets_.push_back(loop.bytes_.size());
  };
  std::vector<uint8_t> out(kOpusMaxPacketBytes);
  switch (codec) {
    case LoadCodec::kPcmu:
    case LoadCodec::kPcma:
      for (size_t f = 0; f < frames; ++f) {
        for (size_t i = 0; i < frame_samples; ++i) {
          const int16_t s = pcm[f * frame_samples + i];
          out[i] = codec == LoadCodec::kPcmu ? linear_to_ulaw(s) : linear_to_alaw(s);
        }
        append(out.data(), frame_samples);
      }
      break;
    case LoadCodec::kG722: {
      g722_encode_state_t* state = g722_encode_init(nullptr, kG722BitRate, 0);
      if (state == nullptr) return MakeError(ErrorCode::kInternal, "codec: g722_encode_init failed");
      for (size_t f = 0; f < frames; ++f) {
        const int n = g722_encode(state, out.data(), pcm.data() + f * frame_samples, static_cast<int>(frame_samples));
        append(out.data(), static_cast<size_t>(n));
      }
      g722_encode_free(state);
      break;
    }
    case LoadCodec::kG729: {
      bcg729EncoderChannelContextStruct* state = initBcg729EncoderChannel(/*enableVAD=*/0);
      if (state == nullptr) return MakeError(ErrorCode::kInternal, "codec: initBcg729EncoderChannel failed");
      for (size_t f = 0; f < frames; ++f) {
        uint8_t size = 0;
        size_t used = 0;
        for (size_t half = 0; half < frame_samples / kG729FrameSamples; ++half) {
          bcg729Encoder(state, pcm.data() + f * frame_samples + half * kG729FrameSamples, out.data() + used, &size);
          used += size;
        }
        append(out.data(), used);
      }
      closeBcg729EncoderChannel(state);
      break;
    }
    case LoadCodec::kOpus: {
      int error = OPUS_OK;
      std::unique_ptr<OpusEncoder, OpusEncoderDeleter> encoder(
          opus_encoder_create(spec.input_rate_hz, 1, OPUS_APPLICATION_VOIP, &error));
      if (error != OPUS_OK || !encoder) {
        return MakeError(ErrorCode::kInternal, std::string("codec: opus_encoder_create: ") + opus_strerror(error));
      }
      opus_encoder_ctl(encoder.get(), OPUS_SET_BITRATE(kOpusBitRate));
      opus_encoder_ctl(encoder.get(), OPUS_SET_COMPLEXITY(kOpusComplexity));
      opus_encoder_ctl(encoder.get(), OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
      for (size_t f = 0; f < frames; ++f) {
        const opus_int32 n = opus_encode(encoder.get(), pcm.data() + f * frame_samples, static_cast<int>(frame_samples),
                                         out.data(), kOpusMaxPacketBytes);
        if (n < 0) return MakeError(ErrorCode::kInternal, std::string("codec: opus_encode: ") + opus_strerror(n));
        append(out.data(), static_cast<size_t>(n));
      }
      break;
    }
  }
  return loop;
}

}  // namespace kronika::loadgen
