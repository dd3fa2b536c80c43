// SDP text written by Kronika: answers to SRC offers and offers for SDP-less re-INVITEs.
#include <algorithm>
#include <set>
#include <string>

#include "kronika/sdp/sdp_answer.h"
#include "warning_text.h"

namespace kronika::sdp {
namespace {

constexpr int kFirstDynamicPayloadType = 96;
constexpr int kLastDynamicPayloadType = 127;
constexpr int kPreferredTelephoneEventPayloadType = 101;
constexpr int kNarrowbandClockRateHz = 8000;

// Encoding names as registered (case-insensitive in SDP, but these spellings are what
// every peer prints).
std::string SdpEncodingName(std::string_view upper) {
  if (upper == "OPUS") return "opus";
  if (upper == "TELEPHONE-EVENT") return "telephone-event";
  return std::string(upper);
}

// Static RTP payload types (RFC 3551) and the conventional form of dynamic ones.
std::optional<PayloadFormat> WellKnownFormat(std::string_view upper) {
  if (upper == "PCMU") return PayloadFormat{0, "PCMU", 8000, 1, ""};
  if (upper == "PCMA") return PayloadFormat{8, "PCMA", 8000, 1, ""};
  if (upper == "G722") return PayloadFormat{9, "G722", 8000, 1, ""};
  if (upper == "G729") return PayloadFormat{18, "G729", 8000, 1, ""};
  if (upper == "OPUS") return PayloadFormat{-1, "OPUS", 48000, 2, ""};
  return std::nullopt;
}

std::string AddressLine(std::string_view ip) {
  const bool v6 = ip.find(':') != std::string_view::npos;
  return std::string(v6 ? "IN IP6 " : "IN IP4 ") + std::string(ip);
}

std::string SessionHeader(std::string_view local_ip, uint64_t session_id, uint64_t version) {
  const std::string address = AddressLine(local_ip);
  return "v=0\r\no=kronika " + std::to_string(session_id) + " " + std::to_string(version) + " " +
         address + "\r\ns=kronika\r\nc=" + address + "\r\nt=0 0\r\n";
}

void AppendFormat(std::string& out, const PayloadFormat& f) {
  out += "a=rtpmap:" + std::to_string(f.payload_type) + " " + SdpEncodingName(f.encoding) + "/" +
         std::to_string(f.clock_rate);
  if (f.channels > 1) out += "/" + std::to_string(f.channels);
  out += "\r\n";
  if (!f.fmtp.empty()) out += "a=fmtp:" + std::to_string(f.payload_type) + " " + f.fmtp + "\r\n";
}

// "m=audio <port> <proto> <pt>..." and an a=rtpmap (+ a=fmtp) per format, in list order.
void AppendMediaLine(std::string& out, const NegotiatedStream& s,
                     const std::vector<PayloadFormat>& formats) {
  out += "m=audio " + std::to_string(s.local_port) + " " + s.protocol;
  for (const PayloadFormat& f : formats) out += " " + std::to_string(f.payload_type);
  out += "\r\n";
  for (const PayloadFormat& f : formats) AppendFormat(out, f);
}

void AppendRefused(std::string& out, const NegotiatedStream& s) {
  const std::string media = s.media.empty() ? "audio" : s.media;
  const std::string protocol = s.protocol.empty() ? "RTP/AVP" : s.protocol;
  const std::string formats = s.format_list.empty() ? "0" : s.format_list;
  out += "m=" + media + " 0 " + protocol + " " + formats + "\r\n";
}

std::string KeyFor(const std::vector<std::string>& keys, size_t i) {
  return i < keys.size() ? keys[i] : std::string();
}

bool Usable(const NegotiatedStream& s, const std::string& key) {
  return s.accepted && s.local_port != 0 && (!s.crypto || !key.empty());
}

void AppendStreamTail(std::string& out, const NegotiatedStream& s, const std::string& key,
                      int crypto_tag, bool paused) {
  if (s.ptime_ms > 0) out += "a=ptime:" + std::to_string(s.ptime_ms) + "\r\n";
  if (!s.label.empty()) out += "a=label:" + s.label + "\r\n";
  if (s.crypto) {
    out += "a=crypto:" + std::to_string(crypto_tag) + " " + s.crypto->suite + " inline:" + key +
           "\r\n";
  }
  out += paused ? "a=inactive\r\n" : "a=recvonly\r\n";
}

// One m-line of our offer (SDP-less re-INVITE): every preferred codec, telephone-event.
void AppendOfferedStream(std::string& out, const NegotiatedStream& s, const std::string& key,
                         const CodecPreferences& prefs) {
  // Keep the payload types in use; give the others their static or a free dynamic one.
  std::set<int> used;
  for (const PayloadFormat& f : s.formats) used.insert(f.payload_type);
  int next_dynamic = kFirstDynamicPayloadType;
  const auto allocate = [&]() {
    while (next_dynamic <= kLastDynamicPayloadType && used.count(next_dynamic) > 0) {
      ++next_dynamic;
    }
    used.insert(next_dynamic);
    return next_dynamic;
  };

  std::vector<PayloadFormat> formats;
  for (const std::string& wanted : prefs.order) {
    const std::string name = ToUpper(wanted);
    const auto in_use = std::find_if(s.formats.begin(), s.formats.end(),
                                     [&](const PayloadFormat& f) { return f.encoding == name; });
    if (in_use != s.formats.end()) {
      formats.push_back(*in_use);
      continue;
    }
    std::optional<PayloadFormat> f = WellKnownFormat(name);
    if (!f) continue;  // no static payload type and no known clock rate: cannot offer
    if (f->payload_type < 0) f->payload_type = allocate();
    formats.push_back(*f);
  }
  // The codec in use stays offered even when the preferences no longer list it.
  if (std::none_of(formats.begin(), formats.end(),
                   [&](const PayloadFormat& f) { return f.encoding == s.codec.encoding; })) {
    formats.insert(formats.begin(), s.codec);
  }
  if (prefs.accept_telephone_event) {
    if (s.telephone_event) {
      formats.push_back(*s.telephone_event);
    } else {
      const int pt = used.count(kPreferredTelephoneEventPayloadType) == 0
                         ? kPreferredTelephoneEventPayloadType
                         : allocate();
      used.insert(pt);
      formats.push_back(PayloadFormat{pt, "TELEPHONE-EVENT", kNarrowbandClockRateHz, 1, "0-15"});
    }
  }

  AppendMediaLine(out, s, formats);
  AppendStreamTail(out, s, key, 1, /*paused=*/false);
}

// The session header, then one m-line per stream: refused (or unusable) ones with port 0,
// accepted ones written by `append_accepted(out, stream, our_srtp_key)`.
template <typename AppendAccepted>
std::string FormatStreams(const Negotiation& negotiation, std::string_view local_ip,
                          uint64_t session_id, uint64_t version,
                          const std::vector<std::string>& local_srtp_keys,
                          AppendAccepted append_accepted) {
  std::string out = SessionHeader(local_ip, session_id, version);
  for (size_t i = 0; i < negotiation.streams.size(); ++i) {
    const NegotiatedStream& s = negotiation.streams[i];
    const std::string key = KeyFor(local_srtp_keys, i);
    if (Usable(s, key)) {
      append_accepted(out, s, key);
    } else {
      AppendRefused(out, s);
    }
  }
  return out;
}

}  // namespace

std::string FormatAnswer(const Negotiation& negotiation, std::string_view local_ip,
                         uint64_t session_id, uint64_t version,
                         const std::vector<std::string>& local_srtp_keys) {
  return FormatStreams(negotiation, local_ip, session_id, version, local_srtp_keys,
                       [](std::string& out, const NegotiatedStream& s, const std::string& key) {
                         AppendMediaLine(out, s, s.formats);
                         // RFC 4568 section 7.1.2: the answer's a=crypto carries the tag of
                         // the accepted offer.
                         AppendStreamTail(out, s, key, s.crypto ? s.crypto->tag : 0, s.paused);
                       });
}

std::string FormatOffer(const Negotiation& current, const CodecPreferences& prefs,
                        std::string_view local_ip, uint64_t session_id, uint64_t version,
                        const std::vector<std::string>& local_srtp_keys) {
  return FormatStreams(current, local_ip, session_id, version, local_srtp_keys,
                       [&prefs](std::string& out, const NegotiatedStream& s, const std::string& key) {
                         AppendOfferedStream(out, s, key, prefs);
                       });
}

}  // namespace kronika::sdp
