#include "opus_frame_encoder.h"

#include <opus/opus.h>

#include <string>

namespace kronika::media {
namespace {
constexpr int kMaxPacketBytes = 1500;

Error CreateError(const std::string& why) {
  return MakeError(ErrorCode::kInternal, "media: opus encoder: " + why);
}

// Appends the RFC 6716 §3.2.1 length coding of `n` (0..1275).
void PutFrameLength(int n, std::vector<uint8_t>& out) {
  if (n < 252) {
    out.push_back(static_cast<uint8_t>(n));
  } else {
    out.push_back(static_cast<uint8_t>(252 + (n & 3)));
    out.push_back(static_cast<uint8_t>((n - 252 - (n & 3)) >> 2));
  }
}

// Appends `packet` in self-delimiting framing (RFC 6716 appendix B): the length of the
// last frame follows the existing header fields. Every stream but the last of a
// multistream packet is framed this way (RFC 7845 §5.1.1).
bool AppendSelfDelimited(const uint8_t* packet, int size, std::vector<uint8_t>& out) {
  const unsigned char* frames[48];
  opus_int16 sizes[48];
  unsigned char toc = 0;
  int payload_offset = 0;
  const int count = opus_packet_parse(packet, size, &toc, frames, sizes, &payload_offset);
  if (count < 1) return false;
  out.insert(out.end(), packet, packet + payload_offset);
  PutFrameLength(sizes[count - 1], out);
  out.insert(out.end(), packet + payload_offset, packet + size);
  return true;
}
}  // namespace

Result<std::unique_ptr<OpusFrameEncoder>> OpusFrameEncoder::Create(const OpusEncoderSettings& s) {
  if ((s.rate_hz != 8000 && s.rate_hz != 16000) || (s.channels != 1 && s.channels != 2)) {
    return CreateError("unsupported rate " + std::to_string(s.rate_hz) + " Hz / " + std::to_string(s.channels) +
                       " channels");
  }
  if (s.packet_ms != 20 && s.packet_ms != 40 && s.packet_ms != 60) {
    return CreateError("packet length " + std::to_string(s.packet_ms) + " ms is not 20, 40 or 60");
  }
  std::unique_ptr<OpusFrameEncoder> self(new OpusFrameEncoder());
  self->rate_hz_ = s.rate_hz;
  self->channels_ = s.channels;
  self->packet_ms_ = s.packet_ms;
  const bool dual = s.channels == 2 && s.layout == OpusChannelLayout::kDualMono;
  const int streams = dual ? 2 : 1;
  const int stream_channels = dual ? 1 : s.channels;
  for (int i = 0; i < streams; ++i) {
    int err = OPUS_OK;
    OpusEncoder* enc = opus_encoder_create(s.rate_hz, stream_channels, OPUS_APPLICATION_VOIP, &err);
    if (err != OPUS_OK || enc == nullptr) return CreateError(opus_strerror(err));
    self->encoders_.push_back(enc);  // owned from here on
    if (opus_encoder_ctl(enc, OPUS_SET_BITRATE(s.bitrate_bps / streams)) != OPUS_OK ||
        opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(s.complexity)) != OPUS_OK ||
        opus_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)) != OPUS_OK ||
        // Below ~19 kbit/s libopus silently downmixes coupled stereo voice to mono, which
        // would merge the two call legs; forcing the channel count keeps them apart.
        opus_encoder_ctl(enc, OPUS_SET_FORCE_CHANNELS(stream_channels)) != OPUS_OK ||
        opus_encoder_ctl(enc, OPUS_SET_MAX_BANDWIDTH(s.rate_hz == 8000 ? OPUS_BANDWIDTH_NARROWBAND
                                                                       : OPUS_BANDWIDTH_WIDEBAND)) != OPUS_OK) {
      return CreateError("bitrate " + std::to_string(s.bitrate_bps) + " or complexity " +
                         std::to_string(s.complexity) + " rejected");
    }
  }
  opus_int32 lookahead = 0;
  opus_encoder_ctl(self->encoders_[0], OPUS_GET_LOOKAHEAD(&lookahead));
  self->pre_skip_48k_ = static_cast<int>(lookahead) * (kOpusGranuleRateHz / s.rate_hz);
  self->pending_.reserve(static_cast<size_t>(s.rate_hz / 1000 * s.packet_ms * s.channels));
  return self;
}

Result<std::unique_ptr<OpusFrameEncoder>> OpusFrameEncoder::Create(int rate_hz, int channels, int bitrate_bps,
                                                                   int complexity) {
  return Create({rate_hz, channels, bitrate_bps, complexity, kFrameMs, OpusChannelLayout::kCoupledStereo});
}

OpusFrameEncoder::~OpusFrameEncoder() {
  for (OpusEncoder* enc : encoders_) opus_encoder_destroy(enc);
}

Status OpusFrameEncoder::Encode(const int16_t* pcm, std::vector<uint8_t>& packet) {
  packet.clear();
  pending_.insert(pending_.end(), pcm, pcm + frame_samples() * channels_);
  if (pending_.size() < static_cast<size_t>(rate_hz_ / 1000 * packet_ms_ * channels_)) return OkStatus();
  Status s = EncodeBuffered(packet);
  pending_.clear();
  return s;
}

Status OpusFrameEncoder::EncodeFinalPacket(std::vector<uint8_t>& packet) {
  const std::vector<int16_t> silence(static_cast<size_t>(frame_samples() * channels_), 0);
  do {
    if (Status s = Encode(silence.data(), packet); !s.ok()) return s;
  } while (packet.empty());
  return OkStatus();
}

Status OpusFrameEncoder::EncodeBuffered(std::vector<uint8_t>& packet) {
  const int samples = static_cast<int>(pending_.size()) / channels_;
  auto fail = [&](int code) {
    packet.clear();
    return MakeError(ErrorCode::kInternal,
                     std::string("media: opus encode: ") + opus_strerror(code));
  };
  if (!dual_mono()) {
    packet.resize(kMaxPacketBytes);
    const opus_int32 n = opus_encode(encoders_[0], pending_.data(), samples, packet.data(), kMaxPacketBytes);
    if (n < 0) return fail(n);
    packet.resize(static_cast<size_t>(n));
    return OkStatus();
  }
  // Multistream packet: stream 0 (left) self-delimited, then stream 1 (right) as is.
  mono_.resize(static_cast<size_t>(samples));
  stream_.resize(kMaxPacketBytes);
  for (int ch = 0; ch < 2; ++ch) {
    for (int i = 0; i < samples; ++i) mono_[static_cast<size_t>(i)] = pending_[static_cast<size_t>(2 * i + ch)];
    const opus_int32 n = opus_encode(encoders_[static_cast<size_t>(ch)], mono_.data(), samples, stream_.data(),
                                     kMaxPacketBytes);
    if (n < 0) return fail(n);
    if (ch == 0) {
      if (!AppendSelfDelimited(stream_.data(), n, packet)) return fail(OPUS_INTERNAL_ERROR);
    } else {
      packet.insert(packet.end(), stream_.begin(), stream_.begin() + n);
    }
  }
  return OkStatus();
}

}  // namespace kronika::media
