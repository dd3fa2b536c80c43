#include "pcap_packets.h"

#include <pcap/pcap.h>

#include <memory>
#include <optional>

namespace kronika::fuzz {
namespace {

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeVlan = 0x8100;
constexpr uint8_t kIpProtocolUdp = 17;
constexpr size_t kUdpHeaderBytes = 8;

uint16_t Be16(const uint8_t *p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

struct PcapCloser {
  void operator()(pcap_t *p) const { pcap_close(p); }
};

// Offset of the IPv4 header in a frame of `link_type`; nullopt when it carries
// no IPv4.
std::optional<size_t> Ipv4Offset(int link_type, const uint8_t *frame, size_t len) {
  if (link_type == DLT_EN10MB) {
    size_t at = 12;
    while (at + 2 <= len && Be16(frame + at) == kEtherTypeVlan) at += 4;
    if (at + 2 <= len && Be16(frame + at) == kEtherTypeIpv4) return at + 2;
  } else if (link_type == DLT_LINUX_SLL) {
    if (len >= 16 && Be16(frame + 14) == kEtherTypeIpv4) return 16;
  } else if (link_type == DLT_RAW) {
    return 0;
  }
  return std::nullopt;
}

}  // namespace

std::vector<UdpDatagram> ReadUdpDatagrams(const std::filesystem::path &pcap) {
  std::vector<UdpDatagram> out;
  char error[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, PcapCloser> handle(pcap_open_offline(pcap.c_str(), error));
  if (!handle) return out;
  const int link_type = pcap_datalink(handle.get());
  pcap_pkthdr *header = nullptr;
  const u_char *frame = nullptr;
  while (pcap_next_ex(handle.get(), &header, &frame) == 1) {
    const size_t len = header->caplen;
    const std::optional<size_t> ip_at = Ipv4Offset(link_type, frame, len);
    if (!ip_at) continue;
    const size_t ip = *ip_at;
    if (ip + 20 > len || (frame[ip] >> 4) != 4) continue;
    const size_t ip_header = static_cast<size_t>(frame[ip] & 0x0f) * 4;
    const bool fragment = (Be16(frame + ip + 6) & 0x3fff) != 0;  // MF flag or an offset
    if (frame[ip + 9] != kIpProtocolUdp || fragment || ip_header < 20) continue;
    const size_t udp = ip + ip_header;
    if (udp + kUdpHeaderBytes > len) continue;
    const size_t udp_len = Be16(frame + udp + 4);
    if (udp_len < kUdpHeaderBytes || udp + udp_len > len) continue;
    UdpDatagram d;
    d.time_us = static_cast<int64_t>(header->ts.tv_sec) * 1'000'000 + header->ts.tv_usec;
    d.source_port = Be16(frame + udp);
    d.destination_port = Be16(frame + udp + 2);
    d.payload.assign(reinterpret_cast<const char *>(frame + udp + kUdpHeaderBytes),
                     udp_len - kUdpHeaderBytes);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace kronika::fuzz
