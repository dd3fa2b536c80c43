// A raw HTTP/1.1 client for the HTTP unit tests: one request over loopback with
// Connection: close, the answer read to EOF, no library between the test and the bytes the
// server sends.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

namespace kronika::srs::testing {

struct RawHttpReply {
  int status = 0;
  std::string head;  // the status line and headers
  std::string body;
};

// `extra_headers`: whole lines, each ending in "\r\n" ("Authorization: Bearer T\r\n");
// `body`, when not empty, is sent with its Content-Length.
inline RawHttpReply RawHttpRequest(int port, const std::string& method, const std::string& target,
                                   const std::string& extra_headers = "", const std::string& body = "") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string length = body.empty() ? "" : "Content-Length: " + std::to_string(body.size()) + "\r\n";
  const std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                              extra_headers + length + "\r\n" + body;
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string raw;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) raw.append(buf, static_cast<size_t>(n));
  ::close(fd);
  const size_t end = raw.find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  RawHttpReply reply;
  reply.head = raw.substr(0, end);
  reply.body = raw.substr(end + 4);
  REQUIRE(reply.head.rfind("HTTP/1.1 ", 0) == 0);
  reply.status = std::stoi(reply.head.substr(9, 3));
  return reply;
}

}  // namespace kronika::srs::testing
