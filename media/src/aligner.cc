#include "aligner.h"

#include <algorithm>

namespace kronika::media {

Aligner::Aligner(int rate_hz, int channels, int frame_samples, int window_samples)
    : rate_hz_(rate_hz),
      channels_(channels),
      frame_samples_(frame_samples),
      window_(std::max(window_samples, 2 * frame_samples)),
      acc_(static_cast<size_t>(channels), std::vector<int32_t>(static_cast<size_t>(window_), 0)),
      frame_(static_cast<size_t>(frame_samples * channels), 0) {}

void Aligner::Push(int channel, int64_t start_sample, std::span<const int16_t> pcm) {
  int64_t start = start_sample;
  if (start < next_frame_start_) {
    const int64_t late = std::min<int64_t>(next_frame_start_ - start, static_cast<int64_t>(pcm.size()));
    late_samples_dropped_ += static_cast<uint64_t>(late);
    pcm = pcm.subspan(static_cast<size_t>(late));
    start += late;
  }
  const int64_t limit = next_frame_start_ + window_;
  if (start + static_cast<int64_t>(pcm.size()) > limit) {
    const int64_t keep = std::max<int64_t>(0, limit - start);
    early_samples_dropped_ += pcm.size() - static_cast<size_t>(keep);
    pcm = pcm.first(static_cast<size_t>(keep));
  }
  if (pcm.empty()) return;
  if (channels_ == 1 || channel < 0 || channel >= channels_) {
    for (int c = 0; c < channels_; ++c) Add(c, start, pcm);
  } else {
    Add(channel, start, pcm);
  }
}

void Aligner::Add(int out_channel, int64_t start_sample, std::span<const int16_t> pcm) {
  std::vector<int32_t>& ring = acc_[static_cast<size_t>(out_channel)];
  size_t pos = static_cast<size_t>(start_sample % window_);
  for (int16_t s : pcm) {
    ring[pos] += s;
    if (++pos == ring.size()) pos = 0;
  }
}

std::span<const int16_t> Aligner::PopFrame() {
  const size_t base = static_cast<size_t>(next_frame_start_ % window_);
  for (int c = 0; c < channels_; ++c) {
    std::vector<int32_t>& ring = acc_[static_cast<size_t>(c)];
    size_t pos = base;
    for (int i = 0; i < frame_samples_; ++i) {
      frame_[static_cast<size_t>(i * channels_ + c)] =
          static_cast<int16_t>(std::clamp<int32_t>(ring[pos], INT16_MIN, INT16_MAX));
      ring[pos] = 0;
      if (++pos == ring.size()) pos = 0;
    }
  }
  next_frame_start_ += frame_samples_;
  return frame_;
}

}  // namespace kronika::media
