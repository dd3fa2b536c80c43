#include "rules_command.h"

#include "kronika/srs/core/data_layout.h"
#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {

void AddRulesOptions(CLI::App& app, RulesOptions& options) {
  AddDataOptions(app, options.data);
  ForAppAndSubcommands(app, [&options](CLI::App& a) {
    a.add_option("--site", options.site_files,
                 "site policy file, repeatable (default: policy.site_files of the configuration)")
        ->type_name("FILE");
  });
}

Result<std::unique_ptr<DataDirAccess>> OpenDataDir(const RulesCliContext& ctx, const char* command, bool writes) {
  DataDirAccessOptions options;
  options.data_dir = ctx.data_dir;
  options.what = std::string("kronika ") + command;
  options.writes = writes;
  options.sites = ctx.sites;
  options.overwrite = ctx.overwrite;
  options.event_node = ctx.event_node;
  return DataDirAccess::Open(options);
}

Result<RulesCommand> OpenRulesCommand(const RulesOptions& options, const char* name, bool writes) {
  Result<FoundConfig> found = LoadExistingData(options.data);
  if (!found.ok()) return found.error();
  RulesCommand command;
  const Config& config = found->config;
  command.ctx.data_dir = config.storage.data_dir;
  command.ctx.site_name = config.site.name;
  command.ctx.overwrite = config.policy.overwrite_on_delete;
  command.ctx.event_node = config.events.node;
  Result<SitePolicies> sites =
      SitePolicies::Load(options.site_files.empty() ? config.policy.site_files : options.site_files);
  if (!sites.ok()) return sites.error();
  command.ctx.sites = std::move(*sites);
  Result<std::unique_ptr<DataDirAccess>> data = OpenDataDir(command.ctx, name, writes);
  if (!data.ok()) return data.error();
  command.data = std::move(*data);
  command.db = &command.data->rules();
  return command;
}

std::string FormatBoth(int64_t ms_utc, const policy::SitePolicy* site) {
  std::string out = FormatUtcTime(ms_utc);
  if (site != nullptr) out += " (" + site->zone.FormatHuman(ms_utc) + ")";
  return out;
}

}  // namespace kronika::srs
