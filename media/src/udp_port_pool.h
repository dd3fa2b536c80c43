// UdpPortPool: RTP ports from the configured range, bound as non-blocking UDP sockets.
//
// Ports are even (RFC 3550: RTCP would use port + 1, which we leave unbound; RTCP is not
// needed to record). Acquire binds the next free even port after the last one handed out
// (round robin, so a just-released port is not reused at once and late packets of an old
// call do not land in a new one). SO_REUSEADDR is never set: a port in use elsewhere
// fails to bind and is skipped. Sockets carry SO_TIMESTAMPNS (kernel receive time of each
// datagram, CLOCK_REALTIME) for the worker's arrival times. Thread-safe (Acquire on the SIP thread, Release on workers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kronika/mutex.h"
#include "kronika/result.h"
#include "kronika/thread_annotations.h"

namespace kronika::media {

struct BoundSocket {
  int fd = -1;
  uint16_t port = 0;
};

class UdpPortPool {
 public:
  // bind_ip: IPv4 or IPv6 literal. Errors: 500 "media: bad bind address <ip>", bad range.
  static Result<std::unique_ptr<UdpPortPool>> Create(const std::string& bind_ip, uint16_t port_min,
                                                     uint16_t port_max);

  // Errors: 503 "media: no free RTP port" when every even port of the range is taken.
  Result<BoundSocket> Acquire();
  // Closes the socket and returns its port to the pool.
  void Release(const BoundSocket& socket);

  size_t in_use() const;
  size_t capacity() const { return static_cast<size_t>(slots_); }

 private:
  UdpPortPool() = default;
  int BindPort(uint16_t port) const;

  int family_ = 0;
  unsigned char addr_[16] = {};
  uint16_t first_port_ = 0;
  int slots_ = 0;
  mutable Mutex mu_;
  std::vector<bool> used_ GUARDED_BY(mu_);  // by slot (port = first_port_ + 2 * slot)
  int cursor_ GUARDED_BY(mu_) = 0;
  size_t in_use_ GUARDED_BY(mu_) = 0;
};

}  // namespace kronika::media
