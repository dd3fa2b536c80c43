// What differs between two configurations, setting by setting: the SIGHUP reload says which
// changes it applied and which wait for a restart (docs/operations.md, "Reloading the
// configuration"). Pure, any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kronika/srs/config/config.h"

namespace kronika::srs {

struct ConfigChange {
  std::string key;     // "section.key" as in kronika.toml, e.g. "log.level"
  std::string before;  // the value as TOML writes it; "" when the setting was absent
  std::string after;
};

// Every setting whose value differs, in kronika.toml's order (FormatConfig's).
std::vector<ConfigChange> ChangedSettings(const Config& before, const Config& after);

// The settings a running daemon takes over on SIGHUP; every other change needs a restart.
bool ReloadableSetting(std::string_view key);

}  // namespace kronika::srs
