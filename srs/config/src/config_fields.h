// The table of every configuration option: section, key, type and where it lives in
// Config. One table drives parsing, unknown-key errors and FormatConfig().
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "kronika/srs/config/config.h"

namespace kronika::srs {

enum class FieldType {
  kString,
  kInt,
  kBool,
  kStringList,
  kStringMap,      // a table of strings: std::map<std::string, std::string>
  kStringListMap,  // a table of string arrays: std::map<std::string, std::vector<std::string>>
};

struct ConfigField {
  const char* section;
  const char* key;
  FieldType type;
  void* (*target)(Config&);  // the member, of the type `type` names
  std::string Name() const { return std::string(section) + "." + key; }
};

// In documentation / file order.
std::span<const ConfigField> ConfigFields();
const ConfigField* FindField(std::string_view section, std::string_view key);
bool KnownSection(std::string_view section);

}  // namespace kronika::srs
