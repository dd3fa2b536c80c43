// TOML reading/writing of Config (toml++), driven by one table of fields so that parsing,
// unknown-key detection and --check-config output can never disagree.
#include "kronika/srs/config/config.h"

#include <toml++/toml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <variant>

#include "config_fields.h"

namespace kronika::srs {
namespace {

Error ConfigError(std::string message) { return Error{ErrorCode::kInvalidInput, "config: " + std::move(message)}; }

std::string TypeName(FieldType type) {
  switch (type) {
    case FieldType::kString: return "a string";
    case FieldType::kInt: return "an integer";
    case FieldType::kBool: return "true or false";
    case FieldType::kStringList: return "an array of strings";
    case FieldType::kStringMap: return "a table of strings";
    case FieldType::kStringListMap: return "a table of string arrays";
  }
  return "?";
}

// Stores one TOML node into the field; error text names the option.
Status SetField(const ConfigField& field, const toml::node& node, Config& config) {
  const std::string name = field.Name();
  void* target = field.target(config);
  switch (field.type) {
    case FieldType::kString:
      if (auto v = node.value_exact<std::string>()) {
        *static_cast<std::string*>(target) = *v;
        return OkStatus();
      }
      break;
    case FieldType::kInt:
      if (auto v = node.value_exact<int64_t>()) {
        if (*v < INT32_MIN || *v > INT32_MAX) {
          return ConfigError(name + ": " + std::to_string(*v) + " out of range");
        }
        *static_cast<int*>(target) = static_cast<int>(*v);
        return OkStatus();
      }
      break;
    case FieldType::kBool:
      if (auto v = node.value_exact<bool>()) {
        *static_cast<bool*>(target) = *v;
        return OkStatus();
      }
      break;
    case FieldType::kStringList:
      if (const toml::array* array = node.as_array()) {
        std::vector<std::string> values;
        for (const toml::node& element : *array) {
          auto v = element.value_exact<std::string>();
          if (!v) return ConfigError(name + ": expected " + TypeName(field.type));
          values.push_back(*v);
        }
        *static_cast<std::vector<std::string>*>(target) = std::move(values);
        return OkStatus();
      }
      break;
    case FieldType::kStringMap:
      if (const toml::table* table = node.as_table()) {
        std::map<std::string, std::string> values;
        for (const auto& [key, element] : *table) {
          auto v = element.value_exact<std::string>();
          if (!v) return ConfigError(name + "." + std::string(key.str()) + ": expected a string");
          values[std::string(key.str())] = *v;
        }
        *static_cast<std::map<std::string, std::string>*>(target) = std::move(values);
        return OkStatus();
      }
      break;
    case FieldType::kStringListMap:
      if (const toml::table* table = node.as_table()) {
        std::map<std::string, std::vector<std::string>> values;
        for (const auto& [key, element] : *table) {
          const toml::array* array = element.as_array();
          if (array == nullptr) return ConfigError(name + "." + std::string(key.str()) + ": expected an array of strings");
          std::vector<std::string>& list = values[std::string(key.str())];
          for (const toml::node& item : *array) {
            auto v = item.value_exact<std::string>();
            if (!v) return ConfigError(name + "." + std::string(key.str()) + ": expected an array of strings");
            list.push_back(*v);
          }
        }
        *static_cast<std::map<std::string, std::vector<std::string>>*>(target) = std::move(values);
        return OkStatus();
      }
      break;
  }
  return ConfigError(name + ": expected " + TypeName(field.type));
}

std::string FormatValue(const ConfigField& field, const Config& config) {
  const void* source = field.target(const_cast<Config&>(config));
  std::ostringstream out;
  switch (field.type) {
    case FieldType::kString:
      out << toml::toml_formatter{toml::value<std::string>(*static_cast<const std::string*>(source)),
                                  toml::format_flags::none};
      break;
    case FieldType::kInt:
      out << *static_cast<const int*>(source);
      break;
    case FieldType::kBool:
      out << (*static_cast<const bool*>(source) ? "true" : "false");
      break;
    case FieldType::kStringList: {
      toml::array array;
      for (const std::string& s : *static_cast<const std::vector<std::string>*>(source)) {
        array.push_back(s);
      }
      out << toml::toml_formatter{array, toml::format_flags::none};
      break;
    }
    case FieldType::kStringMap:
    case FieldType::kStringListMap: {
      // An inline table; keys quoted (group DNs hold '=' and ',').
      toml::table table;
      if (field.type == FieldType::kStringMap) {
        for (const auto& [k, v] : *static_cast<const std::map<std::string, std::string>*>(source)) table.insert(k, v);
      } else {
        for (const auto& [k, v] : *static_cast<const std::map<std::string, std::vector<std::string>>*>(source)) {
          toml::array array;
          for (const std::string& s : v) array.push_back(s);
          table.insert(k, std::move(array));
        }
      }
      table.is_inline(true);
      out << toml::toml_formatter{table, toml::format_flags::none};
      break;
    }
  }
  return out.str();
}

// One [[webhooks]] table. Option names are "webhooks[<index>].<key>" (the name may be
// missing or wrong at this point; ValidateConfig names entries by their name).
Status ParseWebhook(const toml::table& table, size_t index, WebhookConfig& out) {
  const std::string prefix = "webhooks[" + std::to_string(index) + "].";
  for (const auto& [key_node, value_node] : table) {
    const toml::node& node = value_node;  // a named reference: clang 14 cannot capture a structured binding
    const std::string key(key_node.str());
    const std::string name = prefix + key;
    auto string_into = [&](std::string& target) -> Status {
      auto v = node.value_exact<std::string>();
      if (!v) return ConfigError(name + ": expected a string");
      target = *v;
      return OkStatus();
    };
    if (key == "name") {
      RETURN_IF_ERROR(string_into(out.name));
    } else if (key == "url") {
      RETURN_IF_ERROR(string_into(out.url));
    } else if (key == "secret") {
      RETURN_IF_ERROR(string_into(out.secret));
    } else if (key == "secret_file") {
      RETURN_IF_ERROR(string_into(out.secret_file));
    } else if (key == "max_age") {
      RETURN_IF_ERROR(string_into(out.max_age));
    } else if (key == "timeout") {
      RETURN_IF_ERROR(string_into(out.timeout));
    } else if (key == "ca_file") {
      RETURN_IF_ERROR(string_into(out.ca_file));
    } else if (key == "personal_data") {
      auto v = node.value_exact<bool>();
      if (!v) return ConfigError(name + ": expected true or false");
      out.personal_data = *v;
    } else if (key == "types") {
      const toml::array* array = node.as_array();
      if (array == nullptr) return ConfigError(name + ": expected an array of strings");
      out.types.clear();
      for (const toml::node& element : *array) {
        auto v = element.value_exact<std::string>();
        if (!v) return ConfigError(name + ": expected an array of strings");
        out.types.push_back(*v);
      }
    } else {
      return ConfigError(name + ": unknown option");
    }
  }
  return OkStatus();
}

Status ParseWebhooks(const toml::node& node, Config& config) {
  const toml::array* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    return ConfigError("webhooks: expected [[webhooks]] tables");
  }
  for (size_t i = 0; i < array->size(); ++i) {
    WebhookConfig webhook;
    RETURN_IF_ERROR(ParseWebhook(*array->get(i)->as_table(), i, webhook));
    config.webhooks.push_back(std::move(webhook));
  }
  return OkStatus();
}

std::string TomlString(const std::string& s) {
  std::ostringstream out;
  out << toml::toml_formatter{toml::value<std::string>(s), toml::format_flags::none};
  return out.str();
}

}  // namespace

std::string Config::RecordingsDir() const { return storage.data_dir + "/recordings"; }
std::string Config::DatabaseDir() const { return storage.data_dir + "/db"; }

Result<Config> ParseConfig(std::string_view toml_text, std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream message;
    message << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
            << e.description();
    return ConfigError(message.str());
  }
  Config config;
  for (const auto& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    if (section == "webhooks") {
      RETURN_IF_ERROR(ParseWebhooks(section_node, config));
      continue;
    }
    const toml::table* section_table = section_node.as_table();
    if (!KnownSection(section)) return ConfigError(section + ": unknown section");
    if (section_table == nullptr) return ConfigError(section + ": expected a [" + section + "] table");
    for (const auto& [key, node] : *section_table) {
      const ConfigField* field = FindField(section, key.str());
      if (field == nullptr) {
        return ConfigError(section + "." + std::string(key.str()) + ": unknown option");
      }
      if (Status s = SetField(*field, node, config); !s.ok()) return s.error();
    }
  }
  return config;
}

Result<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ConfigError(path + ": cannot read file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return ConfigError(path + ": read error");
  Result<Config> parsed = ParseConfig(text.str(), path);
  const std::string prefix = "config: " + path;
  if (!parsed.ok() && parsed.error().message.rfind(prefix, 0) != 0) {
    // Name the file in every error: which file was found matters as much as what is wrong.
    return ConfigError(path + ": " + parsed.error().message.substr(sizeof("config: ") - 1));
  }
  return parsed;
}

std::string FoundConfig::Describe() const {
  return source.empty() ? std::string("built-in defaults") : source;
}

Result<FoundConfig> FindConfig(const std::string& explicit_file, const char* env_value,
                               const std::filesystem::path& system_file) {
  std::string file = explicit_file;
  std::string origin;
  if (file.empty() && env_value != nullptr && *env_value != '\0') {
    file = env_value;
    origin = std::string("$") + kConfigEnv + " ";
  }
  if (file.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(system_file, ec)) {
      if (ec) return ConfigError(system_file.string() + ": " + ec.message());
      return FoundConfig{Config{}, ""};
    }
    file = system_file.string();
  }
  Result<Config> config = LoadConfigFile(file);
  if (!config.ok()) {
    if (origin.empty()) return config.error();
    return ConfigError(origin + "names " + config.error().message.substr(sizeof("config: ") - 1));
  }
  return FoundConfig{std::move(*config), file};
}

Result<FoundConfig> FindConfig(const std::string& explicit_file) {
  return FindConfig(explicit_file, std::getenv(kConfigEnv), kSystemConfigFile);
}

std::string FormatConfig(const Config& config) {
  std::string out;
  std::string section;
  for (const ConfigField& field : ConfigFields()) {
    if (field.section != section) {
      section = field.section;
      if (!out.empty()) out += "\n";
      out += "[" + section + "]\n";
    }
    out += std::string(field.key) + " = " + FormatValue(field, config) + "\n";
  }
  for (const WebhookConfig& w : config.webhooks) {
    toml::array types;
    for (const std::string& t : w.types) types.push_back(t);
    std::ostringstream types_text;
    types_text << toml::toml_formatter{types, toml::format_flags::none};
    out += "\n[[webhooks]]\n";
    out += "name = " + TomlString(w.name) + "\n";
    out += "url = " + TomlString(w.url) + "\n";
    out += "types = " + types_text.str() + "\n";
    // The secret itself is never printed (--check-config output lands in tickets and logs).
    if (!w.secret.empty()) out += "secret = " + TomlString(kRedactedSecret) + "\n";
    if (!w.secret_file.empty()) out += "secret_file = " + TomlString(w.secret_file) + "\n";
    out += std::string("personal_data = ") + (w.personal_data ? "true" : "false") + "\n";
    out += "max_age = " + TomlString(w.max_age) + "\n";
    out += "timeout = " + TomlString(w.timeout) + "\n";
    if (!w.ca_file.empty()) out += "ca_file = " + TomlString(w.ca_file) + "\n";
  }
  return out;
}

}  // namespace kronika::srs
