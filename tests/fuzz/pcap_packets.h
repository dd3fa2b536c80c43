// UDP datagrams of a capture file (libpcap), for shaping fuzz seeds from the
// interop corpus's pcaps. Test-only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kronika::fuzz {

struct UdpDatagram {
  int64_t time_us = 0;  // capture time
  uint16_t source_port = 0;
  uint16_t destination_port = 0;
  std::string payload;
};

// Every IPv4/UDP datagram of an Ethernet (optionally 802.1Q-tagged) or Linux
// cooked capture, in capture order; fragments and other protocols are skipped.
// Empty when the file cannot be read.
std::vector<UdpDatagram> ReadUdpDatagrams(const std::filesystem::path &pcap);

}  // namespace kronika::fuzz
