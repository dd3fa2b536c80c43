#include "kronika/srs/app/cli.h"

#include <cstdio>
#include <cstring>

#include "kronika/srs/cli/access_commands.h"
#include "kronika/srs/cli/backup_commands.h"
#include "kronika/srs/cli/events_command.h"
#include "kronika/srs/cli/init_command.h"
#include "kronika/srs/cli/query_command.h"
#include "kronika/srs/cli/rules_commands.h"
#include "kronika/srs/core/version.h"
#include "serve.h"

namespace kronika::srs {
namespace {

constexpr char kUsage[] =
    "usage: kronika <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve   run the SIPREC recording server (kronika serve --help)\n"
    "  init    create the databases of a new data directory (kronika init --help)\n"
    "  query   list recordings from the store (kronika query --help)\n"
    "  show    show one recording (kronika show ID)\n"
    "  events  the event feed: print, or --follow as events commit (kronika events --help)\n"
    "  user      users, roles and API tokens (kronika user --help)\n"
    "  register  verify / export the listening register (kronika register --help)\n"
    "  export    signing keys, verify disclosure export packages (kronika export --help)\n"
    "  key       master key status and rotation (kronika key --help)\n"
    "  hold      legal holds: place, lift, list (kronika hold --help)\n"
    "  subject   data subjects: find, erase, restrict, unrestrict (kronika subject --help)\n"
    "  dnr       do-not-record numbers: add, remove, list (kronika dnr --help)\n"
    "  retention sweep now, early deletion, deletion log (kronika retention --help)\n"
    "  backup    online backup of the data directory, and its check (kronika backup --help)\n"
    "  restore   restore a backup into an empty data directory (kronika restore --help)\n"
    "\n"
    "Every command reads the configuration from --config FILE, else $KRONIKA_CONFIG, else\n"
    "/etc/kronika/kronika.toml when it exists, else the built-in defaults; its data directory\n"
    "(storage.data_dir, or --data-dir DIR) must hold a database (made by serve or init).\n"
    "Exit codes: 0 ok, 1 not found / refused / failed, 2 usage or configuration error.\n"
    "\n"
    "  --version   print the version\n"
    "  --help      print this help\n";

}  // namespace

int RunCli(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const char* command = argv[1];
  if (std::strcmp(command, "--help") == 0 || std::strcmp(command, "-h") == 0 || std::strcmp(command, "help") == 0) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (std::strcmp(command, "--version") == 0 || std::strcmp(command, "version") == 0) {
    std::printf("kronika %s\n", kKronikaVersion);
    return 0;
  }
  if (std::strcmp(command, "serve") == 0) return RunServeCommand(argc - 1, argv + 1);
  if (std::strcmp(command, "init") == 0) return RunInitCommand(argc - 1, argv + 1);
  if (std::strcmp(command, "query") == 0) return RunQueryCommand(argc - 1, argv + 1);
  if (std::strcmp(command, "show") == 0) return RunShowCommand(argc - 1, argv + 1);
  // Events (issue 17).
  if (std::strcmp(command, "events") == 0) return RunEventsCommand(argc - 1, argv + 1);
  // Access module (issue 8).
  if (std::strcmp(command, "user") == 0) return RunUserCommand(argc - 1, argv + 1);
  if (std::strcmp(command, "register") == 0) return RunRegisterCommand(argc - 1, argv + 1);
  if (std::strcmp(command, "export") == 0) return RunExportCommand(argc - 1, argv + 1);
  if (std::strcmp(command, "key") == 0) return RunKeyCommand(argc - 1, argv + 1);
  // Recording policy (issue 7).
  if (std::strcmp(command, "hold") == 0) return RunHoldCommand(argc - 1, argv + 1);
  if (std::strcmp(command, "subject") == 0) return RunSubjectCommand(argc - 1, argv + 1);
  if (std::strcmp(command, "dnr") == 0) return RunDnrCommand(argc - 1, argv + 1);
  if (std::strcmp(command, "retention") == 0) return RunRetentionCommand(argc - 1, argv + 1);
  // State (issue 15).
  if (std::strcmp(command, "backup") == 0) return RunBackupCommand(argc - 1, argv + 1);
  if (std::strcmp(command, "restore") == 0) return RunRestoreCommand(argc - 1, argv + 1);
  std::fprintf(stderr, "kronika: unknown command '%s'\n%s", command, kUsage);
  return 2;
}

}  // namespace kronika::srs
