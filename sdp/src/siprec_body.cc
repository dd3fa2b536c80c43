// SIPREC body splitting on top of sofia-sip's MIME multipart parser.
//
// sofia-sip's msg_multipart_parse() copes with LF-only line ends, missing spaces after the
// header colon and whitespace after the closing delimiter (checked against every vendor
// body in the interop corpus), but returns NULL when the closing delimiter is missing
// (SEMS, Sonus, Cisco CUBE with application/gtd). That one case is repaired here by
// appending the closing delimiter before parsing; nothing else is rewritten.
//
// It also aborts the process (assert in msg_mime.c, "m > 0") on a NUL byte anywhere in a
// part's delimiter line or header block, so those are checked before it is called: one
// datagram must not end every call in progress. NULs inside a part's payload are safe
// (checked against the same library with a NUL at every offset of a two-part body).
#include "kronika/sdp/siprec_body.h"

#include <string>
#include <vector>

#include "sofia_home.h"
#include "warning_text.h"

namespace kronika::sdp {
namespace {

constexpr std::string_view kSdpType = "application/sdp";

bool IsMetadataType(std::string_view lower_type) {
  return lower_type == kMetadataContentType || lower_type == kLegacyMetadataContentType;
}

bool IsMultipartType(std::string_view lower_type) {
  return lower_type == "multipart/mixed" || lower_type == "multipart/related" ||
         lower_type == "multipart/alternative";
}

std::string_view Trim(std::string_view s) {
  const auto not_space = [](char c) { return c != ' ' && c != '\t' && c != '\r' && c != '\n'; };
  while (!s.empty() && !not_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && !not_space(s.back())) s.remove_suffix(1);
  return s;
}

// SDP text from a body part: leading blank lines dropped, line ends made CRLF.
std::string SdpText(std::string_view part) {
  while (!part.empty() && (part.front() == '\r' || part.front() == '\n' || part.front() == ' ' ||
                           part.front() == '\t')) {
    part.remove_prefix(1);
  }
  return NormaliseToCrlf(part);
}

Error BadRequest(std::string message) { return MakeError(ErrorCode::kInvalidInput, "multipart: " + message); }
Error Unsupported(std::string message) { return MakeError(ErrorCode::kUnsupportedType, "multipart: " + message); }

// End of the header block that begins at `begin` (a delimiter): the offset of its empty
// line, or `limit` (the next delimiter) when it has none. CRLF, LF and a lone CR end lines.
size_t HeaderBlockEnd(std::string_view body, size_t begin, size_t limit) {
  size_t line_end = body.find_first_of("\r\n", begin);  // end of the delimiter line
  while (line_end != std::string_view::npos && line_end < limit) {
    const bool crlf = body[line_end] == '\r' && line_end + 1 < body.size() && body[line_end + 1] == '\n';
    const size_t next_line = line_end + (crlf ? 2 : 1);
    if (next_line >= limit) return limit;
    if (body[next_line] == '\r' || body[next_line] == '\n') return next_line;
    line_end = body.find_first_of("\r\n", next_line);
  }
  return limit;
}

// Offsets of the delimiters `--boundary` in `body`, recognised where sofia-sip recognises
// them: at the start of the body or right after a line end.
std::vector<size_t> DelimiterOffsets(std::string_view body, std::string_view delimiter) {
  std::vector<size_t> offsets;
  for (size_t at = body.find(delimiter); at != std::string_view::npos;
       at = body.find(delimiter, at + delimiter.size())) {
    if (at == 0 || body[at - 1] == '\n' || body[at - 1] == '\r') offsets.push_back(at);
  }
  return offsets;
}

// Refuses what sofia-sip's multipart parser asserts on: a NUL byte in a delimiter line or
// in the header block that follows it (up to the first empty line, or the next delimiter
// when there is none). Also bounds the number of parts (a SIPREC body has two or three).
Status CheckPartHeaders(std::string_view body, std::string_view delimiter) {
  const std::vector<size_t> delimiters = DelimiterOffsets(body, delimiter);
  if (delimiters.size() > kMaxBodyParts + 1) {
    return BadRequest("more than " + std::to_string(kMaxBodyParts) + " body parts");
  }
  for (size_t i = 0; i < delimiters.size(); ++i) {
    const size_t begin = delimiters[i];
    const size_t next = i + 1 < delimiters.size() ? delimiters[i + 1] : body.size();
    const size_t end = HeaderBlockEnd(body, begin, next);
    if (body.substr(begin, end - begin).find('\0') != std::string_view::npos) {
      return BadRequest("NUL byte in the headers of body part " + std::to_string(i + 1));
    }
  }
  return OkStatus();
}

// Value of parameter `name_eq` ("boundary=") without surrounding quotes, "" when absent.
std::string ParameterOf(const msg_content_type_t* c, const char* name_eq) {
  const char* value = c != nullptr ? msg_params_find(c->c_params, name_eq) : nullptr;
  if (value == nullptr) return {};
  std::string_view b(value);
  if (b.size() >= 2 && b.front() == '"' && b.back() == '"') b = b.substr(1, b.size() - 2);
  return std::string(b);
}

std::string BoundaryOf(const msg_content_type_t* c) { return ParameterOf(c, "boundary="); }

Result<SiprecBody> SplitMultipart(su_home_t* home, msg_content_type_t* c, std::string_view body,
                                  SdpPart sdp_part) {
  const std::string boundary = BoundaryOf(c);
  if (boundary.empty()) return BadRequest("no boundary parameter in Content-Type");
  if (Trim(body).empty()) return BadRequest("empty body");

  const std::string delimiter = "--" + boundary;
  if (body.find(delimiter) == std::string_view::npos) {
    return BadRequest("boundary '" + WarningSafe(boundary) + "' not found in body");
  }
  if (Status checked = CheckPartHeaders(body, delimiter); !checked.ok()) return checked.error();
  std::string text(body);
  if (text.find(delimiter + "--") == std::string::npos) {
    // Missing closing delimiter: add it, with the line end style the body uses.
    const std::string eol = text.find("\r\n") != std::string::npos ? "\r\n" : "\n";
    text += eol + delimiter + "--" + eol;
  }

  msg_payload_t* payload = msg_payload_create(home, text.data(), static_cast<isize_t>(text.size()));
  if (payload == nullptr) return MakeError(ErrorCode::kInternal, "multipart: out of memory");
  msg_multipart_t* parts = msg_multipart_parse(home, c, payload);
  if (parts == nullptr) return BadRequest("malformed body");

  SiprecBody result;
  result.multipart = true;
  bool have_sdp = false;
  for (msg_multipart_t* part = parts; part != nullptr; part = part->mp_next) {
    if (part->mp_content_type == nullptr || part->mp_content_type->c_type == nullptr) continue;
    const std::string type = ToLower(part->mp_content_type->c_type);
    const std::string_view data =
        part->mp_payload != nullptr && part->mp_payload->pl_data != nullptr
            ? std::string_view(part->mp_payload->pl_data, part->mp_payload->pl_len)
            : std::string_view();
    if (type == kSdpType && !have_sdp) {
      if (Trim(data).empty()) return BadRequest("empty application/sdp part");
      result.sdp = SdpText(data);
      have_sdp = true;
    } else if (IsMetadataType(type) && !result.metadata_xml) {
      result.metadata_xml = std::string(data);
      result.metadata_content_type = type;
      result.metadata_charset = ParameterOf(part->mp_content_type, "charset=");
    }
    // Anything else (application/gtd, a second SDP, ...) is ignored.
  }
  if (!have_sdp && (sdp_part == SdpPart::kRequired || !result.metadata_xml)) {
    return Unsupported("no application/sdp part");
  }
  return result;
}

}  // namespace

Result<SiprecBody> ParseSiprecBody(std::string_view content_type_header, std::string_view body,
                                   SdpPart sdp_part) {
  const std::string header(Trim(content_type_header));
  if (header.empty()) return BadRequest("body without Content-Type");

  SofiaHome home;
  if (home.get() == nullptr) return MakeError(ErrorCode::kInternal, "multipart: out of memory");
  msg_content_type_t* c = msg_content_type_make(home.get(), header.c_str());
  if (c == nullptr || c->c_type == nullptr) {
    return BadRequest("bad Content-Type '" + WarningSafe(header) + "'");
  }
  const std::string type = ToLower(c->c_type);

  if (type == kSdpType) {
    if (Trim(body).empty()) return BadRequest("empty application/sdp body");
    SiprecBody result;
    result.sdp = SdpText(body);
    return result;
  }
  if (IsMetadataType(type)) {
    if (sdp_part == SdpPart::kRequired) return Unsupported("no application/sdp part");
    if (Trim(body).empty()) return BadRequest("empty " + type + " body");
    SiprecBody result;
    result.metadata_xml = std::string(body);
    result.metadata_content_type = type;
    result.metadata_charset = ParameterOf(c, "charset=");
    return result;
  }
  if (IsMultipartType(type)) return SplitMultipart(home.get(), c, body, sdp_part);
  return Unsupported("unsupported body type " + WarningSafe(type));
}

}  // namespace kronika::sdp
