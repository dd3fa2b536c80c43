// Non-throwing JSON field reads (see json_fields.h).
#include "kronika/srs/core/json_fields.h"

namespace kronika::srs {
namespace {

// The field, or nullptr when absent or null (or when `object` is not an object).
const nlohmann::json* Field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

nlohmann::json ParseJsonObject(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return nlohmann::json(nlohmann::json::value_t::discarded);
  return j;
}

bool ReadString(const nlohmann::json& object, const char* key, std::string& out) {
  const nlohmann::json* f = Field(object, key);
  if (f == nullptr) return true;
  if (!f->is_string()) return false;
  out = f->get_ref<const std::string&>();
  return true;
}

bool ReadInt(const nlohmann::json& object, const char* key, int64_t& out) {
  const nlohmann::json* f = Field(object, key);
  if (f == nullptr) return true;
  if (f->is_number_integer()) {
    if (f->is_number_unsigned() && f->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return false;
    out = f->get<int64_t>();
    return true;
  }
  return false;
}

bool ReadUint(const nlohmann::json& object, const char* key, uint64_t& out) {
  const nlohmann::json* f = Field(object, key);
  if (f == nullptr) return true;
  if (f->is_number_unsigned()) {
    out = f->get<uint64_t>();
    return true;
  }
  if (f->is_number_integer() && f->get<int64_t>() >= 0) {
    out = static_cast<uint64_t>(f->get<int64_t>());
    return true;
  }
  return false;
}

bool ReadBool(const nlohmann::json& object, const char* key, bool& out) {
  const nlohmann::json* f = Field(object, key);
  if (f == nullptr) return true;
  if (!f->is_boolean()) return false;
  out = f->get<bool>();
  return true;
}

bool ReadObject(const nlohmann::json& object, const char* key, nlohmann::json& out) {
  const nlohmann::json* f = Field(object, key);
  if (f == nullptr) return true;
  if (!f->is_object()) return false;
  out = *f;
  return true;
}

bool ReadArray(const nlohmann::json& object, const char* key, nlohmann::json& out) {
  const nlohmann::json* f = Field(object, key);
  if (f == nullptr) return true;
  if (!f->is_array()) return false;
  out = *f;
  return true;
}

}  // namespace kronika::srs
