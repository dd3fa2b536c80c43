// SIPREC request bodies: splitting an INVITE/UPDATE body into its SDP and metadata parts.
//
// An SRC (RFC 7866) sends `multipart/mixed` with an `application/sdp` part and an RFC 7865
// `application/rs-metadata+xml` part (legacy `application/rs-metadata` is accepted too,
// RFC 9806). A plain `application/sdp` body is accepted as well (multipart = false); the
// caller decides whether that is acceptable for the request at hand.
//
// Thread safety: pure functions, callable from any thread. No state is kept.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kronika/result.h"

namespace kronika::sdp {

inline constexpr std::string_view kMetadataContentType = "application/rs-metadata+xml";
inline constexpr std::string_view kLegacyMetadataContentType = "application/rs-metadata";
// A SIPREC body has two parts (SDP, metadata), three with an SBC's own (application/gtd);
// more is refused before anything is parsed.
inline constexpr size_t kMaxBodyParts = 16;

struct SiprecBody {
  std::string sdp;                          // the SDP part, line ends normalised to CRLF
  std::optional<std::string> metadata_xml;  // RFC 7865 part, if any (as received)
  std::string metadata_content_type;        // content type of the metadata part, lower case,
                                            // "" when there is none
  std::string metadata_charset;             // its charset parameter as sent (RFC 7303: it
                                            // overrides the XML declaration), "" when none
  bool multipart = false;                   // true when the body was multipart/*
};

// Whether the request must carry an SDP: an INVITE with a body must (an offer), an UPDATE
// or re-INVITE may carry only new metadata (RFC 7866 section 7.1.2).
enum class SdpPart { kRequired, kOptional };

// Splits `body` according to `content_type_header` (the full Content-Type value, with its
// parameters, e.g. `multipart/mixed;boundary=foo`).
//
// - `application/sdp` -> the whole body is the SDP, multipart = false.
// - `application/rs-metadata+xml` or `application/rs-metadata` alone -> metadata only,
//   sdp empty; accepted only with SdpPart::kOptional.
// - `multipart/mixed`, `multipart/related`, `multipart/alternative` -> split; parts may
//   come in any order; parts other than SDP and metadata (e.g. application/gtd) are
//   ignored; Content-Disposition is optional. Tolerated quirks seen from real SBCs: LF-only
//   line ends, a missing closing delimiter, whitespace after the closing delimiter, a
//   header written `Content-Type:value` without a space, a quoted boundary.
//
// Failure:
//   415 "multipart: unsupported body type text/plain" - neither application/sdp nor multipart
//   415 "multipart: no application/sdp part" (kRequired; with kOptional: when neither an
//       SDP nor a metadata part is present)
//   400 "multipart: no boundary parameter in Content-Type"
//   400 "multipart: boundary 'foo' not found in body"
//   400 "multipart: malformed body" / "multipart: empty body" / "multipart: bad Content-Type"
//   400 "multipart: NUL byte in the headers of body part 2" (refused before sofia-sip sees it:
//       its parser aborts the process on one)
//   400 "multipart: more than 16 body parts"
Result<SiprecBody> ParseSiprecBody(std::string_view content_type_header, std::string_view body,
                                   SdpPart sdp_part = SdpPart::kRequired);

}  // namespace kronika::sdp
