// Deletions a person asks for (RIGHTS-2, RET-4): erasing a data subject's recordings and
// deleting one recording before its retention period ends. Both plan with policy/
// (PlanErasure, PlanEarlyDeletion: legal holds win) and carry the orders out through
// ExecuteDeletions (deletions.h), the only code that deletes recordings.
//
// Threads: any thread; the store must be opened read-write (see deletions.h).
#pragma once

#include <string>
#include <vector>

#include "kronika/policy/data_subject.h"
#include "kronika/policy/recording.h"
#include "kronika/result.h"
#include "kronika/srs/config/site_config.h"
#include "kronika/srs/rules/deletions.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {

// A copy of erased recordings outside the store: a disclosure's export package (DISC-3)
// that held one of them and was purged with the erasure (RIGHTS-2). The institution it
// was handed to still has its copy and must be told of the erasure (GDPR Art. 19).
struct ErasedCopy {
  std::string disclosure_id;
  std::string institution;     // the disclosure's requester_institution
  std::string request_number;  // the institution's written request
  std::string package;         // the package directory
  std::vector<std::string> recording_ids;  // the erased recordings it held
  bool package_was_gone = false;           // it had been removed already
};

struct ErasureReport {
  std::vector<std::string> erased;
  std::vector<policy::KeptRecording> kept;  // held (RET-2) or in progress, with the reason
  std::vector<std::string> texts;           // PlanErasure's line per site
  // Filled by the admin layer, which composes the rules and the access module
  // (local_admin_ops.h); EraseSubject below leaves them empty.
  std::vector<ErasedCopy> copies;           // export packages purged
  std::vector<std::string> copy_failures;   // packages that held erased recordings but stay
};

// RIGHTS-2: erases every recording of `number` not under legal hold, per site's rules.
// Errors: kInvalidInput (empty requester / reason, not a number, no site configured), store or
// rules db failures.
Result<ErasureReport> EraseSubject(Store& store, RulesDb& db, const SitePolicies& sites, const std::string& number,
                                   const policy::DeletionRequest& request, const DeleteOptions& options);

// RET-4: deletes one recording before its period ends. kNotFound unknown id; kConflict held /
// active.
Status DeleteEarly(Store& store, RulesDb& db, const std::string& recording_id, const policy::DeletionRequest& request,
                   const DeleteOptions& options);

}  // namespace kronika::srs
