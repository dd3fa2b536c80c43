// RtpSource: every packet kronika-loadgen can send, prepared before the first call, so
// that sending one costs a 12-byte header write (plain RTP) or nothing (SRTP) plus the
// kernel's copy in sendmmsg: no encoder and no cipher runs per packet.
//
// A stream is a start index into the source plus a count of packets sent; packet k of a
// stream carries audio frame (start + k) mod frames(), so streams started at different
// indexes carry different parts of the recording.
//
// SRTP (RFC 3711, SDES keys per RFC 4568, AES_CM_128_HMAC_SHA1_80): libsrtp2 protects
// every packet of the 16-bit sequence space once, at start, with ONE master key and ONE
// SSRC shared by all streams; packet k of a stream is table entry start + k, i.e. sequence
// number start + k, rollover counter 0. Each stream is its own RTP session at the SRS (its
// own port), so the shared key and SSRC cost the SRS exactly what distinct ones would; a
// real SBC would use a key per stream (reusing a key stream across sessions is fine for
// load, never for privacy). A stream therefore sends at most kSrtpTablePackets - start
// packets: the plan's longest call must fit (about 21 minutes).
//
// Thread safety: immutable after Create; shared by every sender thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "codec_encoder.h"
#include "kronika/result.h"

namespace kronika::loadgen {

inline constexpr size_t kRtpHeaderBytes = 12;
inline constexpr size_t kSrtpTablePackets = 65536;  // one sequence-number cycle

class RtpSource {
 public:
  // `pcm`: mono audio at CodecSpecOf(codec).input_rate_hz. `max_packets_per_stream`: the
  // most packets any stream will send (longest call + slack); with `srtp`, start indexes
  // are drawn so that start + max_packets_per_stream <= kSrtpTablePackets.
  // Errors: from EncodeLoop; with srtp, a stream longer than the table (kUsage, names the
  // longest call supported) or libsrtp refusing the policy (kInternal).
  static Result<std::unique_ptr<RtpSource>> Create(LoadCodec codec, const std::vector<int16_t>& pcm, bool srtp,
                                                   uint64_t max_packets_per_stream);
  ~RtpSource();
  RtpSource(const RtpSource&) = delete;
  RtpSource& operator=(const RtpSource&) = delete;

  const CodecSpec& codec() const { return *codec_; }
  bool srtp() const { return !srtp_table_.empty(); }
  // SDES inline key (base64 of 16-byte key + 14-byte salt); "" without SRTP.
  const std::string& sdes_key_base64() const { return sdes_key_; }
  size_t frames() const { return loop_.frames(); }
  double audio_seconds() const { return static_cast<double>(frames()) * kPacketMs / 1000.0; }
  size_t encoded_bytes() const { return loop_.total_bytes(); }
  // A stream may start at any index in [0, max_start_index()].
  uint64_t max_start_index() const { return max_start_; }
  // The most packets a stream started at `start` may send (SRTP: the table's end).
  uint64_t packets_available(uint64_t start) const;

  // Plain RTP payload of stream packet `index` (= start + packets sent).
  std::span<const uint8_t> Payload(uint64_t index) const { return loop_.Frame(index % loop_.frames()); }
  // SRTP: the whole protected packet `index` (header, encrypted payload, auth tag).
  // REQUIRES: srtp() and index < kSrtpTablePackets.
  std::span<const uint8_t> SrtpPacket(uint64_t index) const {
    return {srtp_table_.data() + srtp_offsets_[index], srtp_offsets_[index + 1] - srtp_offsets_[index]};
  }

 private:
  RtpSource(const CodecSpec& codec, EncodedLoop loop);
  Status BuildSrtpTable(uint64_t max_packets_per_stream);

  const CodecSpec* codec_;
  EncodedLoop loop_;
  std::string sdes_key_;
  uint64_t max_start_ = 0;
  std::vector<uint8_t> srtp_table_;   // kSrtpTablePackets protected packets, back to back
  std::vector<size_t> srtp_offsets_;  // packet i is srtp_table_[offsets[i], offsets[i+1])
};

// Writes the 12-byte RTP header of plain stream packet `index`: sequence number index mod
// 2^16, timestamp index * codec.timestamp_step mod 2^32, the stream's `ssrc`.
void FillRtpHeader(uint8_t* header, const CodecSpec& codec, uint64_t index, uint32_t ssrc);

}  // namespace kronika::loadgen
