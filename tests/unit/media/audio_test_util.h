// Test helpers for media tests: tone generation, Goertzel, decoding Ogg Opus with
// libopusfile (an independent reader, not our own code).
#pragma once

#include <opus/opusfile.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace kronika::media::testing {

struct DecodedAudio {
  bool ok = false;
  int channels = 0;
  uint32_t input_rate_hz = 0;
  int pre_skip = 0;
  std::string vendor;
  std::string recording_id_tag;
  std::vector<int16_t> pcm;  // interleaved, 48 kHz
  double duration_s() const { return channels ? static_cast<double>(pcm.size()) / channels / 48000.0 : 0; }
  // Samples of one channel between [from_s, to_s).
  std::vector<float> Channel(int c, double from_s, double to_s) const {
    std::vector<float> out;
    const size_t frames = pcm.size() / static_cast<size_t>(channels);
    const size_t a = static_cast<size_t>(std::max(0.0, from_s) * 48000);
    const size_t b = std::min(frames, static_cast<size_t>(to_s * 48000));
    for (size_t i = a; i < b; ++i) out.push_back(pcm[i * static_cast<size_t>(channels) + static_cast<size_t>(c)]);
    return out;
  }
};

inline DecodedAudio DecodeOpusFile(const std::filesystem::path& path) {
  DecodedAudio out;
  int err = 0;
  OggOpusFile* of = op_open_file(path.c_str(), &err);
  if (of == nullptr) return out;
  const OpusHead* head = op_head(of, -1);
  out.channels = head->channel_count;
  out.input_rate_hz = head->input_sample_rate;
  out.pre_skip = static_cast<int>(head->pre_skip);
  const OpusTags* tags = op_tags(of, -1);
  if (tags != nullptr && tags->vendor != nullptr) out.vendor = tags->vendor;
  if (const char* id = opus_tags_query(tags, "RECORDING_ID", 0)) out.recording_id_tag = id;
  std::vector<int16_t> buf(5760 * 2);
  for (;;) {
    const int n = op_read(of, buf.data(), static_cast<int>(buf.size()), nullptr);
    if (n < 0) {
      op_free(of);
      return out;
    }
    if (n == 0) break;
    out.pcm.insert(out.pcm.end(), buf.begin(), buf.begin() + n * out.channels);
  }
  op_free(of);
  out.ok = true;
  return out;
}

// Relative power of `freq_hz` in `x` (sampled at rate_hz), normalised by the signal energy:
// ~0.5 for a pure tone at that frequency, ~0 for silence or another frequency.
inline double GoertzelShare(const std::vector<float>& x, double freq_hz, double rate_hz = 48000) {
  if (x.empty()) return 0;
  const double w = 2 * M_PI * freq_hz / rate_hz;
  const double coeff = 2 * std::cos(w);
  double s1 = 0, s2 = 0, energy = 0;
  for (float v : x) {
    const double s0 = v + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
    energy += static_cast<double>(v) * v;
  }
  if (energy <= 0) return 0;
  const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return power / (energy * static_cast<double>(x.size()));
}

inline double Rms(const std::vector<float>& x);

// Which of `candidates` dominates x; 0 when x is (near) silent or none of them is clearly
// present. (It used to name the first candidate for silence, so a silent right channel
// read as "440 Hz on the right" and looked like a channel swap.)
inline double DominantFrequency(const std::vector<float>& x, const std::vector<double>& candidates) {
  constexpr double kSilentRms = 200;   // the test tones are ~4000 RMS; Opus noise is far below
  constexpr double kMinShare = 0.05;   // a pure tone gives ~0.5; one over 10 % of x ~0.05
  if (Rms(x) < kSilentRms) return 0;
  double best = 0, best_share = kMinShare;
  for (double f : candidates) {
    const double s = GoertzelShare(x, f);
    if (s > best_share) { best_share = s; best = f; }
  }
  return best;
}

inline double Rms(const std::vector<float>& x) {
  if (x.empty()) return 0;
  double e = 0;
  for (float v : x) e += static_cast<double>(v) * v;
  return std::sqrt(e / static_cast<double>(x.size()));
}

inline int16_t ToneSample(double freq_hz, int64_t n, int rate_hz, double amplitude = 8000) {
  return static_cast<int16_t>(amplitude * std::sin(2 * M_PI * freq_hz * static_cast<double>(n) / rate_hz));
}

// Runs opusinfo (opus-tools) on the file; true if it exits 0. Missing tool -> true + note.
inline bool OpusinfoAccepts(const std::filesystem::path& path, std::string* output = nullptr) {
  const std::string cmd = "opusinfo '" + path.string() + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return false;
  std::string text;
  char buf[512];
  while (fgets(buf, sizeof buf, p) != nullptr) text += buf;
  const int rc = pclose(p);
  if (output != nullptr) *output = text;
  return rc == 0 && text.find("WARNING") == std::string::npos && text.find("ERROR") == std::string::npos;
}

// Start time (s) of a click of `freq_hz` in channel `c` within [from_s, to_s) (to_s < 0: the
// end): the first 2.5 ms step whose 5 ms block carries a quarter of the strongest block's
// power at that frequency. The onset, not the loudest block: Opus at 8 kHz (SILK) smears a
// 10 ms click's energy over its 20 ms frame differently on each channel, which moved the
// loudest block by up to 25 ms while the onsets stayed within 2.5 ms of each other.
inline double ClickOnset(const DecodedAudio& a, int c, double freq_hz, double from_s = 0, double to_s = -1) {
  const auto x = a.Channel(c, from_s, to_s < 0 ? a.duration_s() : to_s);
  constexpr size_t kBlock = 240;  // 5 ms at 48 kHz
  const double coeff = 2 * std::cos(2 * M_PI * freq_hz / 48000);
  std::vector<double> power;
  for (size_t i = 0; i + kBlock <= x.size(); i += kBlock / 2) {
    double s1 = 0, s2 = 0;
    for (size_t j = i; j < i + kBlock; ++j) {
      const double s0 = x[j] + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    power.push_back(s1 * s1 + s2 * s2 - coeff * s1 * s2);
  }
  double strongest = 0;
  for (double p : power) strongest = std::max(strongest, p);
  for (size_t k = 0; k < power.size(); ++k) {
    if (strongest > 0 && power[k] >= strongest / 4) return from_s + static_cast<double>(k * kBlock / 2) / 48000.0;
  }
  return -1;
}

}  // namespace kronika::media::testing
