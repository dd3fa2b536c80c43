// RequestGuard: what the SIP layer refuses before a request reaches the session logic
// (issue 12; docs/operations.md "Limits"):
//   - a source address outside sip.allowed_sources: 403, nothing kept of the dialog;
//   - a body over sip.max_message_bytes: 513 Message Too Large (RFC 3261 21.5.12).
// Each refusal has a Warning text and a metric reason; the log line is rate-limited
// (ShouldLog) so that a flood cannot fill the disk with one line per datagram.
//
// No sofia-sip type here: the adapter passes the packet's source address and size.
// Threads: SIP thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "kronika/srs/core/ip_network.h"

struct sockaddr;

namespace kronika::srs {

struct GuardRefusal {
  int status = 0;
  std::string warning;  // for `Warning: 399 <host> "<text>"`
  std::string reason;   // metric label: "source_not_allowed", "too_large"
};

class RequestGuard {
 public:
  // REQUIRES: `allowed_sources` valid (ValidateConfig); invalid entries are ignored.
  RequestGuard(const std::vector<std::string>& allowed_sources, size_t max_message_bytes);

  // nullopt when the request may go on. `source` may be null (unknown: allowed, e.g. a
  // request the stack made up); `message_bytes` is the request's body as received (its
  // header section is bounded by the stack).
  std::optional<GuardRefusal> Check(const sockaddr* source, size_t message_bytes) const;

  // True when no address family is restricted (0.0.0.0/0 and ::/0 both listed): the server
  // takes SIP from anywhere; worth a warning at start.
  bool open() const;

  // Rate limit for refusal log lines: at most kLogBurst per second; the number left out
  // since the last line that was logged is returned through `suppressed` (to append).
  bool ShouldLog(std::chrono::steady_clock::time_point now, size_t& suppressed);

  static constexpr size_t kLogBurst = 20;

 private:
  std::vector<IpNetwork> allowed_;
  size_t max_message_bytes_;
  std::chrono::steady_clock::time_point window_start_{};
  size_t logged_in_window_ = 0;
  size_t suppressed_ = 0;
};

}  // namespace kronika::srs
