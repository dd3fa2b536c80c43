// The input codecs kronika-loadgen sends (every codec Kronika decodes) and the one-time
// encode of the audio loop into one RTP payload per 20 ms.
//
// Encoding happens once, before any call starts (spandsp for G.711 and G.722, bcg729 for
// G.729, libopus for Opus), so sending a packet never runs an encoder.
//
// Thread safety: CodecSpecOf/ParseCodec are pure; an EncodedLoop is immutable after
// EncodeLoop returns and may be read from any number of threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/result.h"

namespace kronika::loadgen {

enum class LoadCodec { kPcmu, kPcma, kG722, kG729, kOpus };

// What the SDP offer says about a codec and how its RTP advances.
struct CodecSpec {
  LoadCodec codec;
  std::string_view name;    // --codec value: pcmu, pcma, g722, g729, opus
  int payload_type;         // static type, or 111 for Opus (dynamic)
  std::string_view rtpmap;  // a=rtpmap value after the payload type
  std::string_view fmtp;    // a=fmtp value after the payload type ("" = none)
  uint32_t timestamp_step;  // RTP timestamp units per 20 ms packet
  int input_rate_hz;        // rate of the PCM the encoder takes (8000 or 16000)
};

inline constexpr int kPacketMs = 20;

const CodecSpec& CodecSpecOf(LoadCodec codec);
// "pcmu", "PCMA", "g722", "G.729", "opus" ... Error (kUsage) names the accepted values.
Result<LoadCodec> ParseCodec(std::string_view name);
std::string CodecNames();  // "pcmu, pcma, g722, g729, opus"

// One RTP payload per 20 ms of the audio, in order; the load generator loops over it.
class EncodedLoop {
 public:
  size_t frames() const { return offsets_.size() - 1; }
  // REQUIRES: i < frames().
  std::span<const uint8_t> Frame(size_t i) const {
    return {bytes_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]};
  }
  size_t total_bytes() const { return bytes_.size(); }

 private:
  friend Result<EncodedLoop> EncodeLoop(LoadCodec codec, const std::vector<int16_t>& pcm);
  std::vector<uint8_t> bytes_;
  std::vector<size_t> offsets_{0};  // frame i is bytes_[offsets_[i], offsets_[i+1])
};

// Encodes `pcm` (mono, at CodecSpecOf(codec).input_rate_hz, a whole number of 20 ms frames)
// into 20 ms payloads: G.711 160 bytes, G.722 at 64 kbit/s 160 bytes, G.729 (Annex A, no
// VAD) 20 bytes, Opus (VOIP, wideband, 24 kbit/s VBR, complexity 5) one packet per frame.
// Errors: empty input (kInvalidInput), an encoder that cannot be created or fails (kInternal).
Result<EncodedLoop> EncodeLoop(LoadCodec codec, const std::vector<int16_t>& pcm);

}  // namespace kronika::loadgen
