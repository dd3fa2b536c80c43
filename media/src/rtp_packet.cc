#include "rtp_packet.h"

namespace kronika::media {
namespace {

constexpr size_t kFixedHeaderBytes = 12;

uint16_t Read16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t Read32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

std::optional<RtpPacket> PeekRtpHeader(const uint8_t* data, size_t len) {
  if (data == nullptr || len < kFixedHeaderBytes || (data[0] >> 6) != 2) return std::nullopt;
  RtpPacket packet;
  packet.marker = data[1] & 0x80;
  packet.payload_type = data[1] & 0x7f;
  if (packet.payload_type >= 72 && packet.payload_type <= 76) return std::nullopt;
  packet.sequence = Read16(data + 2);
  packet.timestamp = Read32(data + 4);
  packet.ssrc = Read32(data + 8);
  return packet;
}

std::optional<RtpPacket> ParseRtp(const uint8_t* data, size_t len) {
  if (data == nullptr || len < kFixedHeaderBytes) return std::nullopt;
  if ((data[0] >> 6) != 2) return std::nullopt;
  const bool padding = data[0] & 0x20;
  const bool extension = data[0] & 0x10;
  const size_t csrc_count = data[0] & 0x0f;
  RtpPacket packet;
  packet.marker = data[1] & 0x80;
  packet.payload_type = data[1] & 0x7f;
  // rtcp-mux (RFC 5761): RTCP packet types 200..204 show up as PT 72..76 with marker set.
  if (packet.payload_type >= 72 && packet.payload_type <= 76) return std::nullopt;
  packet.sequence = Read16(data + 2);
  packet.timestamp = Read32(data + 4);
  packet.ssrc = Read32(data + 8);
  size_t offset = kFixedHeaderBytes + 4 * csrc_count;
  if (offset > len) return std::nullopt;
  if (extension) {
    if (offset + 4 > len) return std::nullopt;
    const size_t words = Read16(data + offset + 2);
    offset += 4 + 4 * words;
    if (offset > len) return std::nullopt;
  }
  size_t end = len;
  if (padding) {
    const size_t pad = data[len - 1];
    if (pad == 0 || offset + pad > len) return std::nullopt;
    end -= pad;
  }
  packet.payload = data + offset;
  packet.payload_size = end - offset;
  return packet;
}

}  // namespace kronika::media
