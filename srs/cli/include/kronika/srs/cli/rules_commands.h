// Command-line tools of the recording rules (issue 7, srs/rules), dispatched by `kronika`:
//   kronika hold place|lift|list        legal holds (RET-2)
//   kronika subject find|erase|restrict|unrestrict NUMBER   data subjects (RIGHTS-1..3)
//   kronika dnr add|remove|list         do-not-record numbers (CONSENT-3)
//   kronika retention sweep|delete|log  sweeps, early deletion (RET-3, RET-4), deletion log
// Every command takes --config FILE (data dir and policy.site_files from it; found as
// cli_common.h says when not given), --data-dir DIR and --site FILE (repeatable) over those.
// A data dir without a database is refused; options are strict (exit 2 naming the
// option); every listing takes --json. They work while the daemon runs: holds,
// the do-not-record list and the logs are in the rules db (rules_db.h); deletions open
// the recordings store read-write beside the daemon (LMDB serialises the writers).
// Times are stored in UTC and printed in UTC and in the site's zone.
// Exit codes: 0 done, 1 refused / failed (message on stderr), 2 usage.
#pragma once

namespace kronika::srs {

int RunHoldCommand(int argc, char** argv);
int RunSubjectCommand(int argc, char** argv);
int RunDnrCommand(int argc, char** argv);
int RunRetentionCommand(int argc, char** argv);

}  // namespace kronika::srs
