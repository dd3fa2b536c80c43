// Command-line tools of the policy wiring (issue 7), dispatched from cli.cc:
//   kronika hold place|lift|list        legal holds (RET-2)
//   kronika subject find|erase|restrict|unrestrict NUMBER   data subjects (RIGHTS-1..3)
//   kronika dnr add|remove|list         do-not-record numbers (CONSENT-3)
//   kronika retention sweep|delete|log  sweeps, early deletion (RET-3, RET-4), deletion log
// Every command takes --config FILE (data dir and policy.site_files from it) or
// --data-dir DIR with one --site FILE per site. They work while the daemon runs: holds,
// the do-not-record list and the logs are in the policy db (policy_db.h); deletions open
// the recordings store read-write beside the daemon (LMDB serialises the writers).
// Times are stored in UTC and printed in UTC and in the site's zone.
// Exit codes: 0 done, 1 refused / failed (message on stderr), 2 usage.
#pragma once

#include <string>
#include <vector>

#include "kronika/policy/data_subject.h"
#include "kronika/result.h"
#include "kronika/srs/store.h"
#include "policy_db.h"
#include "policy_delete.h"
#include "site_config.h"

namespace kronika::srs {

int RunHoldCommand(int argc, char** argv);
int RunSubjectCommand(int argc, char** argv);
int RunDnrCommand(int argc, char** argv);
int RunRetentionCommand(int argc, char** argv);

struct ErasureReport {
  std::vector<std::string> erased;
  std::vector<policy::KeptRecording> kept;  // held (RET-2) or in progress, with the reason
  std::vector<std::string> texts;           // PlanErasure's line per site
};

// RIGHTS-2: erases every recording of `number` not under legal hold, per site's rules.
// Errors: 400 (empty requester / reason, not a number), store or policy db failures.
Result<ErasureReport> EraseSubject(Store& store, PolicyDb& db, const SitePolicies& sites, const std::string& number,
                                   const policy::DeletionRequest& request, const DeleteOptions& options);

// RET-4: deletes one recording before its period ends. 404 unknown id; 409 held / active.
Status DeleteEarly(Store& store, PolicyDb& db, const std::string& recording_id, const policy::DeletionRequest& request,
                   const DeleteOptions& options);

}  // namespace kronika::srs
