// RulesDb: the rules layer's tables (issue 7) in the data directory's one Database
// (database.h, `<data_dir>/db`), one versioned codec each (rules_codecs.h):
//   rules.hold_log      sequence -> HoldAct {place|lift, recording_id, case, by, at_ms_utc,
//                       reason}. Append-only: acts are never changed or removed (RET-2).
//                       The HoldSet is rebuilt by replaying it.
//   rules.dnr           canonical number -> {by, at_ms_utc, reason} (CONSENT-3)
//   rules.deletion_log  sequence -> {recording_id, cause, by, reason, decided_at_ms_utc,
//                       deleted_at_ms_utc, site, start_ms_utc, file_bytes} - what was
//                       deleted, when and by which rule; never any content or participant
//                       (RET-3, RIGHTS-2)
//   rules.meta          "last_sweep_ms_utc", "schema_version"
// Restrictions (RIGHTS-3) live in the access module's table (access_playback.h), which
// playback and export already consult.
//
// A row that does not decode is skipped and reported (bad_rows.h), never fatal. A hold
// act that cannot be read (or does not replay) might have placed a hold, so while the
// hold log has one, LogDeletions refuses every deletion (kConflict, RET-2): nothing is
// deleted on a hold set that may be incomplete, and holds, listings and admission go on.
//
// Before the one Database, these tables lived in their own environment in
// `<data_dir>/policy/db` with JSON values; the first read-write Open() imports them
// (converting every row; a row that does not convert is kept as it was and reported) and
// removes the old environment.
//
// The do-not-record list is also kept in memory (dnr_snapshot.h): loaded by Open(),
// rebuilt after each AddDoNotRecord/RemoveDoNotRecord of this object commits, read with
// DoNotRecordSnapshot() without any I/O (the SIP thread's INVITE gate, issue 13 item 4).
//
// Threads: every method may be called from any thread; each call is one short
// transaction, except DoNotRecordSnapshot(), which reads no LMDB. The *In() variants run inside the caller's write transaction, so that a
// state change and whatever is recorded with it (an outbox event) commit together.
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
#include "kronika/srs/core/data_layout.h"  // RulesDbDir(), StoreDir()
#include "kronika/srs/rules/dnr_snapshot.h"
#include "kronika/srs/store/database.h"

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
  // The rules tables of `db` (created when read-write; a read-write open also imports the
  // pre-0.2 environment in RulesDbDir(data_dir), see above). Error names the directory.
  static Result<std::unique_ptr<RulesDb>> Open(std::shared_ptr<Database> db,
                                               const std::filesystem::path& data_dir);
  // The same on Database::Open(StoreDir(data_dir)) with default options.
  static Result<std::unique_ptr<RulesDb>> Open(const std::filesystem::path& data_dir, bool read_only = false);
  ~RulesDb();
  RulesDb(const RulesDb&) = delete;
  RulesDb& operator=(const RulesDb&) = delete;

  // RET-2. The hold set as of the last committed act. `unreadable` (optional): acts
  // skipped because they do not decode or do not replay.
  Result<policy::HoldSet> LoadHolds(size_t* unreadable = nullptr) const;
  std::vector<HoldAct> HoldLog() const;  // every readable act, oldest first (empty on error)
  // Places / lifts holds on several recordings in one transaction: all or none. Errors
  // from policy::HoldSet (400 empty field, 409 already held by that case, 404 no such hold).
  // Each act is a hold.placed / hold.lifted event (data {case_ref, by, reason}) in the
  // same transaction; an act refused refuses the others and their events.
  Status PlaceHolds(const std::vector<std::string>& recording_ids, std::string_view case_ref,
                    std::string_view by, int64_t at_ms_utc);
  Status LiftHolds(const std::vector<std::string>& recording_ids, std::string_view case_ref,
                   std::string_view by, std::string_view reason, int64_t at_ms_utc);
  Status PlaceHoldsIn(WriteTxn& txn, const std::vector<std::string>& recording_ids,
                      std::string_view case_ref, std::string_view by, int64_t at_ms_utc) const;
  Status LiftHoldsIn(WriteTxn& txn, const std::vector<std::string>& recording_ids,
                     std::string_view case_ref, std::string_view by, std::string_view reason,
                     int64_t at_ms_utc) const;

  // CONSENT-3. `number` must already be canonical. Add: 409 when present; Remove: 404.
  // A listed number whose row does not decode still counts as listed. Add/Remove return
  // after the in-memory list is rebuilt, so DoNotRecordSnapshot() already shows the change
  // (an error after the commit when it could not be rebuilt; the old list stays).
  Status AddDoNotRecord(const DoNotRecordEntry& entry);
  Status RemoveDoNotRecord(std::string_view number);
  // One LMDB read transaction (CLI, tools, tests); the daemon's SIP thread uses the snapshot.
  Result<bool> IsDoNotRecord(std::string_view number) const;
  // The in-memory list as of this object's last DNR write or Open(); never null, no I/O.
  std::shared_ptr<const DnrSnapshot> DoNotRecordSnapshot() const;
  Result<std::vector<DoNotRecordEntry>> DoNotRecordList() const;

  // Deletions: `check` runs inside the write transaction that logs the entries, after the
  // hold set was re-read in it (so a hold placed by another process cannot slip between
  // the check and the log); it returns the entries to log (the orders it keeps). The
  // caller deletes exactly the returned recordings. kConflict while the hold log has an
  // unreadable act (see above). `check` may run more than once (database.h): it must
  // assign its outputs, not append to them.
  Result<std::vector<DeletionLogEntry>> LogDeletions(
      const std::function<std::vector<DeletionLogEntry>(const policy::HoldSet&)>& check);
  std::vector<DeletionLogEntry> DeletionLog(size_t limit) const;  // newest first
  // Each logged entry is a recording.deleted event in the same transaction; an erasure's
  // entries also scrub the personal data of their recordings' events (RIGHTS-2).

  // The subject.erased event of a data subject's erasure (RIGHTS-2), after its deletions
  // were logged: data {recordings, recording_ids, by}, personal {subject}; an earlier
  // subject.erased of the same subject loses its personal data in the same transaction.
  Status RecordErasure(const std::string& subject, const std::vector<std::string>& erased, std::string_view by,
                       int64_t at_ms_utc);

  std::optional<int64_t> LastSweep() const;
  Status SetLastSweep(int64_t ms_utc);

  Database& database() const;

  class Impl;

 private:
  explicit RulesDb(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kronika::srs
