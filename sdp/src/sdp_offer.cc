// SDP offer reading on top of sofia-sip's SDP parser (sdp_parse).
//
// sofia-sip already resolves what matters here: media-level direction over session-level
// (m_mode), static payload types without a=rtpmap (its RFC 3551 table, rm_predef), and
// a=rtpmap/a=fmtp pairs. What is left is copying into plain C++ values and reading the
// attributes sofia keeps as text (a=label, a=ptime, a=crypto).
#include "kronika/sdp/sdp_offer.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <sstream>

#include "sofia_home.h"
#include "warning_text.h"

namespace kronika::sdp {
namespace {

// Tolerate SDP without c= (OpenSIPS) and without o= (sdp_f_insane skips sofia-sip's check
// for o= and v=0 only): neither is needed to receive audio, and a call is refused only when
// there is no usable audio (issue 14). Lines sofia cannot read at all still fail.
constexpr int kSdpParseFlags = sdp_f_c_missing | sdp_f_insane;

// RFC 4566 token-char.
bool IsTokenChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == 0x21 || (u >= 0x23 && u <= 0x27) || u == 0x2a || u == 0x2b || u == 0x2d ||
         u == 0x2e || (u >= 0x30 && u <= 0x39) || (u >= 0x41 && u <= 0x5a) ||
         (u >= 0x5e && u <= 0x7e);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// m= line field `index` (0 media, 1 port, 2 proto, 3.. fmt) is well-formed per RFC 4566:
// media = token, port = 1*DIGIT ["/" integer], proto = token *("/" token), fmt = token.
bool MediaFieldOk(size_t index, std::string_view word) {
  if (index == 1) {
    const size_t slash = word.find('/');
    const std::string_view port = word.substr(0, slash);
    const std::string_view count =
        slash == std::string_view::npos ? std::string_view("0") : word.substr(slash + 1);
    return !port.empty() && !count.empty() && std::all_of(port.begin(), port.end(), IsDigit) &&
           std::all_of(count.begin(), count.end(), IsDigit);
  }
  return std::all_of(word.begin(), word.end(),
                     [&](char c) { return IsTokenChar(c) || (index == 2 && c == '/'); });
}

// sofia-sip 1.12.11's sdp_parse() loops forever (allocating) when an m= line has, after the
// characters it can read as port and protocol, something that is not a token-char, e.g.
// "m=audio 1 FOO ;", "m=audio 1 R;;TP/AVP 0", "m=audio 350cabe\xaa:1" or "m=audio 1 FOO \t"
// (found by fuzzing the corpus bodies). Such lines are invalid RFC 4566, so every m= line is
// checked here, before sofia sees it.
// Returns the 1-based number of the first bad m= line, 0 if none.
size_t FirstUnsafeMediaLine(std::string_view sdp) {
  size_t m_line = 0;
  while (!sdp.empty()) {
    const size_t eol = sdp.find_first_of("\r\n");
    std::string_view line = sdp.substr(0, eol);
    sdp = eol == std::string_view::npos ? std::string_view() : sdp.substr(eol + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.rfind("m=", 0) != 0) continue;
    ++m_line;
    line.remove_prefix(2);
    size_t field = 0;
    while (!line.empty()) {
      // Fields are separated by SP only; a tab is not a token-char, so it fails the field.
      const size_t start = line.find_first_not_of(' ');
      if (start == std::string_view::npos) break;
      line.remove_prefix(start);
      const size_t end = line.find(' ');
      if (!MediaFieldOk(field++, line.substr(0, end))) return m_line;
      line = end == std::string_view::npos ? std::string_view() : line.substr(end);
    }
  }
  return 0;
}

// Splits `sdp` into lines, each with its line end, and calls `on_line(line_without_eol, eol)`.
template <typename OnLine>
void ForEachLine(std::string_view sdp, OnLine on_line) {
  while (!sdp.empty()) {
    size_t eol = sdp.find_first_of("\r\n");
    if (eol == std::string_view::npos) eol = sdp.size();
    size_t next = eol;
    if (next < sdp.size() && sdp[next] == '\r') ++next;
    if (next < sdp.size() && sdp[next] == '\n') ++next;
    on_line(sdp.substr(0, eol), sdp.substr(eol, next - eol));
    sdp.remove_prefix(next);
  }
}

// sofia-sip 1.12.11 knows RTP/AVP and RTP/SAVP only: an m= line in RTP/AVPF or RTP/SAVPF
// (RFC 4585/5124, WebRTC-facing SBCs) is read as an unknown transport whose formats are not
// payload types, so no codec would be found. These profiles are RTP/AVP and RTP/SAVP plus
// RTCP feedback, which a receive-only recorder does not send (a=rtcp-fb is ignored), so the
// m= line is handed to sofia in the base profile and the offered name is put back after.
// Returns the SDP to parse; `feedback_profiles[i]` is the offered profile of m-line i when it
// was rewritten, "" otherwise. REQUIRES: FirstUnsafeMediaLine(sdp) == 0.
std::string WithBaseRtpProfiles(std::string_view sdp, std::vector<std::string>& feedback_profiles) {
  std::string out;
  out.reserve(sdp.size());
  ForEachLine(sdp, [&](std::string_view line, std::string_view eol) {
    const size_t indent = line.find_first_not_of(" \t");
    if (indent == std::string_view::npos || line.substr(indent, 2) != "m=") {
      out.append(line).append(eol);
      return;
    }
    // m=<media> <port> <proto> ...: the proto is the third space-separated field.
    size_t at = indent + 2;
    for (int field = 0; field < 2 && at != std::string_view::npos; ++field) {
      at = line.find(' ', line.find_first_not_of(' ', at));
      if (at != std::string_view::npos) at = line.find_first_not_of(' ', at);
    }
    std::string offered;
    if (at != std::string_view::npos) {
      const size_t end = std::min(line.find(' ', at), line.size());
      const std::string proto = ToUpper(line.substr(at, end - at));
      if (proto == "RTP/AVPF" || proto == "RTP/SAVPF") {
        offered = proto;
        out.append(line.substr(0, at)).append(proto.substr(0, proto.size() - 1));
        out.append(line.substr(end)).append(eol);
      }
    }
    if (offered.empty()) out.append(line).append(eol);
    feedback_profiles.push_back(std::move(offered));
  });
  return out;
}

struct ParserDeleter {
  void operator()(sdp_parser_t* p) const { sdp_parser_free(p); }
};
using ParserPtr = std::unique_ptr<sdp_parser_t, ParserDeleter>;

int ParseInt(std::string_view text, int fallback) {
  int value = fallback;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() ? value : fallback;
}

Direction FromSofiaMode(unsigned mode) {
  switch (mode) {
    case sdp_inactive: return Direction::kInactive;
    case sdp_sendonly: return Direction::kSendOnly;
    case sdp_recvonly: return Direction::kRecvOnly;
    default: return Direction::kSendRecv;
  }
}

// `a=crypto:<tag> <suite> <key-params> [<session-params>...]` (RFC 4568 section 9.1).
std::optional<CryptoAttribute> ParseCrypto(std::string_view value) {
  std::istringstream in{std::string(value)};
  std::string tag;
  CryptoAttribute crypto;
  if (!(in >> tag >> crypto.suite >> crypto.key_params)) return std::nullopt;
  crypto.tag = ParseInt(tag, -1);
  if (crypto.tag < 0) return std::nullopt;
  std::string param;
  while (in >> param) {
    if (!crypto.session_params.empty()) crypto.session_params += ' ';
    crypto.session_params += param;
  }
  return crypto;
}

OfferedStream ReadStream(const sdp_session_t& session, const sdp_media_t& m, size_t index) {
  OfferedStream stream;
  stream.index = index;
  stream.media = m.m_type_name != nullptr ? m.m_type_name : "";
  stream.protocol = m.m_proto_name != nullptr ? m.m_proto_name : "";
  stream.port = m.m_port <= 65535 ? static_cast<uint16_t>(m.m_port) : 0;
  if (m.m_connections != nullptr && m.m_connections->c_address != nullptr) {
    stream.connection_address = m.m_connections->c_address;
  } else if (session.sdp_connection != nullptr && session.sdp_connection->c_address != nullptr) {
    stream.connection_address = session.sdp_connection->c_address;
  }
  stream.direction = FromSofiaMode(m.m_mode);

  for (const sdp_rtpmap_t* rm = m.m_rtpmaps; rm != nullptr; rm = rm->rm_next) {
    if (!stream.format_list.empty()) stream.format_list += ' ';
    stream.format_list += std::to_string(rm->rm_pt);
    if (rm->rm_encoding == nullptr || rm->rm_encoding[0] == '\0') continue;  // unknown dynamic
    PayloadFormat format;
    format.payload_type = static_cast<int>(rm->rm_pt);
    format.encoding = ToUpper(rm->rm_encoding);
    format.clock_rate = static_cast<int>(rm->rm_rate);
    if (rm->rm_params != nullptr && stream.media == "audio") {
      format.channels = ParseInt(rm->rm_params, 1);
    }
    if (rm->rm_fmtp != nullptr) format.fmtp = rm->rm_fmtp;
    stream.formats.push_back(std::move(format));
  }
  if (m.m_rtpmaps == nullptr) {
    for (const sdp_list_t* l = m.m_format; l != nullptr; l = l->l_next) {
      if (l->l_text == nullptr) continue;
      if (!stream.format_list.empty()) stream.format_list += ' ';
      stream.format_list += l->l_text;
    }
  }

  for (const sdp_attribute_t* a = m.m_attributes; a != nullptr; a = a->a_next) {
    if (a->a_name == nullptr) continue;
    const std::string name = ToLower(a->a_name);
    const std::string_view value = a->a_value != nullptr ? a->a_value : "";
    if (name == "label") {
      stream.label = std::string(value);
    } else if (name == "ptime") {
      stream.ptime_ms = ParseInt(value, 0);
    } else if (name == "crypto") {
      if (auto crypto = ParseCrypto(value)) stream.crypto.push_back(std::move(*crypto));
    }
  }
  return stream;
}

}  // namespace

std::string_view DirectionName(Direction direction) {
  switch (direction) {
    case Direction::kSendRecv: return "sendrecv";
    case Direction::kSendOnly: return "sendonly";
    case Direction::kRecvOnly: return "recvonly";
    case Direction::kInactive: return "inactive";
  }
  return "sendrecv";
}

int PayloadFormat::AudioSampleRateHz() const {
  // RFC 3551 section 4.5.2: G.722 is sampled at 16 kHz but its RTP clock is 8000 Hz.
  return encoding == "G722" ? 16000 : clock_rate;
}

bool OfferedStream::OnHold() const {
  return direction == Direction::kInactive || connection_address == "0.0.0.0" ||
         connection_address == "::" || port == 0;
}

Result<SdpOffer> ParseSdpOffer(std::string_view sdp) {
  // sofia-sip's sdp_parse() stops at a NUL byte and reports what came before as the whole
  // offer (no m-lines): say what is wrong instead of answering "no audio".
  if (const size_t nul = sdp.find('\0'); nul != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidInput, "sdp: NUL byte at offset " + std::to_string(nul));
  }
  if (const size_t bad = FirstUnsafeMediaLine(sdp); bad != 0) {
    return MakeError(ErrorCode::kInvalidInput, "sdp: malformed m-line " + std::to_string(bad));
  }
  std::vector<std::string> feedback_profiles;
  const std::string text = WithBaseRtpProfiles(sdp, feedback_profiles);
  SofiaHome home;
  if (home.get() == nullptr) return MakeError(ErrorCode::kInternal, "sdp: out of memory");
  ParserPtr parser(sdp_parse(home.get(), text.data(), static_cast<issize_t>(text.size()),
                             kSdpParseFlags));
  const sdp_session_t* session = sdp_session(parser.get());
  if (session == nullptr) {
    const char* why = sdp_parsing_error(parser.get());
    return MakeError(ErrorCode::kInvalidInput,
                     "sdp: " + WarningSafe(why != nullptr ? why : "unparsable", 80));
  }

  SdpOffer offer;
  if (session->sdp_origin != nullptr) {
    const sdp_origin_t& o = *session->sdp_origin;
    offer.origin_username = o.o_username != nullptr ? o.o_username : "";
    offer.origin_session_id = std::to_string(o.o_id);
    offer.origin_version = o.o_version;
  }
  size_t index = 0;
  for (const sdp_media_t* m = session->sdp_media; m != nullptr; m = m->m_next) {
    OfferedStream stream = ReadStream(*session, *m, index);
    if (index < feedback_profiles.size() && !feedback_profiles[index].empty()) {
      stream.protocol = feedback_profiles[index];
    }
    offer.streams.push_back(std::move(stream));
    ++index;
  }
  return offer;
}

}  // namespace kronika::sdp
