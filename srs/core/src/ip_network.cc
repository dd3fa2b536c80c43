#include "kronika/srs/core/ip_network.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>

namespace kronika::srs {
namespace {

constexpr uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

Error Invalid(std::string message) { return MakeError(ErrorCode::kInvalidInput, std::move(message)); }

// Whether the first `bits` bits of `a` and `b` are equal.
bool SamePrefix(const uint8_t* a, const uint8_t* b, int bits) {
  const int bytes = bits / 8;
  if (std::memcmp(a, b, static_cast<size_t>(bytes)) != 0) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[bytes] & mask) == (b[bytes] & mask);
}

bool Contains(const IpNetwork& network, bool v6, const uint8_t* address) {
  if (!v6) return !network.v6 && SamePrefix(network.address.data(), address, network.prefix_bits);
  if (network.v6) return SamePrefix(network.address.data(), address, network.prefix_bits);
  // An IPv4 network holds the IPv4-mapped IPv6 form of its addresses.
  return std::memcmp(address, kV4MappedPrefix, sizeof(kV4MappedPrefix)) == 0 &&
         SamePrefix(network.address.data(), address + 12, network.prefix_bits);
}

}  // namespace

std::string IpNetwork::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, address.data(), text, sizeof(text));
  return std::string(text) + "/" + std::to_string(prefix_bits);
}

Result<IpNetwork> ParseIpNetwork(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  const size_t slash = text.find('/');
  const std::string address(text.substr(0, slash));
  IpNetwork network;
  if (inet_pton(AF_INET, address.c_str(), network.address.data()) == 1) {
    network.v6 = false;
  } else if (inet_pton(AF_INET6, address.c_str(), network.address.data()) == 1) {
    network.v6 = true;
  } else {
    return Invalid(quoted + " is not an IPv4 or IPv6 address");
  }
  const int max_bits = network.v6 ? 128 : 32;
  network.prefix_bits = max_bits;
  if (slash != std::string_view::npos) {
    const std::string_view bits = text.substr(slash + 1);
    int value = -1;
    const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), value);
    if (bits.empty() || ec != std::errc() || end != bits.data() + bits.size() || value < 0) {
      return Invalid(quoted + ": prefix length is not a number");
    }
    if (value > max_bits) return Invalid(quoted + ": prefix length over " + std::to_string(max_bits));
    network.prefix_bits = value;
  }
  IpNetwork masked = network;
  for (int bit = masked.prefix_bits; bit < max_bits; ++bit) {
    masked.address[static_cast<size_t>(bit / 8)] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  }
  if (masked.address != network.address) {
    return Invalid(quoted + " has host bits set (network " + masked.ToString() + "?)");
  }
  return network;
}

bool NetworkContains(const IpNetwork& network, const sockaddr* address) {
  if (address == nullptr) return false;
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    return Contains(network, false, reinterpret_cast<const uint8_t*>(&in->sin_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    return Contains(network, true, in6->sin6_addr.s6_addr);
  }
  return false;
}

bool NetworkContains(const IpNetwork& network, std::string_view address) {
  const std::string text(address);
  uint8_t bytes[16] = {};
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) return Contains(network, false, bytes);
  if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) return Contains(network, true, bytes);
  return false;
}

std::string AddressText(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address == nullptr) return "";
  if (address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof(text));
  } else if (address->sa_family == AF_INET6) {
    const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
    if (std::memcmp(a.s6_addr, kV4MappedPrefix, sizeof(kV4MappedPrefix)) == 0) {
      inet_ntop(AF_INET, a.s6_addr + 12, text, sizeof(text));
    } else {
      inet_ntop(AF_INET6, &a, text, sizeof(text));
    }
  }
  return text;
}

std::vector<std::string> DefaultAllowedSources() {
  return {"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"};
}

}  // namespace kronika::srs
