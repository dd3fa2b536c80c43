// Shared plumbing of the rules commands (rules_commands.h): arguments, data directory,
// site files, time formatting. Private to srs/cli.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "kronika/policy/data_subject.h"
#include "kronika/result.h"
#include "kronika/srs/config/site_config.h"
#include "kronika/srs/rules/deletion_requests.h"
#include "kronika/srs/rules/deletions.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {

struct CliArgs {
  std::vector<std::string> positional;
  std::multimap<std::string, std::string> values;
  std::set<std::string> flags;
  std::optional<std::string> Get(const std::string& key) const;
  std::vector<std::string> All(const std::string& key) const;
  bool Has(const std::string& flag) const { return flags.count(flag) != 0; }
};

// `--key value` for keys in `valued`, `--flag` for keys in `flags`; other dashes: error.
Result<CliArgs> ParseCliArgs(int argc, char** argv, int first, const std::set<std::string>& valued,
                             const std::set<std::string>& flags);

struct RulesCliContext {
  std::filesystem::path data_dir;
  SitePolicies sites;
  std::string site_name;  // config site.name
  bool overwrite = true;
};
// From --config FILE or --data-dir DIR + --site FILE...
Result<RulesCliContext> OpenRulesContext(const CliArgs& args);

Result<std::unique_ptr<Store>> OpenStore(const RulesCliContext& ctx, bool read_write);

// What every policy command starts with: its options parsed, the context and the policy db
// opened, and the site named by the config's site.name (nullptr when none).
struct RulesCommand {
  CliArgs args;
  RulesCliContext ctx;
  std::unique_ptr<RulesDb> db;
  const policy::SitePolicy* site = nullptr;
};
// `valued`/`flags` are the command's options; --help is always accepted. Prints the usage
// on --help or when the positional count is outside [min, max], and "kronika NAME: why"
// on failure. Returns the command, or the exit code to return: 0 after --help, 2 usage,
// 1 context or db failure.
std::variant<RulesCommand, int> StartRulesCommand(const char* name, const char* usage, int argc, char** argv,
                                                    const std::set<std::string>& valued,
                                                    const std::set<std::string>& flags, size_t min_positional,
                                                    size_t max_positional);

int64_t NowMsUtc();
// "2026-11-25T10:00:00Z (2026-11-25 11:00:00 CET)" with the site's zone when known.
std::string FormatBoth(int64_t ms_utc, const policy::SitePolicy* site);

}  // namespace kronika::srs
