// The input format of FuzzRtpLeg: a tiny script of datagrams, drains and
// reconfigurations for one LegPipeline, so that a mutated input changes
// packets, timing and codecs alike.
//
//   byte 0       config: bits 0-2 codec set (kCodecSet*), bit 3 output 16 kHz
//   (else 8 kHz),
//                bits 4-5 SRTP (kSrtp*)
//   then, until the input ends, one command each:
//   byte         op: bits 0-1 kind (kOp*), bits 2-7 arrival delta in ms (0..63)
//   added to
//                the clock before the command runs
//   kOpDatagram / kOpProtected: u16 little-endian length, then that many bytes
//   (fewer when
//                the input ends first)
//   kOpReconfigure: one config byte (its rate bit is ignored: a leg keeps its
//   rate)
//
// Test-only, used by the harness and by the seed shaper (pcap RTP streams ->
// scripts).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kronika::fuzz::rtp_script {

inline constexpr uint8_t kCodecSetMask = 0x07;  // 0 PCMU 1 PCMA 2 G722 3 G729 4 OPUS 5..7 all
inline constexpr uint8_t kCodecSetAll = 0x07;
inline constexpr uint8_t kRate16k = 0x08;
inline constexpr int kSrtpShift = 4;  // 0 plain, 1 SHA1_80, 2 SHA1_32, 3 SHA1_80 wrong key
inline constexpr uint8_t kSrtpMask = 0x30;

inline constexpr uint8_t kOpDatagram = 0;     // delivered as is
inline constexpr uint8_t kOpProtected = 1;    // SRTP-protected by the harness first (when SRTP)
inline constexpr uint8_t kOpDrain = 2;        // Drain(now)
inline constexpr uint8_t kOpReconfigure = 3;  // Reconfigure(next byte)
inline constexpr int kMaxDeltaMs = 63;

// Appends one datagram command to `script`.
inline void AppendDatagram(std::string &script, uint8_t op, int delta_ms, std::string_view datagram) {
  const int delta = delta_ms < 0 ? 0 : (delta_ms > kMaxDeltaMs ? kMaxDeltaMs : delta_ms);
  script.push_back(static_cast<char>(op | (delta << 2)));
  const size_t len = datagram.size() > 0xffff ? 0xffff : datagram.size();
  script.push_back(static_cast<char>(len & 0xff));
  script.push_back(static_cast<char>(len >> 8));
  script.append(datagram.substr(0, len));
}

inline void AppendDrain(std::string &script, int delta_ms) {
  const int delta = delta_ms < 0 ? 0 : (delta_ms > kMaxDeltaMs ? kMaxDeltaMs : delta_ms);
  script.push_back(static_cast<char>(kOpDrain | (delta << 2)));
}

}  // namespace kronika::fuzz::rtp_script
