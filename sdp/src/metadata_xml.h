// Small pugixml helpers for the tolerant RFC 7865 parser: prefix-free, case-insensitive
// element names and verbatim serialization. Private to kronika_sdp.
#pragma once

#include <pugixml.hpp>
#include <string>
#include <string_view>

#include "kronika/result.h"
#include "kronika/sdp/metadata_document.h"

namespace kronika::sdp::metadata_xml {

// Checks `raw` against kMaxMetadataBytes (metadata_parser.h), decodes it to UTF-8
// (xml_encoding.h) and loads it into `doc` (LoadUtf8Document). For callers that only need
// the tree (FindMetadataClues); ReadMetadataDocument does the steps itself to keep the
// UTF-8 text.
// Failure:
//   kTooLarge "metadata: 70000 bytes, over the 65536-byte limit"
//   as LoadUtf8Document
Status LoadDocument(pugi::xml_document& doc, std::string_view raw);

// kTooLarge "metadata: 70000 bytes, over the 65536-byte limit" when `raw` is over the bound.
Status CheckSize(std::string_view raw);

// Parses `utf8` into `doc` (pugixml's default flags: comments and processing instructions
// skipped, entities expanded) and checks kMaxMetadataDepth. pugixml's parser does not
// recurse; the depth is measured without recursion too, before any caller walks the tree.
// Failure (`defect`, when given, says which):
//   kInvalidInput "metadata: XML parse error at offset 12: Error description" (kXmlError)
//   kInvalidInput "metadata: elements nested deeper than 64 levels" (kTooDeep)
Status LoadUtf8Document(pugi::xml_document& doc, std::string_view utf8,
                        MetadataDefect* defect = nullptr);

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
