#include "aligner.h"

#include <catch2/catch.hpp>

#include <vector>

namespace kronika::media {
namespace {

constexpr int kRate = 8000;
constexpr int kFrame = 160;

std::vector<int16_t> Constant(size_t n, int16_t v) { return std::vector<int16_t>(n, v); }

// Runs the aligner to `upto` and returns channel `c` of everything emitted.
std::vector<int16_t> Drain(Aligner& a, int64_t upto, int c, std::vector<int16_t>* other = nullptr) {
  std::vector<int16_t> out;
  while (a.FrameReady(upto)) {
    auto f = a.PopFrame();
    for (int i = 0; i < a.frame_samples(); ++i) {
      out.push_back(f[static_cast<size_t>(i * a.channels() + c)]);
      if (other) other->push_back(f[static_cast<size_t>(i * a.channels() + (1 - c))]);
    }
  }
  return out;
}

size_t CountEqual(const std::vector<int16_t>& v, size_t from, size_t to, int16_t value) {
  size_t n = 0;
  for (size_t i = from; i < to && i < v.size(); ++i) n += v[i] == value;
  return n;
}

TEST_CASE("A leg that starts late is preceded by exactly that much silence") {
  Aligner a(kRate, 2, kFrame, kRate * 2);
  const auto one_second = Constant(kRate, 100);
  a.Push(0, 0, one_second);
  a.Push(0, kRate, one_second);
  a.Push(1, 4000, Constant(12000, 200));  // right leg starts 500 ms late
  std::vector<int16_t> right;
  const auto left = Drain(a, 2 * kRate, 0, &right);
  REQUIRE(left.size() == 2 * kRate);
  CHECK(CountEqual(left, 0, 2 * kRate, 100) == 2 * kRate);
  CHECK(CountEqual(right, 0, 4000, 0) == 4000);
  CHECK(CountEqual(right, 4000, 2 * kRate, 200) == 12000);
}

TEST_CASE("Lost audio becomes silence of the lost length and later audio stays in place") {
  Aligner a(kRate, 2, kFrame, kRate * 2);
  a.Push(0, 0, Constant(800, 7));
  // 240 samples (30 ms) missing at 800..1040, audio resumes at 1040.
  a.Push(0, 1040, Constant(960, 9));
  const auto left = Drain(a, 2000, 0);
  REQUIRE(left.size() == 1920);  // 12 whole frames
  CHECK(CountEqual(left, 0, 800, 7) == 800);
  CHECK(CountEqual(left, 800, 1040, 0) == 240);
  CHECK(CountEqual(left, 1040, 1920, 9) == 880);
}

TEST_CASE("A pause is silence as long as the pause, both channels stay aligned") {
  Aligner a(kRate, 2, kFrame, kRate * 4);
  // Both legs talk for 1 s, pause 2 s, talk 1 s; pushed in small chunks, interleaved.
  for (int64_t t = 0; t < 4 * kRate; t += 160) {
    if (t >= kRate && t < 3 * kRate) continue;
    a.Push(0, t, Constant(160, 1000));
    a.Push(1, t, Constant(160, -1000));
  }
  std::vector<int16_t> right;
  const auto left = Drain(a, 4 * kRate, 0, &right);
  REQUIRE(left.size() == 4 * kRate);
  CHECK(CountEqual(left, kRate, 3 * kRate, 0) == 2 * kRate);
  CHECK(CountEqual(right, kRate, 3 * kRate, 0) == 2 * kRate);
  CHECK(CountEqual(left, 3 * kRate, 4 * kRate, 1000) == kRate);
  CHECK(CountEqual(right, 3 * kRate, 4 * kRate, -1000) == kRate);
}

TEST_CASE("Audio arriving after its frame was emitted is dropped and counted") {
  Aligner a(kRate, 2, kFrame, kRate);
  a.Push(0, 0, Constant(320, 5));
  Drain(a, 320, 0);
  a.Push(1, 160, Constant(320, 5));  // 160 samples too late, 160 still in time
  CHECK(a.late_samples_dropped() == 160);
  std::vector<int16_t> right;
  Drain(a, 480, 0, &right);
  CHECK(CountEqual(right, 0, 160, 5) == 160);
}

TEST_CASE("Audio too far ahead of the output is dropped, not wrapped onto earlier audio") {
  Aligner a(kRate, 1, kFrame, 1600);
  a.Push(0, 1500, Constant(200, 3));
  CHECK(a.early_samples_dropped() == 100);
  const auto mono = Drain(a, 1600, 0);
  CHECK(CountEqual(mono, 0, 1500, 0) == 1500);
  CHECK(CountEqual(mono, 1500, 1600, 3) == 100);
}

TEST_CASE("Mixed streams go to both channels; mono mixes every stream with saturation") {
  Aligner stereo(kRate, 2, kFrame, kRate);
  stereo.Push(-1, 0, Constant(160, 10));
  stereo.Push(0, 0, Constant(160, 1));
  auto f = stereo.PopFrame();
  CHECK(f[0] == 11);
  CHECK(f[1] == 10);

  Aligner mono(kRate, 1, kFrame, kRate);
  mono.Push(0, 0, Constant(160, 30000));
  mono.Push(1, 0, Constant(160, 30000));
  auto m = mono.PopFrame();
  CHECK(m[0] == 32767);
}

}  // namespace
}  // namespace kronika::media
