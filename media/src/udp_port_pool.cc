#include "udp_port_pool.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace kronika::media {

Result<std::unique_ptr<UdpPortPool>> UdpPortPool::Create(const std::string& bind_ip, uint16_t port_min,
                                                         uint16_t port_max) {
  std::unique_ptr<UdpPortPool> pool(new UdpPortPool());
  if (inet_pton(AF_INET, bind_ip.c_str(), pool->addr_) == 1) {
    pool->family_ = AF_INET;
  } else if (inet_pton(AF_INET6, bind_ip.c_str(), pool->addr_) == 1) {
    pool->family_ = AF_INET6;
  } else {
    return MakeError(ErrorCode::kInvalidInput, "media: bad bind address " + bind_ip);
  }
  const int first = (port_min + 1) & ~1;
  if (port_min == 0 || first > port_max) {
    return MakeError(
        ErrorCode::kInvalidInput,
        "media: bad RTP port range " + std::to_string(port_min) + "-" + std::to_string(port_max));
  }
  pool->first_port_ = static_cast<uint16_t>(first);
  pool->slots_ = (port_max - first) / 2 + 1;
  {
    MutexLock lock(pool->mu_);  // not shared yet; held so the analysis sees used_ guarded
    pool->used_.assign(static_cast<size_t>(pool->slots_), false);
  }
  return pool;
}

int UdpPortPool::BindPort(uint16_t port) const {
  const int fd = socket(family_, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int rc;
  if (family_ == AF_INET) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    std::memcpy(&sa.sin_addr, addr_, 4);
    rc = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  } else {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(port);
    std::memcpy(&sa.sin6_addr, addr_, 16);
    rc = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  }
  if (rc != 0) {
    close(fd);
    return -1;
  }
  // Kernel receive timestamps: a leg is placed by when its packets reached the host, not by
  // when a busy worker got round to reading them. Without them the worker uses read time.
  const int on = 1;
  (void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  return fd;
}

Result<BoundSocket> UdpPortPool::Acquire() {
  MutexLock lock(mu_);
  for (int tried = 0; tried < slots_; ++tried) {
    const int slot = cursor_;
    cursor_ = (cursor_ + 1) % slots_;
    if (used_[static_cast<size_t>(slot)]) continue;
    const uint16_t port = static_cast<uint16_t>(first_port_ + 2 * slot);
    const int fd = BindPort(port);
    if (fd < 0) continue;  // taken by another process (or fd limit): try the next one
    used_[static_cast<size_t>(slot)] = true;
    ++in_use_;
    return BoundSocket{fd, port};
  }
  return MakeError(ErrorCode::kUnavailable, "media: no free RTP port");
}

void UdpPortPool::Release(const BoundSocket& socket) {
  if (socket.fd >= 0) close(socket.fd);
  MutexLock lock(mu_);
  const int slot = (socket.port - first_port_) / 2;
  if (slot >= 0 && slot < slots_ && used_[static_cast<size_t>(slot)]) {
    used_[static_cast<size_t>(slot)] = false;
    --in_use_;
  }
}

size_t UdpPortPool::in_use() const {
  MutexLock lock(mu_);
  return in_use_;
}

}  // namespace kronika::media
