// Offer/answer decisions for a receive-only recorder (RFC 3264 as applied by RFC 7866).
#include "kronika/sdp/sdp_answer.h"

#include <sofia-sip/base64.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "warning_text.h"

namespace kronika::sdp {
namespace {

constexpr int kOpusClockRateHz = 48000;
constexpr int kMaxPayloadType = 127;  // RTP's 7-bit payload type field
constexpr long kSdesKeySaltBytes = 30;  // AES_CM_128: 16-byte master key + 14-byte salt

bool IsRtpTransport(std::string_view protocol) {
  return protocol == "RTP/AVP" || protocol == "RTP/AVPF" || protocol == "RTP/SAVP" ||
         protocol == "RTP/SAVPF";
}

bool IsSrtpTransport(std::string_view protocol) {
  return protocol == "RTP/SAVP" || protocol == "RTP/SAVPF";
}

bool IsSupportedSuite(std::string_view suite) {
  return std::find(std::begin(kSupportedSrtpSuites), std::end(kSupportedSrtpSuites), suite) !=
         std::end(kSupportedSrtpSuites);
}

std::string MLine(size_t index) { return "m-line " + std::to_string(index + 1); }

// "GSM ILBC" - the offered encodings, in offer order, without repeats.
std::string OfferedCodecNames(const OfferedStream& stream) {
  std::vector<std::string> names;
  for (const PayloadFormat& f : stream.formats) {
    if (std::find(names.begin(), names.end(), f.encoding) == names.end()) {
      names.push_back(f.encoding);
    }
  }
  if (names.empty()) return WarningSafe(stream.format_list.empty() ? "none" : stream.format_list);
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ' ';
    out += n;
  }
  return WarningSafe(out, 80);
}

// Offered formats we decode, in our preference order (offer order within one encoding).
// The payload-type range is the media engine's (it refuses a stream with any other).
std::vector<PayloadFormat> ReceivableCodecs(const OfferedStream& stream,
                                            const CodecPreferences& prefs) {
  std::vector<PayloadFormat> codecs;
  for (const std::string& wanted : prefs.order) {
    const std::string name = ToUpper(wanted);
    for (const PayloadFormat& f : stream.formats) {
      if (f.encoding != name || f.payload_type < 0 || f.payload_type > kMaxPayloadType) continue;
      if (name == "OPUS" && f.clock_rate != kOpusClockRateHz) continue;
      codecs.push_back(f);
    }
  }
  return codecs;
}

// RFC 4733 section 2.1: an event stream uses the clock of the audio it goes with, so the
// offered telephone-events matching a listed codec's clock; when none matches, the first
// offered one (events at another clock still decode). `primary` gets the one with the
// preferred codec's clock, else the first listed.
std::vector<PayloadFormat> ReceivableEvents(const OfferedStream& stream,
                                            const std::vector<PayloadFormat>& codecs,
                                            std::optional<PayloadFormat>& primary) {
  std::vector<PayloadFormat> events;
  std::optional<PayloadFormat> first;
  for (const PayloadFormat& f : stream.formats) {
    if (f.encoding != "TELEPHONE-EVENT" || f.payload_type < 0 || f.payload_type > kMaxPayloadType) {
      continue;
    }
    if (!first) first = f;
    const bool matches = std::any_of(codecs.begin(), codecs.end(), [&](const PayloadFormat& c) {
      return c.clock_rate == f.clock_rate;
    });
    if (matches) events.push_back(f);
    if (!primary && f.clock_rate == codecs.front().clock_rate) primary = f;
  }
  if (events.empty() && first) events.push_back(*first);
  if (!primary && !events.empty()) primary = events.front();
  return events;
}

// RFC 4568 section 6.1: "inline:" <key||salt in base64> ["|" lifetime] ["|" MKI:length].
// The AES_CM_128 suites take a 16-byte key and a 14-byte salt. An attribute whose key is not
// that is passed over here (the next one offered may do), so one misconfigured m-line is
// declined with port 0 instead of the media engine refusing the whole call.
bool HasUsableKey(const CryptoAttribute& crypto) {
  std::string_view params = crypto.key_params;
  if (params.rfind("inline:", 0) != 0) return false;
  params.remove_prefix(7);
  const std::string key(params.substr(0, params.find('|')));
  const bool base64_alphabet = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/' || c == '=';
  });
  if (!base64_alphabet) return false;
  char decoded[64];
  return base64_d(decoded, sizeof decoded, key.c_str()) == kSdesKeySaltBytes;
}

std::optional<CryptoAttribute> ChooseCrypto(const OfferedStream& stream) {
  for (const CryptoAttribute& c : stream.crypto) {
    if (IsSupportedSuite(c.suite) && HasUsableKey(c)) return c;
  }
  return std::nullopt;
}

std::string OfferedSuites(const OfferedStream& stream) {
  std::string out;
  for (const CryptoAttribute& c : stream.crypto) {
    if (!out.empty()) out += ' ';
    out += c.suite;
  }
  return WarningSafe(out.empty() ? "none" : out, 80);
}

// Fills `ns` for an audio stream; returns "" when accepted, else why not.
std::string NegotiateAudio(const OfferedStream& offered, const CodecPreferences& prefs,
                           NegotiatedStream& ns) {
  if (offered.port == 0) return "audio " + MLine(offered.index) + " removed (port 0)";
  if (!IsRtpTransport(offered.protocol)) {
    return "unsupported transport " + WarningSafe(offered.protocol) + " in " +
           MLine(offered.index);
  }
  if (IsSrtpTransport(offered.protocol)) {
    ns.crypto = ChooseCrypto(offered);
    if (!ns.crypto) {
      return "no supported SRTP crypto suite with a usable key in " + MLine(offered.index) +
             " (offered: " + OfferedSuites(offered) + ")";
    }
  }
  ns.formats = ReceivableCodecs(offered, prefs);
  if (ns.formats.empty()) {
    ns.crypto.reset();
    return "no acceptable codec in " + MLine(offered.index) +
           " (offered: " + OfferedCodecNames(offered) + ")";
  }
  ns.codec = ns.formats.front();
  if (prefs.accept_telephone_event) {
    const std::vector<PayloadFormat> events =
        ReceivableEvents(offered, ns.formats, ns.telephone_event);
    ns.formats.insert(ns.formats.end(), events.begin(), events.end());
  }
  // We never send: an SRC that only wants to receive (recvonly) or has paused the stream
  // gets a=inactive.
  ns.paused = offered.OnHold() || offered.direction == Direction::kRecvOnly;
  ns.accepted = true;
  return {};
}

}  // namespace

Result<Negotiation> Negotiate(const SdpOffer& offer, const CodecPreferences& prefs) {
  Negotiation negotiation;
  std::string first_failure;
  std::string non_audio;
  bool any_audio = false;
  bool any_accepted = false;

  for (const OfferedStream& offered : offer.streams) {
    NegotiatedStream ns;
    ns.index = offered.index;
    ns.label = offered.label;
    ns.media = offered.media;
    ns.protocol = offered.protocol;
    ns.format_list = offered.format_list;
    ns.ptime_ms = offered.ptime_ms;
    ns.remote_address = offered.connection_address;
    ns.remote_port = offered.port;
    if (offered.media == "audio") {
      any_audio = true;
      const std::string failure = NegotiateAudio(offered, prefs, ns);
      if (!failure.empty() && first_failure.empty()) first_failure = failure;
      any_accepted = any_accepted || ns.accepted;
    } else {
      if (!non_audio.empty()) non_audio += ' ';
      non_audio += offered.media;
    }
    negotiation.streams.push_back(std::move(ns));
  }

  if (!any_accepted) {
    if (!any_audio) {
      return MakeError(ErrorCode::kNotAcceptable, "sdp: no audio m-line in offer (offered: " +
                                WarningSafe(non_audio.empty() ? "none" : non_audio) + ")");
    }
    return MakeError(ErrorCode::kNotAcceptable, "sdp: " + first_failure);
  }
  return negotiation;
}

}  // namespace kronika::sdp
