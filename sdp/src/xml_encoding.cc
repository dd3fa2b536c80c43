#include "xml_encoding.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <pugixml.hpp>

#include "kronika/utf8.h"

namespace kronika::sdp {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view kUtf8 = "UTF-8";
// An XML declaration is one short line; anything longer is not looked into.
constexpr size_t kMaxDeclarationBytes = 256;
// IANA charset names are at most 40 characters (RFC 2978).
constexpr size_t kMaxEncodingNameChars = 40;

// A Unicode form recognised from the first bytes (XML 1.0 appendix F.1).
struct UnicodeForm {
  std::string_view iconv_name;
  size_t bom_bytes = 0;  // byte order mark to skip
  size_t unit_bytes = 1;  // code unit size: what to skip past an undecodable unit
};

std::optional<UnicodeForm> DetectUnicodeForm(std::string_view raw) {
  const auto starts = [raw](std::string_view prefix) { return raw.substr(0, prefix.size()) == prefix; };
  // Byte order marks, the 4-byte ones first (FF FE 00 00 also starts like UTF-16LE).
  if (starts("\x00\x00\xFE\xFF"sv)) return UnicodeForm{"UTF-32BE", 4, 4};
  if (starts("\xFF\xFE\x00\x00"sv)) return UnicodeForm{"UTF-32LE", 4, 4};
  if (starts("\xEF\xBB\xBF"sv)) return UnicodeForm{kUtf8, 3, 1};
  if (starts("\xFE\xFF"sv)) return UnicodeForm{"UTF-16BE", 2, 2};
  if (starts("\xFF\xFE"sv)) return UnicodeForm{"UTF-16LE", 2, 2};
  // No mark: "<?" (or "<" for UTF-32) in a wide form.
  if (starts("\x00\x00\x00\x3C"sv)) return UnicodeForm{"UTF-32BE", 0, 4};
  if (starts("\x3C\x00\x00\x00"sv)) return UnicodeForm{"UTF-32LE", 0, 4};
  if (starts("\x00\x3C\x00\x3F"sv)) return UnicodeForm{"UTF-16BE", 0, 2};
  if (starts("\x3C\x00\x3F\x00"sv)) return UnicodeForm{"UTF-16LE", 0, 2};
  return std::nullopt;
}

// The XML declaration at the start of an ASCII-compatible document: [begin, end) of
// "<?xml ... ?>", or nullopt when the document has none.
std::optional<std::pair<size_t, size_t>> DeclarationSpan(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos || text.substr(begin, 5) != "<?xml") return std::nullopt;
  const size_t close = text.find("?>", begin);
  if (close == std::string_view::npos || close - begin > kMaxDeclarationBytes) return std::nullopt;
  return std::make_pair(begin, close + 2);
}

// The declaration's encoding="..." value as pugixml reads it, "" when there is none.
std::string DeclaredEncoding(std::string_view text) {
  const auto span = DeclarationSpan(text);
  if (!span) return "";
  // A root element after the declaration, so pugixml has a whole document to read.
  std::string probe(text.substr(span->first, span->second - span->first));
  probe += "<x/>";
  pugi::xml_document doc;
  doc.load_buffer(probe.data(), probe.size(), pugi::parse_declaration, pugi::encoding_utf8);
  const pugi::xml_node declaration = doc.first_child();
  if (declaration.type() != pugi::node_declaration) return "";
  std::string value = declaration.attribute("encoding").value();
  const auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
  value.erase(value.begin(), std::find_if(value.begin(), value.end(), not_space));
  value.erase(std::find_if(value.rbegin(), value.rend(), not_space).base(), value.end());
  return value;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A name we hand to iconv_open: letters, digits and "-_.:" only, so a peer cannot ask for
// iconv's "//TRANSLIT" or "//IGNORE" behaviour, nor a path-like name.
bool PlausibleCharsetName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxEncodingNameChars &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' ||
                  c == '.' || c == ':';
         });
}

bool NamesUtf8(std::string_view upper) { return upper == "UTF-8" || upper == "UTF8"; }

// UTF-16/32 and UCS-2/4 cannot describe a document whose declaration reads as ASCII.
bool NamesWideForm(std::string_view upper) {
  for (std::string_view prefix : {"UTF-16"sv, "UTF16"sv, "UTF-32"sv, "UTF32"sv, "UCS-2"sv, "UCS2"sv,
                                  "UCS-4"sv, "UCS4"sv, "UNICODE"sv}) {
    if (upper.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

bool IconvKnows(const std::string& charset) { return ConvertToUtf8("", charset).has_value(); }

// The declaration in `text` (already UTF-8) says encoding="UTF-8" afterwards.
void DeclareUtf8(std::string& text, std::string_view declared) {
  const auto span = DeclarationSpan(text);
  if (!span || declared.empty()) return;
  const std::string_view declaration = std::string_view(text).substr(span->first, span->second - span->first);
  const size_t attribute = declaration.find("encoding");
  if (attribute == std::string_view::npos) return;
  const size_t value = declaration.find(declared, attribute);
  if (value == std::string_view::npos) return;
  text.replace(span->first + value, declared.size(), kUtf8);
}

}  // namespace

DecodedXml DecodeXmlToUtf8(std::string_view raw, std::string_view charset) {
  DecodedXml out;
  std::string_view body = raw;
  size_t unit_bytes = 1;
  if (const std::optional<UnicodeForm> form = DetectUnicodeForm(raw)) {
    out.encoding = std::string(form->iconv_name);
    body.remove_prefix(form->bom_bytes);
    unit_bytes = form->unit_bytes;
  } else {
    out.declared = charset.empty() ? DeclaredEncoding(raw) : std::string(charset);
    const std::string upper = Upper(out.declared);
    if (out.declared.empty() || NamesUtf8(upper) || NamesWideForm(upper)) {
      out.encoding = std::string(kUtf8);
    } else if (PlausibleCharsetName(out.declared) && IconvKnows(out.declared)) {
      out.encoding = upper;
    } else {
      out.encoding = std::string(kUtf8);
      out.encoding_known = false;
    }
  }
  std::optional<Utf8Conversion> converted = ConvertToUtf8(body, out.encoding, unit_bytes);
  if (converted) {
    out.text = std::move(converted->text);
    out.replaced = converted->replaced;
  } else {  // glibc without its gconv modules (UTF-8 is built in)
    out.encoding = std::string(kUtf8);
    out.text = ValidUtf8(body, &out.replaced);
  }
  const std::string declared_in_text = DeclaredEncoding(out.text);
  if (!declared_in_text.empty() && Upper(declared_in_text) != kUtf8) {
    DeclareUtf8(out.text, declared_in_text);
  }
  return out;
}

}  // namespace kronika::sdp
