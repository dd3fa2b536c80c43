// How long a webhook waits before it tries an event again (issue 17): exponential backoff
// with full jitter - a uniform draw between kMinRetryDelay and min(cap, first * 2^(n-1))
// after the n-th failure in a row - so endpoints that come back are not hit by every node
// at once. Pure function, any thread.
#pragma once

#include <chrono>

namespace kronika::srs {

inline constexpr std::chrono::milliseconds kFirstRetryDelay{1000};      // ceiling after failure 1
inline constexpr std::chrono::milliseconds kMaxRetryDelay{5 * 60 * 1000};  // the ceiling's cap
inline constexpr std::chrono::milliseconds kMinRetryDelay{100};          // never a hot loop

// The delay after `failures` (>= 1) failures in a row; `unit_random` in [0, 1) picks the
// point in the window. `first` and `cap` default to the constants above.
std::chrono::milliseconds RetryDelay(int failures, double unit_random,
                                     std::chrono::milliseconds first = kFirstRetryDelay,
                                     std::chrono::milliseconds cap = kMaxRetryDelay);

// The window's ceiling after `failures` failures: min(cap, first * 2^(failures-1)).
std::chrono::milliseconds RetryCeiling(int failures, std::chrono::milliseconds first = kFirstRetryDelay,
                                       std::chrono::milliseconds cap = kMaxRetryDelay);

}  // namespace kronika::srs
