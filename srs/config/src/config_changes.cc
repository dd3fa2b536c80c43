#include "kronika/srs/config/config_changes.h"

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <toml++/toml.h>
#include <utility>

namespace kronika::srs {
namespace {

// "section.key" -> value, in FormatConfig's order. Read back with toml++ rather than by
// lines: FormatConfig writes arrays and strings that a line split would get wrong.
std::vector<std::pair<std::string, std::string>> Settings(const Config& config) {
  std::vector<std::pair<std::string, std::string>> out;
  toml::table root;
  try {
    root = toml::parse(FormatConfig(config));
  } catch (const toml::parse_error&) {
    return out;  // FormatConfig's output always parses (config.h); nothing to compare otherwise
  }
  std::vector<std::pair<uint32_t, size_t>> by_line;  // toml++ keeps keys sorted: restore the file's order
  auto add_table = [&](const std::string& prefix, const toml::table& table) {
    for (const auto& [key, value] : table) {
      std::ostringstream text;
      value.visit([&text](const auto& v) { text << v; });
      by_line.emplace_back(value.source().begin.line, out.size());
      out.emplace_back(prefix + "." + std::string(key.str()), text.str());
    }
  };
  for (const auto& [section, node] : root) {
    if (const toml::table* table = node.as_table()) {
      add_table(std::string(section.str()), *table);
    } else if (const toml::array* entries = node.as_array()) {  // [[webhooks]]: "webhooks[0].url"
      for (size_t i = 0; i < entries->size(); ++i) {
        if (const toml::table* entry = entries->get(i)->as_table()) {
          add_table(std::string(section.str()) + "[" + std::to_string(i) + "]", *entry);
        }
      }
    }
  }
  std::sort(by_line.begin(), by_line.end());
  std::vector<std::pair<std::string, std::string>> ordered;
  for (const auto& [line, index] : by_line) ordered.push_back(std::move(out[index]));
  return ordered;
}

}  // namespace

std::vector<ConfigChange> ChangedSettings(const Config& before, const Config& after) {
  const auto old_settings = Settings(before);
  const auto new_settings = Settings(after);
  std::vector<ConfigChange> changes;
  auto value_in = [](const auto& settings, const std::string& key) -> const std::string* {
    for (const auto& [k, v] : settings) {
      if (k == key) return &v;
    }
    return nullptr;
  };
  for (const auto& [key, value] : new_settings) {
    const std::string* old_value = value_in(old_settings, key);
    if (old_value == nullptr || *old_value != value) changes.push_back({key, old_value ? *old_value : "", value});
  }
  for (const auto& [key, value] : old_settings) {
    if (value_in(new_settings, key) == nullptr) changes.push_back({key, value, ""});
  }
  return changes;
}

// Not sip.tls_cert_dir: sofia-sip reads agent.pem into its TLS contexts when the transport
// is created and offers no call to replace them under a running stack; the SIP thread owns
// that stack, so changing it from the reload thread is unsafe. A restart takes it.
bool ReloadableSetting(std::string_view key) {
  return key == "log.level" || key == "policy.site_files" || key == "http.tls_cert" || key == "http.tls_key";
}

}  // namespace kronika::srs
