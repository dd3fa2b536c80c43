// Helpers for the RTP leg tests: packet builder, tone generator, Goertzel, recording sink.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <vector>

#include "leg_pipeline.h"

namespace kronika::media::testing {

inline std::vector<uint8_t> MakeRtp(uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
                                    const std::vector<uint8_t>& payload, bool marker = false) {
  std::vector<uint8_t> p(12 + payload.size());
  p[0] = 0x80;
  p[1] = static_cast<uint8_t>((marker ? 0x80 : 0) | pt);
  for (int i = 0; i < 2; ++i) p[size_t(2 + i)] = static_cast<uint8_t>(seq >> (8 - 8 * i));
  for (int i = 0; i < 4; ++i) p[size_t(4 + i)] = static_cast<uint8_t>(ts >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) p[size_t(8 + i)] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  for (size_t i = 0; i < payload.size(); ++i) p[12 + i] = payload[i];
  return p;
}

// Sine of `freq_hz` at `rate_hz`; sample i is sin(2 pi f (first + i) / rate).
inline std::vector<int16_t> Tone(double freq_hz, int rate_hz, size_t count, int64_t first = 0,
                                 double amplitude = 8000) {
  std::vector<int16_t> out(count);
  const double w = 2 * std::acos(-1.0) * freq_hz / rate_hz;
  for (size_t i = 0; i < count; ++i) {
    out[i] = static_cast<int16_t>(std::lround(amplitude * std::sin(w * double(first + int64_t(i)))));
  }
  return out;
}

// Power of `freq_hz` in the block (Goertzel), normalised by the block length squared.
inline double Goertzel(const int16_t* x, size_t n, double freq_hz, int rate_hz) {
  const double w = 2 * std::acos(-1.0) * freq_hz / rate_hz;
  const double coeff = 2 * std::cos(w);
  double s1 = 0, s2 = 0;
  for (size_t i = 0; i < n; ++i) {
    const double s0 = x[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (double(n) * double(n));
}

// Strongest frequency among 100 Hz steps below Nyquist.
inline double DominantFrequency(const std::vector<int16_t>& x, int rate_hz) {
  double best = 0, best_power = -1;
  for (double f = 100; f < rate_hz / 2.0; f += 100) {
    const double p = Goertzel(x.data(), x.size(), f, rate_hz);
    if (p > best_power) {
      best_power = p;
      best = f;
    }
  }
  return best;
}

inline double Rms(const int16_t* x, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += double(x[i]) * x[i];
  return n ? std::sqrt(sum / double(n)) : 0;
}

struct Chunk {
  int64_t start = 0;
  std::vector<int16_t> samples;
  int64_t end() const { return start + int64_t(samples.size()); }
};

class RecordingSink : public LegSink {
 public:
  void OnAudio(const PcmChunk& chunk) override {
    if (!chunks.empty() && chunk.start_sample < chunks.back().end()) overlaps++;
    chunks.push_back(Chunk{chunk.start_sample,
                           std::vector<int16_t>(chunk.samples, chunk.samples + chunk.count)});
  }
  void OnDtmf(const DtmfEvent& event) override { dtmf.push_back(event); }

  // All audio laid on a timeline from sample 0 (gaps are zeros).
  std::vector<int16_t> Timeline() const {
    std::vector<int16_t> out;
    for (const auto& c : chunks) {
      if (out.size() < size_t(c.end())) out.resize(size_t(c.end()), 0);
      std::copy(c.samples.begin(), c.samples.end(), out.begin() + c.start);
    }
    return out;
  }
  // Sum of samples emitted in [from, to).
  size_t CoveredIn(int64_t from, int64_t to) const {
    size_t n = 0;
    for (const auto& c : chunks) {
      const int64_t a = std::max(from, c.start), b = std::min(to, c.end());
      if (b > a) n += size_t(b - a);
    }
    return n;
  }

  std::vector<Chunk> chunks;
  std::vector<DtmfEvent> dtmf;
  int overlaps = 0;
};

constexpr int64_t kMs = 1'000'000;  // nanoseconds

}  // namespace kronika::media::testing
