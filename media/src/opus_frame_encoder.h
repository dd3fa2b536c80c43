// OpusFrameEncoder: raw libopus at the recording's native rate (8 or 16 kHz).
//
// Takes 20 ms frames (kFrameMs, the aligner's cadence) and emits one Opus packet per
// `packet_ms` (20, 40 or 60 ms). No resampling: libopus accepts 8/16 kHz input directly,
// and platform-facts measured libopusenc's forced 48 kHz path at 2.6x the CPU. One encoder
// per recording, used by its worker thread only.
//
// Two channels are written either as two independent mono Opus streams (kDualMono, the
// default: Ogg Opus channel mapping family 1, 2 streams, 0 coupled, RFC 7845 §5.1.1.2) or
// as one coupled stereo stream forced to stay two-channel (kCoupledStereo: libopus would
// otherwise downmix voice to mono below ~19 kbit/s). Measured (opus_variants_bench,
// docs/benchmarks.md): all layouts and packet lengths cost the same CPU within ±3 %; dual
// mono has no mid/side crosstalk (a 440 Hz tone leaks at about -60 dB into the other
// channel, against -25..-32 dB coupled) and keeps each leg's level when both legs carry
// correlated audio (coupled stereo at 16 kbit/s can drop both to ~1/5, see
// media_leg_bleed_test); 60 ms packets make the file ~9 % smaller. The two
// mono encoders are plain OpusEncoders: libopus 1.3's multistream encoder API executes
// CPUID on every call, which cost ~65 % extra on the (virtualised) development host.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "kronika/result.h"

struct OpusEncoder;

namespace kronika::media {

inline constexpr int kFrameMs = 20;  // input frame (aligner cadence)
inline constexpr int kOpusGranuleRateHz = 48000;  // Ogg Opus granules are 48 kHz samples

enum class OpusChannelLayout { kDualMono, kCoupledStereo };

struct OpusEncoderSettings {
  int rate_hz = 8000;      // 8000 or 16000
  int channels = 2;        // 1 or 2
  int bitrate_bps = 16000; // whole file (split evenly between the two mono streams)
  int complexity = 0;      // 0..10
  int packet_ms = 20;      // 20, 40 or 60
  OpusChannelLayout layout = OpusChannelLayout::kDualMono;  // used when channels == 2
};

class OpusFrameEncoder {
 public:
  // OPUS_APPLICATION_VOIP, SIGNAL_VOICE, bandwidth capped to the input (narrowband at
  // 8 kHz, wideband at 16 kHz). Errors: kInternal "media: opus encoder: <reason>".
  static Result<std::unique_ptr<OpusFrameEncoder>> Create(const OpusEncoderSettings& settings);
  // Coupled stereo (or mono), one packet per 20 ms frame: the layout before dual mono.
  static Result<std::unique_ptr<OpusFrameEncoder>> Create(int rate_hz, int channels, int bitrate_bps,
                                                          int complexity);
  ~OpusFrameEncoder();
  OpusFrameEncoder(const OpusFrameEncoder&) = delete;
  OpusFrameEncoder& operator=(const OpusFrameEncoder&) = delete;

  int rate_hz() const { return rate_hz_; }
  int channels() const { return channels_; }
  int frame_samples() const { return rate_hz_ * kFrameMs / 1000; }  // per channel, per Encode call
  int packet_samples_48k() const { return kOpusGranuleRateHz / 1000 * packet_ms_; }
  // True: two mono streams, the OpusHead needs channel mapping family 1 (2 streams, 0 coupled).
  bool dual_mono() const { return encoders_.size() == 2; }
  // Encoder lookahead in 48 kHz samples: the OpusHead pre-skip.
  int pre_skip_48k() const { return pre_skip_48k_; }

  // Takes one frame of frame_samples() * channels() interleaved samples. `packet` becomes
  // the next Opus packet once packet_ms of audio are buffered, else it is left empty.
  // Errors: kInternal "media: opus encode: <libopus message>".
  Status Encode(const int16_t* pcm, std::vector<uint8_t>& packet);

  // Feeds silence (at least one frame) until a packet is out: call after the last frame
  // so the lookahead is flushed; end trimming (OggOpusWriter::Finish) removes the padding.
  Status EncodeFinalPacket(std::vector<uint8_t>& packet);

 private:
  OpusFrameEncoder() = default;
  Status EncodeBuffered(std::vector<uint8_t>& packet);

  std::vector<OpusEncoder*> encoders_;  // one coupled/mono encoder, or two mono (dual)
  std::vector<int16_t> pending_;        // interleaved input of the packet being filled
  std::vector<int16_t> mono_;           // one channel of pending_ (dual mono)
  std::vector<uint8_t> stream_;         // one stream's packet (dual mono)
  int rate_hz_ = 0;
  int channels_ = 0;
  int packet_ms_ = kFrameMs;
  int pre_skip_48k_ = 0;
};

}  // namespace kronika::media
