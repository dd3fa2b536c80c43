// RtpPacket: a parsed RFC 3550 header over a borrowed datagram.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace kronika::media {

struct RtpPacket {
  bool marker = false;
  uint8_t payload_type = 0;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  const uint8_t* payload = nullptr;  // borrowed from the datagram
  size_t payload_size = 0;           // without padding
};

// Parses version 2, CSRC list, header extension and padding. Returns nullopt for anything
// malformed: short datagram, version != 2, CSRC/extension/padding beyond the end, RTCP
// payload types 72..76 (rtcp-mux). An empty payload is valid (returned with size 0).
std::optional<RtpPacket> ParseRtp(const uint8_t* data, size_t len);

// The fixed 12-byte header only, which SRTP leaves in clear: version 2 and not an rtcp-mux
// packet, nothing past the header is looked at (payload stays null). For deciding whose a
// datagram is before it is unprotected and parsed in full.
std::optional<RtpPacket> PeekRtpHeader(const uint8_t* data, size_t len);

}  // namespace kronika::media
