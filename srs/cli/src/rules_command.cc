#include "rules_command.h"

#include <chrono>
#include <cstdio>

#include "kronika/srs/config/config.h"
#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {

std::optional<std::string> CliArgs::Get(const std::string& key) const {
  auto it = values.find(key);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> CliArgs::All(const std::string& key) const {
  std::vector<std::string> out;
  auto [b, e] = values.equal_range(key);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

Result<CliArgs> ParseCliArgs(int argc, char** argv, int first, const std::set<std::string>& valued,
                             const std::set<std::string>& flags) {
  CliArgs args;
  for (int i = first; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.size() > 2 && a.rfind("--", 0) == 0) {
      const std::string key = a.substr(2);
      if (flags.count(key) != 0) {
        args.flags.insert(key);
      } else if (valued.count(key) != 0) {
        if (i + 1 >= argc) return MakeError(400, a + ": a value is required");
        args.values.emplace(key, argv[++i]);
      } else {
        return MakeError(400, "unknown option " + a);
      }
    } else {
      args.positional.push_back(a);
    }
  }
  return args;
}

Result<RulesCliContext> OpenRulesContext(const CliArgs& args) {
  RulesCliContext ctx;
  std::vector<std::string> site_files = args.All("site");
  if (auto file = args.Get("config")) {
    Result<Config> config = LoadConfigFile(*file);
    if (!config.ok()) return config.error();
    ctx.data_dir = config->storage.data_dir;
    ctx.site_name = config->site.name;
    ctx.overwrite = config->policy.overwrite_on_delete;
    if (site_files.empty()) site_files = config->policy.site_files;
  } else {
    ctx.data_dir = args.Get("data-dir").value_or(Config{}.storage.data_dir);
  }
  Result<SitePolicies> sites = SitePolicies::Load(site_files);
  if (!sites.ok()) return sites.error();
  ctx.sites = std::move(*sites);
  return ctx;
}

Result<std::unique_ptr<Store>> OpenStore(const RulesCliContext& ctx, bool read_write) {
  StoreOptions options;
  options.read_only = !read_write;
  return Store::Open(StoreDir(ctx.data_dir), options);
}

int64_t NowMsUtc() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatBoth(int64_t ms_utc, const policy::SitePolicy* site) {
  std::string out = FormatUtcTime(ms_utc);
  if (site != nullptr) out += " (" + site->zone.FormatHuman(ms_utc) + ")";
  return out;
}

std::variant<RulesCommand, int> StartRulesCommand(const char* name, const char* usage, int argc, char** argv,
                                                    const std::set<std::string>& valued,
                                                    const std::set<std::string>& flags, size_t min_positional,
                                                    size_t max_positional) {
  std::set<std::string> all_flags = flags;
  all_flags.insert("help");
  Result<CliArgs> args = ParseCliArgs(argc, argv, 1, valued, all_flags);
  if (!args.ok()) {
    std::fprintf(stderr, "kronika %s: %s\n%s", name, args.error().message.c_str(), usage);
    return 2;
  }
  const size_t n = args->positional.size();
  if (args->Has("help") || n < min_positional || n > max_positional) {
    std::fputs(usage, args->Has("help") ? stdout : stderr);
    return args->Has("help") ? 0 : 2;
  }
  Result<RulesCliContext> ctx = OpenRulesContext(*args);
  if (!ctx.ok()) {
    std::fprintf(stderr, "kronika %s: %s\n", name, ctx.error().message.c_str());
    return 1;
  }
  Result<std::unique_ptr<RulesDb>> db = RulesDb::Open(ctx->data_dir);
  if (!db.ok()) {
    std::fprintf(stderr, "kronika %s: %s\n", name, db.error().message.c_str());
    return 1;
  }
  std::variant<RulesCommand, int> started =
      RulesCommand{std::move(*args), std::move(*ctx), std::move(*db), nullptr};
  RulesCommand& command = std::get<RulesCommand>(started);
  command.site = command.ctx.sites.ForRecording(command.ctx.site_name);  // points into `started`
  return started;
}

}  // namespace kronika::srs
