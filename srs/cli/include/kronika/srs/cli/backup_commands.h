// Backup and restore of a data directory (issue 15 items 3 and 4; srs/admin backup.h):
//   kronika backup DEST [--config FILE | --data-dir DIR]   online, consistent backup
//   kronika backup verify DEST                             every file, the register
//   kronika restore DEST --data-dir DIR | --config FILE    into an empty, unused data dir
// Exit codes: 0 done / intact, 1 failed / altered / refused, 2 usage.
#pragma once

namespace kronika::srs {

int RunBackupCommand(int argc, char** argv);
int RunRestoreCommand(int argc, char** argv);

}  // namespace kronika::srs
