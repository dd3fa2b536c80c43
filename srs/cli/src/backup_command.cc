// kronika backup / backup verify / restore (see backup_commands.h).
#include <cstdio>
#include <iostream>

#include "kronika/srs/admin/backup.h"
#include "kronika/srs/cli/backup_commands.h"
#include "cli_common.h"
#include "rules_command.h"

namespace kronika::srs {
namespace {

int Fail(const char* command, const std::string& message, int code = 1) {
  std::fprintf(stderr, "kronika %s: %s\n", command, message.c_str());
  return code;
}

void PrintVerification(const BackupVerification& v) {
  for (const std::string& p : v.problems) std::printf("FAILED %s\n", p.c_str());
}

}  // namespace

int RunBackupCommand(int argc, char** argv) {
  CLI::App app{
      "Online backup (issue 15). 'kronika backup DEST' writes a consistent copy of the data\n"
      "directory into DEST (new or empty): the database (every table, one snapshot), the\n"
      "listening register, finished recordings, the recordings' keys (wrapped by the master\n"
      "key; the master key itself is never copied: keep it apart), export packages and\n"
      "MANIFEST.sha256. The daemon may run. 'kronika backup verify DEST' checks every file\n"
      "against the manifest and the register against its checkpoint (exit 0 intact, 1 altered\n"
      "or incomplete).",
      "kronika backup"};
  DataOptions data;
  std::string dest, verify_dest;
  CLI::App* verify_cmd = app.add_subcommand("verify", "check a backup against its manifest");
  verify_cmd->add_option("DEST", verify_dest, "the backup directory")->required();
  app.add_option("DEST", dest, "where to write the backup (new or empty)");
  AddDataOptions(app, data);
  if (std::optional<int> exit = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *exit;
  const bool verify = verify_cmd->parsed();
  if (!verify && dest.empty()) return Fail("backup", "DEST is required (kronika backup --help)", kExitUsage);
  const std::vector<std::string> pos = {verify ? "verify" : dest, verify_dest};
  if (verify) {
    Result<BackupVerification> v = VerifyBackup(pos[1]);
    if (!v.ok()) return Fail("backup", v.error().message);
    PrintVerification(*v);
    if (!v->ok) {
      std::printf("backup ALTERED or incomplete: %zu problem(s)\n", v->problems.size());
      return 1;
    }
    std::printf("backup intact: %llu files match MANIFEST.sha256; register %llu entries, as its checkpoint records\n"
                "taken %s from %s\n",
                static_cast<unsigned long long>(v->summary.files), static_cast<unsigned long long>(v->register_entries),
                FormatBoth(v->summary.created_ms_utc, nullptr).c_str(), v->summary.source.c_str());
    return 0;
  }
  Result<FoundConfig> found = LoadExistingData(data);
  if (!found.ok()) return Fail("backup", found.error().message, OpenFailureExit(found.error()));
  const RulesCliContext context{found->config.storage.data_dir, {}, found->config.site.name, true,
                                found->config.events.node};
  const RulesCliContext* ctx = &context;
  Result<BackupSummary> s = MakeBackup(ctx->data_dir, pos[0], NowMsUtc());
  if (!s.ok()) return Fail("backup", s.error().message);
  std::printf("backup of %s written to %s: %llu files, %llu recordings, %llu recording keys, register %llu entries "
              "(head %s)\n"
              "the master key is not in it: keep a copy of it apart. Check the backup with: kronika backup verify %s\n",
              ctx->data_dir.c_str(), pos[0].c_str(), static_cast<unsigned long long>(s->files),
              static_cast<unsigned long long>(s->recordings), static_cast<unsigned long long>(s->keys),
              static_cast<unsigned long long>(s->checkpoint.entries), s->checkpoint.head_hash.c_str(),
              pos[0].c_str());
  return 0;
}

int RunRestoreCommand(int argc, char** argv) {
  CLI::App app{
      "Restores the backup DEST into the data directory (storage.data_dir of the configuration,\n"
      "or --data-dir), which must be empty (or absent) and not in use. The backup is verified\n"
      "first. Recordings that were in progress when the backup was taken are marked\n"
      "interrupted. Start the daemon afterwards.",
      "kronika restore"};
  DataOptions data;
  std::string dest;
  app.add_option("DEST", dest, "the backup directory")->required();
  AddDataOptions(app, data);
  if (std::optional<int> exit = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *exit;
  // The target holds no database yet: the configuration is found, not RequireDatabase'd.
  Result<FoundConfig> found = LoadToolConfig(data);
  if (!found.ok()) return Fail("restore", found.error().message, kExitUsage);
  const RulesCliContext context{found->config.storage.data_dir, {}, found->config.site.name, true,
                                found->config.events.node};
  const RulesCliContext* ctx = &context;
  const std::vector<std::string> positional = {dest};
  Result<RestoreSummary> s = RestoreBackup(positional[0], ctx->data_dir, NowMsUtc(), ctx->event_node);
  if (!s.ok()) return Fail("restore", s.error().message);
  std::printf("restored %s into %s: %llu files; %llu recording(s) in progress at backup time marked interrupted; "
              "register %llu entries verified\n"
              "start the daemon with the same master key (KRONIKA_MASTER_KEY_FILE) to play encrypted recordings\n",
              positional[0].c_str(), ctx->data_dir.c_str(), static_cast<unsigned long long>(s->files),
              static_cast<unsigned long long>(s->interrupted),
              static_cast<unsigned long long>(s->backup.checkpoint.entries));
  return 0;
}

}  // namespace kronika::srs
