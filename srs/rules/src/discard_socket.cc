#include "kronika/srs/rules/discard_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kronika::srs {

Result<std::unique_ptr<DiscardSocket>> DiscardSocket::Open(const std::string& bind_ip) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const std::string ip = bind_ip.empty() ? "0.0.0.0" : bind_ip;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    length = sizeof(sockaddr_in6);
  } else {
    return MakeError(ErrorCode::kInvalidInput, "policy: discard socket: not an IP address: " + ip);
  }
  const int fd = socket(storage.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return MakeError(ErrorCode::kIo,
                     "policy: discard socket: " + std::string(std::strerror(errno)));
  const int smallest = 1;  // the kernel rounds up to its minimum (a few KB)
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &smallest, sizeof smallest);
  if (bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    const std::string why = std::strerror(errno);
    close(fd);
    return MakeError(ErrorCode::kUnavailable, "policy: discard socket on " + ip + ": " + why);
  }
  const uint16_t port = ntohs(storage.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
  return std::unique_ptr<DiscardSocket>(new DiscardSocket(fd, port));
}

DiscardSocket::~DiscardSocket() { close(fd_); }

}  // namespace kronika::srs
