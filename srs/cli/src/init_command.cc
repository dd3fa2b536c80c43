// kronika init (see init_command.h).
#include "kronika/srs/cli/init_command.h"

#include <cstdio>
#include <iostream>

#include "cli_common.h"
#include "kronika/srs/access/access_db.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/store/data_dir_lock.h"
#include "kronika/srs/store/database.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {
namespace {

int Fail(const std::string& message, int code = kExitFailed) {
  std::fprintf(stderr, "kronika init: %s\n", message.c_str());
  return code;
}

}  // namespace

int RunInitCommand(int argc, char** argv) {
  CLI::App app{
      "Create the databases of a new data directory (storage.data_dir of the configuration,\n"
      "or --data-dir), as 'kronika serve' does at its first start. Does nothing to a data\n"
      "directory that already has them.",
      "kronika init"};
  DataOptions data;
  AddDataOptions(app, data);
  if (std::optional<int> exit = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *exit;
  Result<FoundConfig> found = LoadToolConfig(data);
  if (!found.ok()) return Fail(found.error().message, kExitUsage);
  const Config& config = found->config;
  const std::filesystem::path data_dir = config.storage.data_dir;
  const bool existed = RequireDatabase(*found).ok();
  std::error_code ec;
  std::filesystem::create_directories(config.RecordingsDir(), ec);
  if (!ec) std::filesystem::create_directories(config.DatabaseDir(), ec);
  if (ec) return Fail("cannot create " + config.storage.data_dir + ": " + ec.message());
  // As `kronika serve` does it (daemon.cc): the directory's lock (a running daemon or another
  // command is named, issue 15 item 1), then one LMDB environment for every table.
  Result<std::shared_ptr<DataDirLock>> lock = DataDirLock::Acquire(data_dir, "kronika init");
  if (!lock.ok()) return Fail(lock.error().message);
  DatabaseOptions db_options;
  db_options.map_size_bytes = static_cast<uint64_t>(config.storage.lmdb_map_size_mb) << 20;
  Result<std::shared_ptr<Database>> db = Database::Open(StoreDir(data_dir), db_options);
  if (!db.ok()) return Fail(db.error().message);
  Result<std::unique_ptr<Store>> store = Store::Open(*db, StoreOptions{});
  if (!store.ok()) return Fail(store.error().message);
  Result<std::unique_ptr<AccessDb>> access = AccessDb::Open(*db, data_dir);
  if (!access.ok()) return Fail(access.error().message);
  Result<std::unique_ptr<RulesDb>> rules = RulesDb::Open(*db, data_dir);
  if (!rules.ok()) return Fail(rules.error().message);
  const std::filesystem::path shown = std::filesystem::absolute(data_dir, ec).lexically_normal();
  std::printf("%s %s (configuration: %s)\n", existed ? "data directory already initialised:" : "initialised",
              shown.c_str(), found->Describe().c_str());
  return kExitOk;
}

}  // namespace kronika::srs
