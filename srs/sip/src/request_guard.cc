#include "request_guard.h"

#include <sys/socket.h>

namespace kronika::srs {

RequestGuard::RequestGuard(const std::vector<std::string>& allowed_sources, size_t max_message_bytes)
    : max_message_bytes_(max_message_bytes) {
  for (const std::string& source : allowed_sources) {
    if (Result<IpNetwork> network = ParseIpNetwork(source); network.ok()) allowed_.push_back(*network);
  }
}

bool RequestGuard::open() const {
  bool v4 = false;
  bool v6 = false;
  for (const IpNetwork& n : allowed_) {
    v4 = v4 || (n.IsWholeFamily() && !n.v6);
    v6 = v6 || (n.IsWholeFamily() && n.v6);
  }
  return v4 && v6;
}

std::optional<GuardRefusal> RequestGuard::Check(const sockaddr* source, size_t message_bytes) const {
  if (source != nullptr) {
    bool allowed = false;
    for (const IpNetwork& n : allowed_) {
      if (NetworkContains(n, source)) {
        allowed = true;
        break;
      }
    }
    if (!allowed) {
      return GuardRefusal{403, "source " + AddressText(source) + " is not in sip.allowed_sources",
                          "source_not_allowed"};
    }
  }
  if (message_bytes > max_message_bytes_) {
    return GuardRefusal{513,
                        "body of " + std::to_string(message_bytes) + " bytes, over the " +
                            std::to_string(max_message_bytes_) + "-byte limit (sip.max_message_bytes)",
                        "too_large"};
  }
  return std::nullopt;
}

bool RequestGuard::ShouldLog(std::chrono::steady_clock::time_point now, size_t& suppressed) {
  if (now - window_start_ >= std::chrono::seconds(1)) {
    window_start_ = now;
    logged_in_window_ = 0;
  }
  if (logged_in_window_ >= kLogBurst) {
    ++suppressed_;
    return false;
  }
  ++logged_in_window_;
  suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

}  // namespace kronika::srs
