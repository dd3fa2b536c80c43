#include "kronika/sdp/metadata_clues.h"

#include <pugixml.hpp>

#include "metadata_xml.h"

namespace kronika::sdp {

Result<std::vector<MetadataClue>> FindMetadataClues(std::string_view metadata_xml,
                                                    const std::vector<std::string>& element_names,
                                                    std::string_view attribute_name,
                                                    std::string_view value_attribute) {
  pugi::xml_document doc;
  if (Status loaded = metadata_xml::LoadDocument(doc, metadata_xml); !loaded.ok()) return loaded.error();
  std::vector<MetadataClue> clues;
  struct Walker : pugi::xml_tree_walker {
    const std::vector<std::string>* names;
    std::string_view attribute;
    std::string_view value_attribute;
    std::vector<MetadataClue>* out;
    bool for_each(pugi::xml_node& node) override {
      if (node.type() != pugi::node_element) return true;
      for (const std::string& name : *names) {
        if (!metadata_xml::NameIs(node, name)) continue;
        std::string value = metadata_xml::AttributeOf(node, {value_attribute});
        if (value.empty()) value = metadata_xml::TrimmedText(node);
        out->push_back({name, std::move(value)});
        break;
      }
      if (!attribute.empty()) {
        for (const pugi::xml_attribute& a : node.attributes()) {
          const std::string_view local = metadata_xml::LocalName(a.name());
          if (local == attribute && std::string_view(a.name()).rfind("xmlns", 0) != 0) {
            out->push_back({std::string(attribute), a.value()});
          }
        }
      }
      return true;
    }
  } walker;
  walker.names = &element_names;
  walker.attribute = attribute_name;
  walker.value_attribute = value_attribute;
  walker.out = &clues;
  doc.traverse(walker);
  return clues;
}

}  // namespace kronika::sdp
