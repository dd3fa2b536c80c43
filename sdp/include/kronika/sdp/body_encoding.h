// DecodeBody: a SIP request body as sent (Content-Encoding, RFC 3261 section 20.12) -> the
// body its Content-Type describes.
//
// Some SRCs compress large SIPREC bodies (`Content-Encoding: gzip`). Refusing them with 415
// (RFC 3261 section 8.2.3) would cost the call's audio, so they are decoded with zlib. The
// decoded size is bounded (a few hundred bytes of gzip can inflate to gigabytes).
//
// Threading: pure function, any thread. No I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "kronika/result.h"

namespace kronika::sdp {

// A SIPREC body is a few KiB; this is sixteen times the metadata bound.
inline constexpr size_t kMaxDecodedBodyBytes = 1024 * 1024;

// Codings DecodeBody understands, for an Accept-Encoding header (RFC 3261 section 20.2).
inline constexpr std::string_view kAcceptedContentEncodings = "gzip, deflate, identity";

// `content_encoding`: the header's value ("" when absent), a comma-separated list of codings
// applied in order ("gzip", "x-gzip", "deflate", "identity"; case-insensitive). The body is
// decoded last coding first.
// Success: the decoded body (the same bytes for "" and "identity").
// Failure:
//   kUnsupportedType "body: unsupported Content-Encoding br" (answer 415 with
//       Accept-Encoding: kAcceptedContentEncodings)
//   kInvalidInput "body: gzip data is damaged (incorrect header check)"
//   kInvalidInput "body: gzip data ends before its end"
//   kTooLarge "body: decoded body over 1048576 bytes"
Result<std::string> DecodeBody(std::string_view content_encoding, std::string_view body);

}  // namespace kronika::sdp
