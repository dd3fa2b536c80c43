#include "opus_frame_encoder.h"

#include <opus/opus.h>

#include <string>

namespace kronika::media {
namespace {
constexpr int kMaxPacketBytes = 1500;
}

Result<std::unique_ptr<OpusFrameEncoder>> OpusFrameEncoder::Create(int rate_hz, int channels,
                                                                   int bitrate_bps, int complexity) {
  if ((rate_hz != 8000 && rate_hz != 16000) || (channels != 1 && channels != 2)) {
    return MakeError(500, "media: opus encoder: unsupported rate " + std::to_string(rate_hz) +
                              " Hz / " + std::to_string(channels) + " channels");
  }
  int err = OPUS_OK;
  OpusEncoder* enc = opus_encoder_create(rate_hz, channels, OPUS_APPLICATION_VOIP, &err);
  if (err != OPUS_OK || enc == nullptr) {
    return MakeError(500, std::string("media: opus encoder: ") + opus_strerror(err));
  }
  std::unique_ptr<OpusFrameEncoder> self(new OpusFrameEncoder());
  self->enc_ = enc;
  self->rate_hz_ = rate_hz;
  self->channels_ = channels;
  if (opus_encoder_ctl(enc, OPUS_SET_BITRATE(bitrate_bps)) != OPUS_OK ||
      opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(complexity)) != OPUS_OK ||
      opus_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)) != OPUS_OK ||
      // Below ~19 kbit/s libopus silently downmixes stereo voice to mono, which would
      // merge the two call legs; forcing the channel count keeps them apart.
      opus_encoder_ctl(enc, OPUS_SET_FORCE_CHANNELS(channels)) != OPUS_OK ||
      opus_encoder_ctl(enc, OPUS_SET_MAX_BANDWIDTH(rate_hz == 8000 ? OPUS_BANDWIDTH_NARROWBAND
                                                                   : OPUS_BANDWIDTH_WIDEBAND)) != OPUS_OK) {
    return MakeError(500, "media: opus encoder: bitrate " + std::to_string(bitrate_bps) +
                              " or complexity " + std::to_string(complexity) + " rejected");
  }
  opus_int32 lookahead = 0;
  opus_encoder_ctl(enc, OPUS_GET_LOOKAHEAD(&lookahead));
  self->pre_skip_48k_ = static_cast<int>(lookahead) * (kOpusGranuleRateHz / rate_hz);
  return self;
}

OpusFrameEncoder::~OpusFrameEncoder() {
  if (enc_ != nullptr) opus_encoder_destroy(enc_);
}

Status OpusFrameEncoder::Encode(const int16_t* pcm, std::vector<uint8_t>& packet) {
  packet.resize(kMaxPacketBytes);
  const opus_int32 n = opus_encode(enc_, pcm, frame_samples(), packet.data(), kMaxPacketBytes);
  if (n < 0) {
    packet.clear();
    return MakeError(500, std::string("media: opus encode: ") + opus_strerror(n));
  }
  packet.resize(static_cast<size_t>(n));
  return OkStatus();
}

}  // namespace kronika::media
