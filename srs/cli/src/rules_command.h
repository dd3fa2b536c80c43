// Shared plumbing of the rules commands (rules_commands.h): the data directory and site
// files, the rules db, time formatting. Private to srs/cli.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli_common.h"
#include "kronika/policy/data_subject.h"
#include "kronika/result.h"
#include "kronika/srs/admin/data_dir_access.h"
#include "kronika/srs/config/site_config.h"
#include "kronika/srs/rules/deletion_requests.h"
#include "kronika/srs/rules/deletions.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {

// --config / --data-dir, and --site FILE (repeatable) over policy.site_files; on the
// command and each of its subcommands (define those first).
struct RulesOptions {
  DataOptions data;
  std::vector<std::string> site_files;
};
void AddRulesOptions(CLI::App& app, RulesOptions& options);

struct RulesCliContext {
  std::filesystem::path data_dir;
  SitePolicies sites;
  std::string site_name;  // config site.name
  bool overwrite = true;
  std::string event_node;  // config events.node ("" = the host name)
};

// The data directory of `ctx` for a command (data_dir_access.h): read-only, or - when
// `writes` - through the daemon that owns it, else owned by this command.
Result<std::unique_ptr<DataDirAccess>> OpenDataDir(const RulesCliContext& ctx, const char* command, bool writes);

// What every rules command works with once its command line is read: the configuration
// found, its data directory checked (RequireDatabase), the site files loaded and the data
// directory opened (data_dir_access.h: for writing - through the daemon when it runs - when
// the subcommand changes state).
struct RulesCommand {
  RulesCliContext ctx;
  std::unique_ptr<DataDirAccess> data;
  RulesDb* db = nullptr;  // data's
  // The site named by the config's site.name, else the first site file; nullptr when none.
  const policy::SitePolicy* site() const { return ctx.sites.ForRecording(ctx.site_name); }
};
// `name` ("hold") is written in the data directory's lock while this command owns it.
// Errors name the file or directory; "kronika NAME: why" is for the caller to print.
Result<RulesCommand> OpenRulesCommand(const RulesOptions& options, const char* name, bool writes);

// "2026-11-25T10:00:00Z (2026-11-25 11:00:00 CET)" with the site's zone when known.
std::string FormatBoth(int64_t ms_utc, const policy::SitePolicy* site);

}  // namespace kronika::srs
