// Aligner: puts the legs of one recording on one timeline and cuts it into output frames.
//
// Every leg delivers PCM at the recording's rate positioned on the recording timeline
// (sample 0 = Open). The aligner accumulates those samples into per-channel buffers by
// position, so two legs that carry the same instant land in the same output frame no
// matter when their packets arrived. Positions nobody wrote (loss beyond PLC, pauses,
// a leg that starts late or ends early) come out as silence of exactly that length.
// Channel -1 streams are mixed into every output channel; with one output channel
// (mono file) every stream is mixed into it. Sums saturate at int16.
//
// Used by one thread (the recording's worker). No allocation after construction.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace kronika::media {

class Aligner {
 public:
  // rate_hz: samples per second; channels: 1 or 2 (output file); frame_samples per channel;
  // window_samples: how far ahead of the emitted position audio may be buffered.
  Aligner(int rate_hz, int channels, int frame_samples, int window_samples);

  // Adds `pcm` (mono) starting at timeline sample `start_sample` to `channel` (0, 1 or -1).
  // Samples before next_frame_start() (already emitted) or beyond the window are dropped
  // and counted.
  void Push(int channel, int64_t start_sample, std::span<const int16_t> pcm);

  // True if the frame starting at next_frame_start() can be emitted when the timeline has
  // reached `upto_sample` (the frame lies wholly before it).
  bool FrameReady(int64_t upto_sample) const { return next_frame_start_ + frame_samples_ <= upto_sample; }

  // Produces the next frame (frame_samples * channels interleaved) and advances.
  std::span<const int16_t> PopFrame();

  int64_t next_frame_start() const { return next_frame_start_; }
  int frame_samples() const { return frame_samples_; }
  int channels() const { return channels_; }
  int rate_hz() const { return rate_hz_; }
  uint64_t late_samples_dropped() const { return late_samples_dropped_; }
  uint64_t early_samples_dropped() const { return early_samples_dropped_; }

 private:
  void Add(int out_channel, int64_t start_sample, std::span<const int16_t> pcm);

  int rate_hz_;
  int channels_;
  int frame_samples_;
  int64_t window_;
  std::vector<std::vector<int32_t>> acc_;  // per output channel, ring indexed by sample % window
  std::vector<int16_t> frame_;
  int64_t next_frame_start_ = 0;
  uint64_t late_samples_dropped_ = 0;
  uint64_t early_samples_dropped_ = 0;
};

}  // namespace kronika::media
