#include "resample.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace kronika::media {
namespace {

// Half-band filter h[k]: h[0] = 0.5, h[even != 0] = 0, h[+-(2j-1)] = kOdd[j-1].
constexpr int kHalfTaps = 8;                // odd taps per side
constexpr int kReach = 2 * kHalfTaps - 1;   // furthest tap, in input samples at 16 kHz

std::array<float, kHalfTaps> DesignOddTaps() {
  std::array<float, kHalfTaps> taps{};
  const double pi = std::acos(-1.0);
  const double window_half = kReach + 1;
  double sum = 0;
  for (int j = 1; j <= kHalfTaps; ++j) {
    const int k = 2 * j - 1;
    const double sinc = std::sin(pi * k / 2) / (pi * k);
    const double x = pi * k / window_half;
    const double blackman = 0.42 + 0.5 * std::cos(x) + 0.08 * std::cos(2 * x);
    taps[static_cast<size_t>(j - 1)] = static_cast<float>(sinc * blackman);
    sum += 2 * sinc * blackman;
  }
  for (auto& t : taps) t = static_cast<float>(t * 0.5 / sum);  // DC gain exactly 1
  return taps;
}

const std::array<float, kHalfTaps>& OddTaps() {
  static const std::array<float, kHalfTaps> taps = DesignOddTaps();
  return taps;
}

int16_t Clamp16(float v) {
  return static_cast<int16_t>(std::lround(std::clamp(v, -32768.0f, 32767.0f)));
}

}  // namespace

Resampler::Resampler(int in_rate_hz, int out_rate_hz)
    : in_rate_hz_(in_rate_hz), out_rate_hz_(out_rate_hz) {
  Reset();
}

void Resampler::Reset() {
  history_.clear();
  if (out_rate_hz_ == 2 * in_rate_hz_) {
    // Zeros before the first sample so every call yields exactly 2 * count samples
    // (the stream is delayed by kHalfTaps input samples).
    history_.assign(2 * kHalfTaps - 1, 0.0f);
  } else if (2 * out_rate_hz_ == in_rate_hz_) {
    // Zeros so that every even-length call yields exactly count / 2 samples
    // (the stream is delayed by kReach input samples).
    history_.assign(2 * kReach, 0.0f);
    next_center_ = kReach;
  }
}

void Resampler::Process(const int16_t* in, size_t count, std::vector<int16_t>& out) {
  if (out_rate_hz_ == 2 * in_rate_hz_) {
    Upsample(in, count, out);
  } else if (2 * out_rate_hz_ == in_rate_hz_) {
    Downsample(in, count, out);
  } else {
    out.insert(out.end(), in, in + count);
  }
}

// Zero-stuffing then filtering with gain 2: the even output repeats the input sample, the
// odd output between x[i] and x[i+1] is 2 * sum_j h_j (x[i-j+1] + x[i+j]).
void Resampler::Upsample(const int16_t* in, size_t count, std::vector<int16_t>& out) {
  const auto& taps = OddTaps();
  for (size_t n = 0; n < count; ++n) history_.push_back(in[n]);
  // history_[c] is the centre sample x[i]; it needs kHalfTaps - 1 before, kHalfTaps after.
  const size_t first = kHalfTaps - 1;
  size_t c = first;
  out.reserve(out.size() + 2 * count);
  for (; c + kHalfTaps < history_.size(); ++c) {
    float odd = 0;
    for (int j = 1; j <= kHalfTaps; ++j) {
      odd += taps[static_cast<size_t>(j - 1)] * (history_[c - static_cast<size_t>(j) + 1] +
                                                  history_[c + static_cast<size_t>(j)]);
    }
    out.push_back(Clamp16(history_[c]));
    out.push_back(Clamp16(2 * odd));
  }
  history_.erase(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(c - first));
}

// y[n] = 0.5 x[2n] + sum_j h_j (x[2n-(2j-1)] + x[2n+(2j-1)]), centres every other input.
void Resampler::Downsample(const int16_t* in, size_t count, std::vector<int16_t>& out) {
  const auto& taps = OddTaps();
  for (size_t n = 0; n < count; ++n) history_.push_back(in[n]);
  size_t c = next_center_;
  out.reserve(out.size() + count / 2 + 1);
  for (; c + kReach < history_.size(); c += 2) {
    float acc = 0.5f * history_[c];
    for (int j = 1; j <= kHalfTaps; ++j) {
      const size_t k = static_cast<size_t>(2 * j - 1);
      acc += taps[static_cast<size_t>(j - 1)] * (history_[c - k] + history_[c + k]);
    }
    out.push_back(Clamp16(acc));
  }
  const size_t drop = c - kReach;
  history_.erase(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(drop));
  next_center_ = c - drop;
}

}  // namespace kronika::media
