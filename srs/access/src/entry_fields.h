// Reading fields of a register entry or request JSON for people's documents, where a missing
// or odd field prints as blank rather than failing the whole document (private to
// srs/access: the register's CSV and the protocols).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "kronika/srs/core/json_fields.h"
#include "kronika/srs/core/json_record.h"

namespace kronika::srs {

// A sub-object of `j`, or an empty object when absent or of another type.
inline nlohmann::json Sub(const nlohmann::json& j, const char* key) {
  nlohmann::json out = nlohmann::json::object();
  if (!ReadObject(j, key, out)) return nlohmann::json::object();
  return out;
}

// A field as text: a string as is, "" when absent or null, any other value as JSON.
inline std::string Text(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return "";
  if (j[key].is_string()) return j[key].get<std::string>();
  return DumpJson(j[key]);
}

}  // namespace kronika::srs
