// Erasure reaches every copy (RIGHTS-2, issue 15 item 8): once a person's recordings are
// erased, every disclosure export package (access_disclosure.h) that holds one of them is
// removed from disk, wherever it was written, and its export entry in access.disclosures
// is marked purged (ExportPurge, access_records.h: when, by whom, why, which erased
// recordings it held). The institution the disclosure went to still has its copy: each
// purged package is returned with that institution so the operator can tell it of the
// erasure (GDPR Art. 19).
//
// A package is "holding" a recording when its export lists the recording's audio hash
// (DisclosureExport::audio_sha256), or - for an entry without hashes - when the
// disclosure names the recording. Packages already purged, and packages holding only
// recordings that were not erased (kept under legal hold, other people's), are left alone.
//
// Threads: any; the AccessDb must be open read-write (this process owns the data dir).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/access/access_db.h"

namespace kronika::srs {

struct ExportPurgeRequest {
  std::vector<std::string> erased_recording_ids;
  std::string by;      // who asked for the erasure
  std::string reason;  // its reason
  int64_t at_ms_utc = 0;
};

// One package purged: which disclosure, who received it, where it was.
struct PurgedExport {
  std::string disclosure_id;
  std::string requester_institution;
  std::string request_number;
  std::string package;
  int64_t exported_at_ms_utc = 0;
  std::vector<std::string> recording_ids;  // the erased recordings it held
  bool package_was_gone = false;           // nothing on disk to remove any more
};

struct ExportPurgeOutcome {
  std::vector<PurgedExport> purged;
  // One line per package that held an erased recording but could not be removed; names
  // the package, the disclosure and why. Such an export is not marked purged: `kronika
  // export list` still shows it present, for the operator to remove by hand.
  std::vector<std::string> failures;
};

// Removes and marks every package holding one of `request.erased_recording_ids`. A
// directory that exists but has no MANIFEST.sha256 is not removed (it is not a package
// any more: reported in `failures`). Error only when the access db cannot be read or
// written; then nothing is marked (directories already removed stay removed and are
// found "already gone" by the next call).
Result<ExportPurgeOutcome> PurgeExportsContaining(AccessDb& db, const ExportPurgeRequest& request);

// DISC-3 (issue 16 item 3): the records keeper removes a disclosure's packages from the
// server once they were handed over (or will not be): every export of `disclosure_id` not
// purged yet is removed from disk and marked purged with `by`, `reason` and `at_ms_utc`;
// its ExportPurge lists no recording (none was erased). kNotFound unknown disclosure;
// kConflict nothing left to purge; kInvalidInput empty `by` or `reason`. A package that
// cannot be removed is in `failures` and stays unmarked, as above.
Result<ExportPurgeOutcome> PurgeDisclosurePackages(AccessDb& db, std::string_view disclosure_id, std::string_view by,
                                                   std::string_view reason, int64_t at_ms_utc);

}  // namespace kronika::srs
