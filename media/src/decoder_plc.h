// WaveformPlc: spandsp's pitch-repeating packet loss concealment (G.711 Appendix I style)
// for codecs without their own PLC (G.711, G.722).
//
// Works around a spandsp 0.0.6 defect: plc_fillin() starts a gap by rotating its history
// ring with an overlapping memcpy (undefined behaviour, flagged by ASan) unless the ring
// is aligned. After each received block the ring is re-seeded with the last
// PLC_HISTORY_LEN samples so that it is always aligned when a gap starts.
#pragma once

#include <spandsp.h>

#include <array>
#include <cstddef>
#include <cstdint>

namespace kronika::media {

class WaveformPlc {
 public:
  WaveformPlc() { Reset(); }

  // Received audio (modified in place: the first samples after a gap are cross-faded).
  void Receive(int16_t* amp, size_t count);
  // Synthesizes `count` samples into amp (fading to silence after ~50 ms).
  void FillIn(int16_t* amp, size_t count);
  void Reset();

 private:
  void Remember(const int16_t* amp, size_t count);

  plc_state_t state_;
  std::array<int16_t, PLC_HISTORY_LEN> recent_{};  // the last samples, oldest first
  std::array<int16_t, PLC_HISTORY_LEN> scratch_{};
};

}  // namespace kronika::media
