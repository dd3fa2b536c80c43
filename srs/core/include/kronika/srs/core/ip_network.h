// IP networks in CIDR notation ("10.0.0.0/8", "::1/128", "192.0.2.7"), for the list of SIP
// sources the server accepts (sip.allowed_sources, issue 12).
//
// An IPv4 network also contains the IPv4-mapped IPv6 form of its addresses
// (::ffff:10.1.2.3), as a dual-stack socket reports them. Pure values and functions,
// any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/result.h"

struct sockaddr;

namespace kronika::srs {

struct IpNetwork {
  bool v6 = false;
  std::array<uint8_t, 16> address{};  // network address (first 4 bytes for IPv4), host bits zero
  int prefix_bits = 0;                // 0..32 (IPv4), 0..128 (IPv6)

  // "10.0.0.0/8", "2001:db8::/32".
  std::string ToString() const;
  // True for 0.0.0.0/0 and ::/0: every address of that family.
  bool IsWholeFamily() const { return prefix_bits == 0; }
};

// "ADDR/BITS" or a single "ADDR" (/32, /128). Host bits must be zero ("10.0.0.1/8" is
// refused: a typo for 10.0.0.0/8 or for 10.0.0.1/32 must not pass silently).
// Errors (kInvalidInput) say what is wrong: "'10.0.0.1/8' has host bits set (network
// 10.0.0.0/8?)", "'300.1.2.3' is not an IPv4 or IPv6 address", "'::1/129': prefix length
// over 128".
Result<IpNetwork> ParseIpNetwork(std::string_view text);

// Whether `address` (AF_INET or AF_INET6; anything else: false) is in `network`.
bool NetworkContains(const IpNetwork& network, const sockaddr* address);
// The same for a textual address ("192.0.2.7", "::1"); false when it is not one.
bool NetworkContains(const IpNetwork& network, std::string_view address);

// The printable address of `address` ("192.0.2.7", "2001:db8::1"; an IPv4-mapped IPv6
// address is printed as IPv4); "" for other families.
std::string AddressText(const sockaddr* address);

// Loopback and the private ranges (RFC 1918, RFC 4193): the default of sip.allowed_sources.
std::vector<std::string> DefaultAllowedSources();

}  // namespace kronika::srs
