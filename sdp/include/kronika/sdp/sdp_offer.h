// SDP offers from an SRC: what streams are offered, with which codecs, keys and directions.
//
// ParseSdpOffer reads the SDP part of a SIPREC INVITE (or re-INVITE) into plain C++ values.
// One OfferedStream per m-line, in order, including m-lines we will refuse (video, port 0),
// so that the answer can keep the m-line count (RFC 3264 section 6).
//
// Thread safety: pure function, callable from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/result.h"

namespace kronika::sdp {

enum class Direction { kSendRecv, kSendOnly, kRecvOnly, kInactive };

// "sendrecv", "sendonly", "recvonly", "inactive".
std::string_view DirectionName(Direction direction);

struct PayloadFormat {
  int payload_type = -1;
  // Upper case: PCMU, PCMA, G722, G729, OPUS, TELEPHONE-EVENT, CN, ...
  std::string encoding;
  // The RTP clock rate from a=rtpmap (or the static table). For G722 this is 8000 per
  // RFC 3551 although the audio is sampled at 16 kHz; see AudioSampleRateHz().
  int clock_rate = 0;
  int channels = 1;
  std::string fmtp;  // a=fmtp value for this payload type, "" when absent

  // Real audio sample rate: 16000 for G722, otherwise clock_rate.
  int AudioSampleRateHz() const;
};

// SDES key (RFC 4568) `a=crypto:<tag> <suite> <key-params> [<session-params>]`.
struct CryptoAttribute {
  int tag = 0;
  std::string suite;           // e.g. "AES_CM_128_HMAC_SHA1_80"
  std::string key_params;      // e.g. "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^31"
  std::string session_params;  // e.g. "UNENCRYPTED_SRTCP", "" when absent
};

struct OfferedStream {
  size_t index = 0;                // m-line index, 0-based
  std::string media;               // "audio", "video", "message", ...
  std::string label;               // a=label, "" when absent
  std::string protocol;            // "RTP/AVP", "RTP/SAVP", ...
  std::string connection_address;  // media-level c= or else session-level c=
  uint16_t port = 0;
  Direction direction = Direction::kSendRecv;  // media-level over session-level
  // Offered formats in m= line order. Static payload types (0 PCMU, 2 G721, 3 GSM,
  // 4 G723, 8 PCMA, 9 G722, 13 CN, 18 G729 ... sofia-sip's RFC 3551 table) are known
  // without a=rtpmap; dynamic ones without a=rtpmap are left out.
  std::vector<PayloadFormat> formats;
  std::string format_list;  // the m= line's format tokens as sent ("0 8 101", "*")
  std::vector<CryptoAttribute> crypto;
  int ptime_ms = 0;  // a=ptime, 0 when absent

  // True when the SRC paused this stream: a=inactive, c= 0.0.0.0 (RFC 2543 hold), or
  // port 0 (stream removed).
  bool OnHold() const;
};

struct SdpOffer {
  std::string origin_username;
  std::string origin_session_id;
  uint64_t origin_version = 0;
  std::vector<OfferedStream> streams;
};

// Parses `sdp` (CRLF or LF). Missing c=, o=, s= and t= lines are tolerated (OpenSIPS sends no
// c=; connection_address is then ""; without o= the origin fields stay empty): none of them
// is needed to receive audio. RTP/AVPF and RTP/SAVPF m-lines (RFC 4585, RFC 5124) are read
// like RTP/AVP and RTP/SAVP, `protocol` keeping the offered name; a=rtcp-fb is ignored. An
// SDP without m= lines parses to zero streams (Negotiate refuses it). Works for SDP answers
// too (e.g. the SRC's answer in an ACK).
// Failure: kInvalidInput "sdp: <what is wrong>" (sofia-sip's parse error, e.g. "sdp: bad SDP
// message"; "sdp: malformed m-line 2"; "sdp: NUL byte at offset N", which sofia-sip would
// silently treat as the end of the offer).
Result<SdpOffer> ParseSdpOffer(std::string_view sdp);

}  // namespace kronika::sdp
