// IP networks of sip.allowed_sources (srs/core ip_network.h).
#include "kronika/srs/core/ip_network.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>
#include <cstring>

namespace kronika::srs {
namespace {

sockaddr_in6 V6(const char* text) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  REQUIRE(inet_pton(AF_INET6, text, &a.sin6_addr) == 1);
  return a;
}

TEST_CASE("CIDR networks parse, print and contain what they should", "[ip_network]") {
  Result<IpNetwork> n = ParseIpNetwork("10.0.0.0/8");
  REQUIRE(n.ok());
  CHECK(n->ToString() == "10.0.0.0/8");
  CHECK(NetworkContains(*n, "10.255.1.2"));
  CHECK_FALSE(NetworkContains(*n, "11.0.0.1"));
  CHECK_FALSE(NetworkContains(*n, "::1"));
  CHECK_FALSE(NetworkContains(*n, "not an address"));

  n = ParseIpNetwork("172.16.0.0/12");
  REQUIRE(n.ok());
  CHECK(NetworkContains(*n, "172.31.255.255"));
  CHECK_FALSE(NetworkContains(*n, "172.32.0.0"));

  n = ParseIpNetwork("192.0.2.7");  // a single address
  REQUIRE(n.ok());
  CHECK(n->prefix_bits == 32);
  CHECK(NetworkContains(*n, "192.0.2.7"));
  CHECK_FALSE(NetworkContains(*n, "192.0.2.8"));

  n = ParseIpNetwork("fc00::/7");
  REQUIRE(n.ok());
  CHECK(NetworkContains(*n, "fd12:3456::1"));
  CHECK_FALSE(NetworkContains(*n, "fe80::1"));

  n = ParseIpNetwork("0.0.0.0/0");
  REQUIRE(n.ok());
  CHECK(n->IsWholeFamily());
  CHECK(NetworkContains(*n, "203.0.113.9"));
}

TEST_CASE("an IPv4 network holds the IPv4-mapped IPv6 form of its addresses", "[ip_network]") {
  const IpNetwork loopback = *ParseIpNetwork("127.0.0.0/8");
  const sockaddr_in6 mapped = V6("::ffff:127.0.0.1");
  CHECK(NetworkContains(loopback, reinterpret_cast<const sockaddr*>(&mapped)));
  CHECK(AddressText(reinterpret_cast<const sockaddr*>(&mapped)) == "127.0.0.1");
  const sockaddr_in6 other = V6("::ffff:8.8.8.8");
  CHECK_FALSE(NetworkContains(loopback, reinterpret_cast<const sockaddr*>(&other)));
  const sockaddr_in6 v6 = V6("::1");
  CHECK_FALSE(NetworkContains(loopback, reinterpret_cast<const sockaddr*>(&v6)));
  CHECK(AddressText(reinterpret_cast<const sockaddr*>(&v6)) == "::1");
}

TEST_CASE("malformed networks are refused with a message naming the problem", "[ip_network]") {
  CHECK(ParseIpNetwork("10.0.0.1/8").error().message == "'10.0.0.1/8' has host bits set (network 10.0.0.0/8?)");
  CHECK(ParseIpNetwork("300.1.2.3").error().message == "'300.1.2.3' is not an IPv4 or IPv6 address");
  CHECK(ParseIpNetwork("::1/129").error().message == "'::1/129': prefix length over 128");
  CHECK(ParseIpNetwork("10.0.0.0/x").error().message == "'10.0.0.0/x': prefix length is not a number");
  CHECK(ParseIpNetwork("10.0.0.0/").error().code == ErrorCode::kInvalidInput);
  CHECK(ParseIpNetwork("").error().code == ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace kronika::srs
