// DiscardSocket: the UDP port on which answer-and-drop sessions are answered (issue 7,
// SCOPE-1/2/5, CONSENT-3: "a call out of scope is answered but not stored").
//
// Why a real port and a=recvonly rather than a=inactive (RFC 7866 allows either): to the
// SRC such a session must look like any recording. Some SRCs treat an a=inactive answer
// as a paused or failed recording (alarm, retry, re-INVITE loops), and an SRC that sends
// anyway to a port nobody owns gets ICMP port-unreachable back, which some SBCs count as a
// media failure. One socket serves every dropped stream: it is bound, its receive buffer
// shrunk to the minimum, and it is never read, so the kernel queues a few packets and
// drops the rest. No media thread, RTP port of the media range, decoder or file is used,
// and no audio reaches user space. When the socket cannot be bound the streams are
// answered a=inactive on port 9 instead (session_manager.cc).
//
// Threads: Open() once at start; port() from any thread. The socket lives as long as the
// object.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "kronika/result.h"

namespace kronika::srs {

class DiscardSocket {
 public:
  // Binds a UDP socket on `bind_ip` (IPv4 or IPv6 literal; "" or "0.0.0.0" = any IPv4)
  // at a port the kernel picks. Error names the address.
  static Result<std::unique_ptr<DiscardSocket>> Open(const std::string& bind_ip);
  ~DiscardSocket();
  DiscardSocket(const DiscardSocket&) = delete;
  DiscardSocket& operator=(const DiscardSocket&) = delete;

  uint16_t port() const { return port_; }

 private:
  DiscardSocket(int fd, uint16_t port) : fd_(fd), port_(port) {}
  int fd_;
  uint16_t port_;
};

}  // namespace kronika::srs
