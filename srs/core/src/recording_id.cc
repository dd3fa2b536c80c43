#include "kronika/srs/core/recording_id.h"

#include <sys/random.h>

#include <cctype>
#include <cstring>
#include <random>

namespace kronika::srs {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int DecodeChar(char c) {
  const char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const char* found = std::strchr(kAlphabet, upper);
  if (upper == '\0' || found == nullptr) return -1;
  return static_cast<int>(found - kAlphabet);
}

void FillRandom(std::array<uint8_t, 10>& bytes) {
  size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t n = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (n <= 0) break;
    filled += static_cast<size_t>(n);
  }
  if (filled == bytes.size()) return;
  std::random_device fallback;
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(fallback());
}

// Adds one to the 80-bit big-endian number; false on overflow.
bool Increment(std::array<uint8_t, 10>& bytes) {
  for (size_t i = bytes.size(); i-- > 0;) {
    if (++bytes[i] != 0) return true;
  }
  return false;
}

}  // namespace

std::string RecordingIdGenerator::Next(std::chrono::system_clock::time_point now) {
  const auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  uint64_t ms = since_epoch.count() < 0 ? 0 : static_cast<uint64_t>(since_epoch.count());
  ms &= (uint64_t{1} << 48) - 1;
  if (ms <= last_ms_ && last_ms_ != 0) {
    ms = last_ms_;
    if (!Increment(last_random_)) {  // 2^80 IDs in one millisecond: move to the next one
      ms = ++last_ms_;
      FillRandom(last_random_);
    }
  } else {
    FillRandom(last_random_);
  }
  last_ms_ = ms;

  // 128 bits = 48-bit time + 80-bit random, as two halves, written 5 bits at a time
  // from the top (26 * 5 = 130: the first character carries 3 bits).
  std::array<uint8_t, 16> bits{};
  for (int i = 0; i < 6; ++i) bits[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  std::memcpy(bits.data() + 6, last_random_.data(), last_random_.size());
  std::string id(kRecordingIdLength, '0');
  for (size_t c = 0; c < kRecordingIdLength; ++c) {
    // Character c covers bit positions [130 - 5(c+1), 130 - 5c) of a 130-bit number
    // whose top 2 bits are zero.
    int value = 0;
    for (int b = 0; b < 5; ++b) {
      const int bit_from_top = static_cast<int>(5 * c) + b - 2;  // index into the 128 bits
      if (bit_from_top < 0) continue;
      const int bit = (bits[bit_from_top / 8] >> (7 - bit_from_top % 8)) & 1;
      value |= bit << (4 - b);
    }
    id[c] = kAlphabet[value];
  }
  return id;
}

bool IsValidRecordingId(std::string_view id) {
  if (id.size() != kRecordingIdLength) return false;
  for (char c : id) {
    if (DecodeChar(c) < 0) return false;
  }
  return DecodeChar(id[0]) <= 7;
}

std::optional<std::chrono::system_clock::time_point> RecordingIdTime(std::string_view id) {
  if (!IsValidRecordingId(id)) return std::nullopt;
  // The first 10 characters carry 50 bits: 2 zero bits + the 48-bit time.
  uint64_t value = 0;
  for (size_t i = 0; i < 10; ++i) value = (value << 5) | static_cast<uint64_t>(DecodeChar(id[i]));
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(value));
}

}  // namespace kronika::srs
