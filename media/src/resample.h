// Resampler: 2:1 rate changes between 8 and 16 kHz for one mono stream.
//
// A 31-tap half-band FIR (Blackman-windowed sinc, passband to ~3.4 kHz at 8 kHz) run in
// polyphase form; stopband below -60 dB for speech band content. Adds a fixed delay of
// about 1 ms (8 samples at 8 kHz). Keeps history across calls so packet edges are seamless.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kronika::media {

class Resampler {
 public:
  // in_rate_hz/out_rate_hz: equal, or 8000<->16000. Other pairs pass audio through.
  Resampler(int in_rate_hz, int out_rate_hz);

  int in_rate_hz() const { return in_rate_hz_; }
  int out_rate_hz() const { return out_rate_hz_; }

  // Appends the resampled `in` to `out` (2x, 0.5x rounded by carried phase, or 1x samples).
  void Process(const int16_t* in, size_t count, std::vector<int16_t>& out);

  void Reset();

 private:
  void Upsample(const int16_t* in, size_t count, std::vector<int16_t>& out);
  void Downsample(const int16_t* in, size_t count, std::vector<int16_t>& out);

  int in_rate_hz_;
  int out_rate_hz_;
  std::vector<float> history_;  // input samples not yet fully used by the filter
  size_t next_center_ = 0;      // downsampler: index in history_ of the next output centre
};

}  // namespace kronika::media
