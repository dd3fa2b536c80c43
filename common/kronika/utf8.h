// Text as valid UTF-8: conversion from any charset glibc's iconv knows, and repair of bytes
// that are not UTF-8 (issue 14: everything Kronika stores and prints is valid UTF-8).
//
// Peers put bytes of any encoding into what Kronika keeps: metadata declared ISO-8859-1,
// SIP headers copied from a Latin-1 PBX, records written before decoding existed. Writers
// that need UTF-8 (JSON, CSV, the store) pass such text through here; nothing is dropped,
// each undecodable unit becomes U+FFFD. The decoding itself is glibc's iconv - no code
// tables here.
//
// Threading: pure functions, any thread (each call opens its own iconv descriptor).
#pragma once

#include <errno.h>
#include <iconv.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kronika {

inline constexpr std::string_view kUtf8ReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

struct Utf8Conversion {
  std::string text;     // valid UTF-8 (RFC 3629)
  size_t replaced = 0;  // units that did not decode, each now U+FFFD
};

// `bytes` from charset `from` to charset `to` with iconv; each unit that does not decode (or
// has no form in `to`) becomes `replacement` (U+FFFD written in `to`) and iconv skips
// `unit_bytes` of input past it. Returns nullopt when iconv knows either charset not.
inline std::optional<Utf8Conversion> ConvertCharset(std::string_view bytes, const std::string& from,
                                                    const std::string& to, std::string_view replacement,
                                                    size_t unit_bytes) {
  iconv_t cd = iconv_open(to.c_str(), from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  Utf8Conversion out;
  char* in_ptr = const_cast<char*>(bytes.data());  // iconv's API is not const-correct
  size_t in_left = bytes.size();
  std::string buffer(bytes.size() * 4 + 16, '\0');  // 4 output bytes per input byte at most
  size_t used = 0;
  while (true) {
    char* out_ptr = buffer.data() + used;
    size_t out_left = buffer.size() - used;
    // With no input left this is the final call that writes any pending shift sequence.
    const size_t result = iconv(cd, in_left > 0 ? &in_ptr : nullptr, &in_left, &out_ptr, &out_left);
    used = static_cast<size_t>(out_ptr - buffer.data());
    if (result != static_cast<size_t>(-1)) {
      if (in_left == 0) break;
      continue;
    }
    if (errno == E2BIG) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    // EILSEQ (not valid here) or EINVAL (cut short at the end): replace one unit, go on.
    if (buffer.size() - used < replacement.size()) buffer.resize(buffer.size() * 2);
    std::copy(replacement.begin(), replacement.end(), buffer.begin() + used);
    used += replacement.size();
    ++out.replaced;
    const size_t skip = std::min(std::max<size_t>(unit_bytes, 1), in_left);
    in_ptr += skip;
    in_left -= skip;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);  // back to the initial state
    if (in_left == 0) break;
  }
  iconv_close(cd);
  buffer.resize(used);
  out.text = std::move(buffer);
  return out;
}

// `text` with every byte sequence that is not UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF) replaced by U+FFFD; valid UTF-8 comes back unchanged.
// `replaced`, when given, receives how many were replaced.
inline std::string ValidUtf8(std::string_view text, size_t* replaced = nullptr) {
  if (replaced != nullptr) *replaced = 0;
  // Pure ASCII (the common case: ids, numbers, hosts) needs no conversion.
  if (std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return std::string(text);
  }
  // glibc's UTF-8 decoder takes sequences up to 0x7FFFFFFF; UTF-16 has no form for anything
  // above U+10FFFF, so going through it enforces RFC 3629's range.
  std::optional<Utf8Conversion> wide = ConvertCharset(text, "UTF-8", "UTF-16LE", "\xFD\xFF", 1);
  std::optional<Utf8Conversion> back =
      wide ? ConvertCharset(wide->text, "UTF-16LE", "UTF-8", kUtf8ReplacementCharacter, 2) : std::nullopt;
  if (!back) {  // no iconv at all: keep ASCII, replace the rest
    std::string out;
    for (char c : text) {
      if (static_cast<unsigned char>(c) < 0x80) {
        out += c;
      } else {
        out += kUtf8ReplacementCharacter;
        if (replaced != nullptr) ++*replaced;
      }
    }
    return out;
  }
  if (replaced != nullptr) *replaced = wide->replaced + back->replaced;
  return std::move(back->text);
}

// `bytes` in `charset` (an iconv name: "ISO-8859-2", "WINDOWS-1250", "UTF-16LE", "UTF-8")
// as UTF-8. `unit_bytes`: how far to skip past a unit that does not decode (1 for byte
// charsets and UTF-8, 2 for UTF-16, 4 for UTF-32 and UCS-4 - REQUIRED for those, it also
// enables the check against values above U+10FFFF).
// Returns nullopt when iconv does not know `charset`.
inline std::optional<Utf8Conversion> ConvertToUtf8(std::string_view bytes, const std::string& charset,
                                                   size_t unit_bytes = 1) {
  std::string upper = charset;
  for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  if (upper == "UTF-8" || upper == "UTF8") {
    Utf8Conversion out;
    out.text = ValidUtf8(bytes, &out.replaced);
    return out;
  }
  std::optional<Utf8Conversion> out = ConvertCharset(bytes, charset, "UTF-8", kUtf8ReplacementCharacter, unit_bytes);
  if (out && unit_bytes >= 4) {
    // A 32-bit source (UTF-32, UCS-4) can carry values above U+10FFFF that glibc writes out
    // as long UTF-8 sequences: hold the result to RFC 3629 as well. Byte charsets and
    // UTF-16 cannot name such a value.
    size_t more = 0;
    out->text = ValidUtf8(out->text, &more);
    out->replaced += more;
  }
  return out;
}

}  // namespace kronika
