// RulesDb: the rules layer's own LMDB environment in `<data_dir>/policy/db` (issue 7),
// beside the recordings store (store.h) so that the CLI can write it while the daemon
// runs (LMDB serialises writers across processes). Named tables:
//   hold_log      sequence (big-endian u64) -> JSON act {act: place|lift, recording_id,
//                 case, by, at_ms_utc, reason}. Append-only: acts are never changed or
//                 removed (RET-2). The HoldSet is rebuilt by replaying it.
//   dnr           canonical number -> JSON {by, at_ms_utc, reason} (CONSENT-3)
//   deletion_log  sequence -> JSON {recording_id, cause, by, reason, decided_at_ms_utc,
//                 deleted_at_ms_utc, site, start_ms_utc, file_bytes} - what was deleted,
//                 when and by which rule; never any content or participant (RET-3, RIGHTS-2)
//   meta          "last_sweep_ms_utc", "seq:<table>" counters
// Restrictions (RIGHTS-3) live in the access module's table (access_playback.h), which
// playback and export already consult.
//
// Built on the store's KvDb (kv_db.h): every transaction ends on every path out of a call.
//
// Threads: every method may be called from any thread and process; each call is one
// short LMDB transaction.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/policy/legal_hold.h"
#include "kronika/policy/recording.h"
#include "kronika/result.h"
#include "kronika/srs/core/data_layout.h"  // RulesDbDir()

namespace kronika::srs {

struct HoldAct {
  bool lift = false;  // false: place
  std::string recording_id;
  std::string case_ref;
  std::string by;
  int64_t at_ms_utc = 0;
  std::string reason;  // lift only
};

struct DoNotRecordEntry {
  std::string number;  // canonical (E.164 or extension)
  std::string by;
  int64_t at_ms_utc = 0;
  std::string reason;
};

struct DeletionLogEntry {
  uint64_t seq = 0;
  std::string recording_id;
  std::string cause;  // policy::DeletionCauseName
  std::string by;
  std::string reason;
  int64_t decided_at_ms_utc = 0;
  int64_t deleted_at_ms_utc = 0;
  std::string site;
  int64_t start_ms_utc = 0;
  uint64_t file_bytes = 0;
};

class RulesDb {
 public:
  // Creates `<data_dir>/policy/db` if missing. Error names the directory.
  static Result<std::unique_ptr<RulesDb>> Open(const std::filesystem::path& data_dir);
  ~RulesDb();
  RulesDb(const RulesDb&) = delete;
  RulesDb& operator=(const RulesDb&) = delete;

  // RET-2. The hold set as of the last committed act.
  Result<policy::HoldSet> LoadHolds() const;
  std::vector<HoldAct> HoldLog() const;  // every act, oldest first (empty on error)
  // Places / lifts holds on several recordings in one transaction: all or none. Errors
  // from policy::HoldSet (400 empty field, 409 already held by that case, 404 no such hold).
  Status PlaceHolds(const std::vector<std::string>& recording_ids, std::string_view case_ref,
                    std::string_view by, int64_t at_ms_utc);
  Status LiftHolds(const std::vector<std::string>& recording_ids, std::string_view case_ref,
                   std::string_view by, std::string_view reason, int64_t at_ms_utc);

  // CONSENT-3. `number` must already be canonical. Add: 409 when present; Remove: 404.
  Status AddDoNotRecord(const DoNotRecordEntry& entry);
  Status RemoveDoNotRecord(std::string_view number);
  Result<bool> IsDoNotRecord(std::string_view number) const;
  Result<std::vector<DoNotRecordEntry>> DoNotRecordList() const;

  // Deletions: `check` runs inside the write transaction that logs the entries, after the
  // hold set was re-read in it (so a hold placed by another process cannot slip between
  // the check and the log); it returns the entries to log (the orders it keeps). The
  // caller deletes exactly the returned recordings.
  Result<std::vector<DeletionLogEntry>> LogDeletions(
      const std::function<std::vector<DeletionLogEntry>(const policy::HoldSet&)>& check);
  std::vector<DeletionLogEntry> DeletionLog(size_t limit) const;  // newest first

  std::optional<int64_t> LastSweep() const;
  Status SetLastSweep(int64_t ms_utc);

  class Impl;

 private:
  explicit RulesDb(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kronika::srs
