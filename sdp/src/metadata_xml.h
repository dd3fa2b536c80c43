// Small pugixml helpers for the tolerant RFC 7865 parser: prefix-free, case-insensitive
// element names and verbatim serialization. Private to kronika_sdp.
#pragma once

#include <pugixml.hpp>
#include <string>
#include <string_view>

namespace kronika::sdp::metadata_xml {

// "tns:participant" -> "participant".
std::string_view LocalName(const char* qualified_name);

// Local name equals `name`, ignoring ASCII case ("dataMode" == "datamode").
bool NameIs(const pugi::xml_node& node, std::string_view name);

// Value of the first attribute whose local name is one of `names` (in that order of
// preference), trimmed; "" when none.
std::string AttributeOf(const pugi::xml_node& node, std::initializer_list<std::string_view> names);

// The first text (PCDATA/CDATA) child of `node`, trimmed of surrounding whitespace.
std::string TrimmedText(const pugi::xml_node& node);

// Text with every whitespace character removed: sipSessionID values are wrapped over
// lines in RFC 8068 ("ab30...;\n   remote=4775...").
std::string TextWithoutWhitespace(const pugi::xml_node& node);

// The element and its subtree as XML text (no indentation). Namespace prefixes declared
// on ancestors are re-declared on the serialized element so the text stands alone.
std::string Serialize(const pugi::xml_node& node);

std::string Trim(std::string_view text);

}  // namespace kronika::sdp::metadata_xml
