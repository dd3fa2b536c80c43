#include "decoder_plc.h"

#include <algorithm>

namespace kronika::media {

void WaveformPlc::Reset() {
  plc_init(&state_);
  recent_.fill(0);
}

void WaveformPlc::Receive(int16_t* amp, size_t count) {
  plc_rx(&state_, amp, static_cast<int>(count));
  Remember(amp, count);
  // A block of the full history length makes spandsp store it from index 0 (aligned).
  scratch_ = recent_;
  plc_rx(&state_, scratch_.data(), static_cast<int>(scratch_.size()));
}

void WaveformPlc::FillIn(int16_t* amp, size_t count) {
  plc_fillin(&state_, amp, static_cast<int>(count));
  Remember(amp, count);
}

void WaveformPlc::Remember(const int16_t* amp, size_t count) {
  const size_t n = recent_.size();
  if (count >= n) {
    std::copy(amp + count - n, amp + count, recent_.begin());
    return;
  }
  std::copy(recent_.begin() + static_cast<std::ptrdiff_t>(count), recent_.end(), recent_.begin());
  std::copy(amp, amp + count, recent_.end() - static_cast<std::ptrdiff_t>(count));
}

}  // namespace kronika::media
