#include "metadata_xml.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "kronika/sdp/metadata_parser.h"
#include "xml_encoding.h"

namespace kronika::sdp::metadata_xml {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view PrefixOf(const char* qualified_name) {
  std::string_view name(qualified_name);
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? std::string_view() : name.substr(0, colon);
}

// Prefixes used by element and attribute names in the subtree (not "xml"/"xmlns").
void CollectPrefixes(const pugi::xml_node& node, std::set<std::string>& used,
                     std::set<std::string>& declared) {
  if (node.type() != pugi::node_element) return;
  used.insert(std::string(PrefixOf(node.name())));
  for (const pugi::xml_attribute& a : node.attributes()) {
    std::string_view name(a.name());
    if (name.substr(0, 6) == "xmlns:") {
      declared.insert(std::string(name.substr(6)));
    } else {
      used.insert(std::string(PrefixOf(a.name())));
    }
  }
  for (const pugi::xml_node& child : node.children()) CollectPrefixes(child, used, declared);
}

struct StringWriter : pugi::xml_writer {
  std::string out;
  void write(const void* data, size_t size) override {
    out.append(static_cast<const char*>(data), size);
  }
};

// Deepest element nesting under `root`, counted without recursion; stops counting once
// `limit` is exceeded.
int ElementDepth(const pugi::xml_node& root, int limit) {
  int depth = 0;
  int deepest = 0;
  pugi::xml_node node = root.first_child();
  if (node) depth = 1;
  while (node && deepest <= limit) {
    if (node.type() == pugi::node_element) deepest = std::max(deepest, depth);
    if (pugi::xml_node child = node.first_child()) {
      node = child;
      ++depth;
      continue;
    }
    while (node && !node.next_sibling()) {
      node = node.parent();
      --depth;
      if (node == root) return deepest;
    }
    if (node) node = node.next_sibling();
  }
  return deepest;
}

}  // namespace

Status CheckSize(std::string_view raw) {
  if (raw.size() > kMaxMetadataBytes) {
    return MakeError(ErrorCode::kTooLarge, "metadata: " + std::to_string(raw.size()) +
                                               " bytes, over the " +
                                               std::to_string(kMaxMetadataBytes) + "-byte limit");
  }
  return OkStatus();
}

Status LoadUtf8Document(pugi::xml_document& doc, std::string_view utf8, MetadataDefect* defect) {
  const pugi::xml_parse_result parsed =
      doc.load_buffer(utf8.data(), utf8.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    if (defect != nullptr) *defect = MetadataDefect::kXmlError;
    return MakeError(ErrorCode::kInvalidInput, "metadata: XML parse error at offset " +
                                                   std::to_string(parsed.offset) + ": " +
                                                   parsed.description());
  }
  if (ElementDepth(doc, kMaxMetadataDepth) > kMaxMetadataDepth) {
    if (defect != nullptr) *defect = MetadataDefect::kTooDeep;
    return MakeError(ErrorCode::kInvalidInput, "metadata: elements nested deeper than " +
                                                   std::to_string(kMaxMetadataDepth) + " levels");
  }
  return OkStatus();
}

Status LoadDocument(pugi::xml_document& doc, std::string_view raw) {
  RETURN_IF_ERROR(CheckSize(raw));
  return LoadUtf8Document(doc, DecodeXmlToUtf8(raw).text);
}

std::string_view LocalName(const char* qualified_name) {
  std::string_view name(qualified_name);
  size_t colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

bool NameIs(const pugi::xml_node& node, std::string_view name) {
  std::string_view local = LocalName(node.name());
  if (local.size() != name.size()) return false;
  for (size_t i = 0; i < local.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(local[i])) !=
        std::tolower(static_cast<unsigned char>(name[i]))) {
      return false;
    }
  }
  return true;
}

std::string AttributeOf(const pugi::xml_node& node, std::initializer_list<std::string_view> names) {
  for (std::string_view wanted : names) {
    for (const pugi::xml_attribute& a : node.attributes()) {
      if (LocalName(a.name()) == wanted) return Trim(a.value());
    }
  }
  return "";
}

std::string Trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && IsSpace(text[begin])) ++begin;
  while (end > begin && IsSpace(text[end - 1])) --end;
  return std::string(text.substr(begin, end - begin));
}

std::string TrimmedText(const pugi::xml_node& node) { return Trim(node.text().get()); }

std::string TextWithoutWhitespace(const pugi::xml_node& node) {
  std::string out;
  for (char c : std::string(node.text().get())) {
    if (!IsSpace(c)) out.push_back(c);
  }
  return out;
}

std::string Serialize(const pugi::xml_node& node) {
  std::set<std::string> used;
  std::set<std::string> declared;
  CollectPrefixes(node, used, declared);
  used.erase("");
  used.erase("xml");
  used.erase("xmlns");

  pugi::xml_document copy;
  pugi::xml_node root = copy.append_copy(node);
  for (const std::string& prefix : used) {
    if (declared.count(prefix) != 0) continue;
    std::string attribute_name = "xmlns:" + prefix;
    for (pugi::xml_node up = node.parent(); up; up = up.parent()) {
      pugi::xml_attribute decl = up.attribute(attribute_name.c_str());
      if (decl) {
        root.append_attribute(attribute_name.c_str()).set_value(decl.value());
        break;
      }
    }
  }
  StringWriter writer;
  root.print(writer, "", pugi::format_raw);
  return writer.out;
}

}  // namespace kronika::sdp::metadata_xml
