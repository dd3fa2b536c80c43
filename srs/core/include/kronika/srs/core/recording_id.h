// Recording IDs: unique, time-sortable, 26 characters (ULID layout).
//
// 48-bit Unix time in milliseconds followed by 80 random bits, written in Crockford
// base32 (0-9, A-Z without I L O U), most significant first, so that sorting the strings
// sorts by creation time. Within one millisecond a generator increments the random part
// instead of drawing a new one, so IDs from one generator are strictly increasing.
// Example: 01JDQ3ZQ8M4X2R7Y5T6V9W0ABC.
//
// Threads: a RecordingIdGenerator is not synchronised; use one per thread (the SIP
// thread owns the server's). The free functions are thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kronika::srs {

inline constexpr size_t kRecordingIdLength = 26;

class RecordingIdGenerator {
 public:
  RecordingIdGenerator() = default;

  // A new ID for `now` (or for the last used millisecond, when the clock went back).
  // Randomness: getrandom(2). Never fails (falls back to a per-process seeded PRNG).
  std::string Next(std::chrono::system_clock::time_point now);
  std::string Next() { return Next(std::chrono::system_clock::now()); }

 private:
  uint64_t last_ms_ = 0;
  std::array<uint8_t, 10> last_random_{};  // 80 bits, big-endian
};

// True for 26 Crockford base32 characters whose first is 0-7 (48-bit time fits).
// Lower case is accepted (Crockford decoding is case-insensitive).
bool IsValidRecordingId(std::string_view id);

// The creation time encoded in a valid ID; nullopt if !IsValidRecordingId(id).
std::optional<std::chrono::system_clock::time_point> RecordingIdTime(std::string_view id);

}  // namespace kronika::srs
