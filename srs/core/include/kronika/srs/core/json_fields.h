// Typed reads of a JSON object's fields that never throw: what decoders of JSON written
// by an older build (the rules and access tables before their binary codecs, the
// listening register's lines) use instead of nlohmann's value()/get(), which throw on a
// field of the wrong type and would end the thread that read the row.
//
// Each Read* returns false when the field is present with another type (the row is then
// refused by its decoder); an absent or null field leaves `out` at the caller's default
// and returns true, as the old readers' value(key, default) did.
// Pure functions, any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace kronika::srs {

// The JSON object in `text`; a discarded value (is_discarded()) when it does not parse
// or is not an object.
nlohmann::json ParseJsonObject(std::string_view text);

bool ReadString(const nlohmann::json& object, const char* key, std::string& out);
bool ReadInt(const nlohmann::json& object, const char* key, int64_t& out);
bool ReadUint(const nlohmann::json& object, const char* key, uint64_t& out);
bool ReadBool(const nlohmann::json& object, const char* key, bool& out);
// An object or array field (absent or null: `out` untouched). False for another type.
bool ReadObject(const nlohmann::json& object, const char* key, nlohmann::json& out);
bool ReadArray(const nlohmann::json& object, const char* key, nlohmann::json& out);

}  // namespace kronika::srs
