// Carrying out deletion orders (RET-3, RET-4, RET-5, RIGHTS-2): the only code that deletes
// recordings. For each order it
//  1. re-reads the legal holds inside the policy-db write transaction that logs the act
//     and drops any order whose recording is now held (a hold placed by the CLI a moment
//     ago wins; the order comes back in `kept`);
//  2. logs what/when/which rule/who in the append-only deletion_log, without content;
//  3. overwrites the audio file with zeros, fsyncs and unlinks it (overwrite: true), or
//     only unlinks it; then crypto-shreds what encryption at rest left (issue 8,
//     recording_keys.h ShredRecordingAtRest: the key file <data_dir>/access/keys/<id>.dek and
//     the <file>.kenc, both overwritten and unlinked);
//  4. queues the store removal of the record and its index entries (Store::EnqueueDelete)
//     and, when flush is set, waits for the commit.
// The store must be opened read-write (the daemon's, or the CLI's own on the same data
// directory: LMDB serialises the two writers).
// Threads: any thread; callers serialise sweeps themselves.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kronika/policy/number_plan.h"
#include "kronika/policy/recording.h"
#include "kronika/result.h"
#include "kronika/srs/core/recording_record.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {

struct DeleteOptions {
  std::filesystem::path data_dir;  // file_path of a record is relative to it unless absolute
  bool overwrite = true;           // policy.overwrite_on_delete
  bool flush = true;               // wait for the store commit
};

struct DeleteOutcome {
  std::vector<std::string> deleted;             // logged, file gone, record removal committed
  std::vector<policy::KeptRecording> kept;      // held at the last moment (RET-2)
  std::vector<std::string> file_errors;         // "<id>: <what>" (record removed all the same)
};

// `records` supplies file path, site, start and size of each ordered id (orders whose id
// is missing there are skipped as already gone).
Result<DeleteOutcome> ExecuteDeletions(Store& store, RulesDb& db, const std::vector<policy::DeletionOrder>& orders,
                                       const std::unordered_map<std::string, RecordingRecord>& records,
                                       const DeleteOptions& options, int64_t now_ms_utc);

// RET-2/RET-4 for a deletion carried out by another module (the access module's DELETE,
// which destroys keys and files itself): in one policy-db write transaction, refuses a
// recording held there - kConflict "recording <id> is under legal hold (RET-2, case <refs>); lift
// it first" - or logs the early deletion (cause early-deletion, `by`, `reason`) in the
// deletion log. The policy db's hold log is the one source of truth for holds; the store's
// legal_hold flag is only its mirror (hold_command.cc).
Status AuthorizeEarlyDeletion(RulesDb& db, const RecordingRecord& record, std::string_view by,
                              std::string_view reason, int64_t now_ms_utc);

// Overwrites (optionally) and unlinks one file. A missing file is not an error.
Status ShredFile(const std::filesystem::path& path, bool overwrite);

// The policy view of a stored record; participants in canonical form under `plan`.
policy::RecordingInfo InfoOf(const RecordingRecord& record, const policy::NumberPlan* plan);

}  // namespace kronika::srs
