#include "kronika/srs/webhook/retry_delay.h"

#include <algorithm>

namespace kronika::srs {

std::chrono::milliseconds RetryCeiling(int failures, std::chrono::milliseconds first,
                                       std::chrono::milliseconds cap) {
  std::chrono::milliseconds ceiling = first;
  for (int i = 1; i < failures && ceiling < cap; ++i) ceiling *= 2;
  return std::max(kMinRetryDelay, std::min(ceiling, cap));
}

std::chrono::milliseconds RetryDelay(int failures, double unit_random, std::chrono::milliseconds first,
                                     std::chrono::milliseconds cap) {
  const std::chrono::milliseconds ceiling = RetryCeiling(failures, first, cap);
  const double r = std::clamp(unit_random, 0.0, 1.0);
  const auto drawn = std::chrono::milliseconds(static_cast<int64_t>(r * static_cast<double>(ceiling.count())));
  return std::clamp(drawn, kMinRetryDelay, ceiling);
}

}  // namespace kronika::srs
