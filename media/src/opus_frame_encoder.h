// OpusFrameEncoder: raw libopus at the recording's native rate (8 or 16 kHz), 20 ms frames.
//
// No resampling: libopus accepts 8/16 kHz input directly, and platform-facts measured
// libopusenc's forced 48 kHz path at 2.6x the CPU. One encoder per recording, used by its
// worker thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "kronika/result.h"

struct OpusEncoder;

namespace kronika::media {

inline constexpr int kFrameMs = 20;
inline constexpr int kOpusGranuleRateHz = 48000;  // Ogg Opus granules are 48 kHz samples

class OpusFrameEncoder {
 public:
  // rate_hz: 8000 or 16000; channels: 1 or 2. OPUS_APPLICATION_VOIP, 20 ms frames,
  // bandwidth capped to the input (narrowband at 8 kHz, wideband at 16 kHz).
  // Errors: 500 "media: opus encoder: <libopus message>".
  static Result<std::unique_ptr<OpusFrameEncoder>> Create(int rate_hz, int channels, int bitrate_bps,
                                                          int complexity);
  ~OpusFrameEncoder();
  OpusFrameEncoder(const OpusFrameEncoder&) = delete;
  OpusFrameEncoder& operator=(const OpusFrameEncoder&) = delete;

  int rate_hz() const { return rate_hz_; }
  int channels() const { return channels_; }
  int frame_samples() const { return rate_hz_ * kFrameMs / 1000; }  // per channel
  // Encoder lookahead in 48 kHz samples: the OpusHead pre-skip.
  int pre_skip_48k() const { return pre_skip_48k_; }

  // Encodes one frame of frame_samples() * channels() interleaved samples into `packet`.
  // Errors: 500 "media: opus encode: <libopus message>".
  Status Encode(const int16_t* pcm, std::vector<uint8_t>& packet);

 private:
  OpusFrameEncoder() = default;
  OpusEncoder* enc_ = nullptr;
  int rate_hz_ = 0;
  int channels_ = 0;
  int pre_skip_48k_ = 0;
};

}  // namespace kronika::media
