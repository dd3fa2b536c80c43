// Private to kronika_sdp: small text helpers shared by the body splitter and SDP code.
#pragma once

#include <string>
#include <string_view>

namespace kronika::sdp {

// Makes peer-supplied text safe inside a SIP Warning header's quoted text: one line, no
// double quotes or backslashes, no control characters, at most `max_chars` characters
// ("..." appended when cut).
std::string WarningSafe(std::string_view text, size_t max_chars = 60);

// ASCII upper / lower case copies.
std::string ToUpper(std::string_view text);
std::string ToLower(std::string_view text);

// Rewrites every line end (CRLF, bare LF, bare CR) as CRLF; the result ends with CRLF
// unless it is empty.
std::string NormaliseToCrlf(std::string_view text);

}  // namespace kronika::sdp
