// SDP answers from Kronika (the SRS): codec choice per stream and the answer text.
//
// The SRS only receives media: every accepted stream is answered `a=recvonly` (or
// `a=inactive` when the SRC paused it). Every offered m-line gets one answer m-line, in
// order; refused ones (non-audio, no usable codec) get port 0 (RFC 3264 section 6).
// An accepted m-line lists every offered format we can receive (RFC 3264 section 6.1: a
// recvonly answer lists the formats the answerer is willing to receive), in OUR preference
// order so that the first one - which the SRC SHOULD send (section 7) - is our choice, then
// telephone-event (RFC 4733). The same list is what the media engine decodes on the stream.
//
// Thread safety: pure functions, callable from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/result.h"
#include "kronika/sdp/sdp_offer.h"

namespace kronika::sdp {

struct CodecPreferences {
  // Encodings we decode, most preferred first (names as in a=rtpmap, case-insensitive).
  std::vector<std::string> order = {"PCMU", "PCMA", "G722", "OPUS", "G729"};
  bool accept_telephone_event = true;  // answer telephone-event when offered
};

struct NegotiatedStream {
  size_t index = 0;  // m-line index, 0-based
  std::string label;
  std::string media;
  bool accepted = false;  // false -> answered with port 0 (non-audio, no codec, port 0)
  PayloadFormat codec;    // preferred codec, formats.front() (valid when accepted)
  // telephone-event with the codec's clock rate, else the first offered one.
  std::optional<PayloadFormat> telephone_event;
  // Every payload format the answer lists and the media engine decodes, in answer order:
  // offered audio codecs from CodecPreferences::order (our order; offer order within one
  // encoding), then the offered telephone-events that match a listed codec's clock rate
  // (else the first offered one). Offered payload types, rtpmap and fmtp are kept as sent.
  std::vector<PayloadFormat> formats;
  std::optional<CryptoAttribute> crypto;  // the SRC's chosen SDES suite/key when SAVP
  std::string protocol;                   // echoed from the offer ("RTP/AVP", "RTP/AVPF", ...)
  std::string format_list;                // offered m= formats, echoed when refusing
  bool paused = false;                    // offer on hold -> answer a=inactive
  int ptime_ms = 0;                       // from the offer, 0 when absent
  std::string remote_address;
  uint16_t remote_port = 0;
  uint16_t local_port = 0;  // filled in by the caller (srs allocates ports) before formatting
};

struct Negotiation {
  std::vector<NegotiatedStream> streams;
};

// SDES suites Kronika can decrypt (libsrtp2), in the order tried when several are offered:
// the SRC's order decides, this list only filters.
inline constexpr std::string_view kSupportedSrtpSuites[] = {"AES_CM_128_HMAC_SHA1_80",
                                                           "AES_CM_128_HMAC_SHA1_32"};

// Per offered audio stream: `formats` = every offered format whose encoding is in
// `prefs.order` (OPUS only at 48000 Hz, payload type 0-127), in our preference order, and
// telephone-event as described at NegotiatedStream::formats (none when
// !prefs.accept_telephone_event); `codec` = the first of them; for RTP/SAVP the first
// offered a=crypto with a suite from kSupportedSrtpSuites and an inline key of 30 bytes
// (AES_CM_128 master key + salt; another key is passed over, so a misconfigured m-line is
// declined rather than the whole call refused by the media engine).
// Refused (accepted = false, answered with port 0): non-audio m-lines, port 0, transports
// other than RTP/AVP, RTP/AVPF, RTP/SAVP, RTP/SAVPF, SAVP without a usable a=crypto, no codec
// from `prefs.order`.
// Paused (accepted, answered a=inactive): the SRC's stream is inactive, recvonly or on hold
// with c=0.0.0.0. An offer whose audio streams are all paused is accepted.
// Failure (when no stream at all can be accepted, i.e. there is no usable audio - the only
// case where an SDP that parses is refused; m-line numbers 1-based), all kNotAcceptable (488):
//   "sdp: no acceptable codec in m-line 1 (offered: GSM ILBC)"
//   "sdp: no supported SRTP crypto suite with a usable key in m-line 1 (offered: AES_256_CM_HMAC_SHA1_80)"
//   "sdp: unsupported transport UDP/TLS/RTP/SAVP in m-line 1"
//   "sdp: audio m-line 1 removed (port 0)"
//   "sdp: no audio m-line in offer (offered: video)"
Result<Negotiation> Negotiate(const SdpOffer& offer, const CodecPreferences& prefs);

// Answer SDP (CRLF): c=IN IP4 `local_ip` (IP6 if it contains ':'), one m-line per offered
// m-line listing the stream's `formats` with their offered payload types, an a=rtpmap (and
// the offered a=fmtp) for each, a=ptime echoed, a=label echoed, a=recvonly or a=inactive,
// a=crypto with OUR key when SRTP.
// `local_srtp_keys[i]`: base64 master key+salt (30 bytes for the AES_CM_128 suites) for
// stream i. REQUIRES: a key for every accepted stream with `crypto` set, and local_port != 0
// for every accepted stream; a stream missing either is answered with port 0 (refused).
std::string FormatAnswer(const Negotiation& negotiation, std::string_view local_ip,
                         uint64_t session_id, uint64_t version,
                         const std::vector<std::string>& local_srtp_keys = {});

// Offer for a re-INVITE that arrived without SDP: the current local ports, recvonly, all
// preferred codecs (in `prefs.order`, with their static or conventional dynamic payload
// types; the currently negotiated payload types are kept) plus telephone-event, and for SRTP
// streams a=crypto with the current suite and `local_srtp_keys[i]`. Refused streams keep
// port 0. The SRC's answer (in the ACK) can be read with ParseSdpOffer + Negotiate.
std::string FormatOffer(const Negotiation& current, const CodecPreferences& prefs,
                        std::string_view local_ip, uint64_t session_id, uint64_t version,
                        const std::vector<std::string>& local_srtp_keys = {});

}  // namespace kronika::sdp
