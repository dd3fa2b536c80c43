// Private to kronika_sdp: an XML document's bytes -> valid UTF-8, honouring its encoding.
//
// SRCs copy display names from SIP headers and their own directories into the metadata, and
// some declare `<?xml version="1.0" encoding="ISO-8859-1"?>` (or windows-1250, or send UTF-16
// with a byte order mark). Everything Kronika stores is UTF-8, so the document is converted
// before it is parsed. The conversion is glibc's iconv; this file only decides which encoding
// to ask it for (XML 1.0 appendix F: byte order mark, then the declaration) and replaces
// bytes that are not valid in that encoding.
//
// Threading: pure function, any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kronika::sdp {

struct DecodedXml {
  std::string text;      // valid UTF-8; the declaration (if any) now says encoding="UTF-8";
                         // a byte order mark is dropped
  std::string encoding;  // what the bytes were read as, e.g. "UTF-8", "ISO-8859-1", "UTF-16LE"
  std::string declared;  // the charset parameter, else the declaration's encoding, as sent;
                         // "" when neither names one
  bool encoding_known = true;  // false: iconv does not know `declared`; read as UTF-8 instead
  size_t replaced = 0;  // byte sequences not valid in `encoding`, each replaced by U+FFFD
};

// `charset`: the charset parameter of the body's Content-Type ("" when none). Which encoding
// is used (RFC 7303 section 3.2, XML 1.0 appendix F): a byte order mark, else `charset`,
// else the XML declaration, else UTF-8.
// Never fails: what cannot be decoded is replaced, and said so in `replaced`.
DecodedXml DecodeXmlToUtf8(std::string_view raw, std::string_view charset = "");

}  // namespace kronika::sdp
