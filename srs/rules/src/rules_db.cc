// RulesDb on the data directory's Database (see rules_db.h).
#include "kronika/srs/rules/rules_db.h"

#include <array>
#include <system_error>
#include <unordered_set>

#include "kronika/mutex.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/store/event_outbox.h"
#include "rules_codecs.h"

namespace kronika::srs {
namespace {

// Layout version of the rules tables, in rules.meta (1: the tables moved into the one
// Database with binary rows).
constexpr char kRulesSchemaVersion[] = "1";
constexpr char kSchemaVersionKey[] = "schema_version";
constexpr char kLastSweepKey[] = "last_sweep_ms_utc";

enum TableIndex : size_t { kHoldLog, kDnr, kDeletionLog, kMeta, kTableCount };
// Names in the one Database, and in the pre-0.2 environment of their own.
constexpr std::array<const char*, kTableCount> kTableNames = {"rules.hold_log", "rules.dnr",
                                                              "rules.deletion_log", "rules.meta"};
constexpr std::array<const char*, kTableCount> kLegacyNames = {"hold_log", "dnr", "deletion_log", "meta"};

// The deletion log's cause as the `reason` of recording.deleted (docs/api.md, Events).
std::string DeletedReason(std::string_view cause) {
  if (cause == policy::DeletionCauseName(policy::DeletionCause::kRetentionExpired)) return "retention";
  if (cause == policy::DeletionCauseName(policy::DeletionCause::kErasureRequest)) return "erasure";
  if (cause == policy::DeletionCauseName(policy::DeletionCause::kEarlyDeletion)) return "early_deletion";
  if (cause == policy::DeletionCauseName(policy::DeletionCause::kQuotaEviction)) return "quota_eviction";
  return std::string(cause);
}

Error HoldLogUnreadable(size_t n) {
  return MakeError(ErrorCode::kConflict,
                   "policy db: the legal hold log has " + std::to_string(n) +
                       " unreadable act(s); no recording is deleted until it is repaired (RET-2)");
}

// A row of the old environment in the current layout: decoded and re-encoded, or kept as
// it was when it does not decode (a reader then skips and reports it, as any bad row).
template <typename Codec>
std::string Converted(std::string_view key, const std::string& value, size_t& unconverted) {
  Result<typename Codec::Record> record = Codec::Decode(key, value);
  if (!record.ok()) {
    ++unconverted;
    return value;
  }
  return Codec::Encode(*record);
}

}  // namespace

class RulesDb::Impl {
 public:
  std::shared_ptr<Database> db;
  std::shared_ptr<EventOutbox> events;  // read-write: the outbox of `db` (issue 17)
  std::array<Table, kTableCount> tables;
  DnrSnapshotCell dnr;  // CONSENT-3 in memory (dnr_snapshot.h)
  // Orders a DNR write and the rebuild after it, so snapshots are published in commit order.
  Mutex dnr_write_mu;

  const Table& table(TableIndex i) const { return tables[i]; }

  // Replays the hold log; acts that do not decode or do not replay are skipped, reported
  // and counted in `unreadable`.
  Result<policy::HoldSet> Holds(const ReadTxn& txn, size_t& unreadable) const {
    policy::HoldSet set;
    unreadable = 0;
    Status s = txn.Scan(table(kHoldLog), [&](std::string_view key, std::string_view value) {
      Result<HoldAct> a = HoldActCodec::Decode(key, value);
      if (!a.ok()) {
        txn.ReportBadRow(table(kHoldLog), key, a.error());
        ++unreadable;
        return true;
      }
      Status replay = OkStatus();
      if (a->lift) {
        Result<policy::Hold> lifted = set.Lift(a->recording_id, a->case_ref, a->by, a->reason, a->at_ms_utc);
        if (!lifted.ok()) replay = lifted.error();
      } else {
        replay = set.Place(a->recording_id, a->case_ref, a->by, a->at_ms_utc);
      }
      if (!replay.ok()) {
        txn.ReportBadRow(table(kHoldLog), key,
                         MakeError(ErrorCode::kCorrupt, "rules.hold_log: act does not replay: " +
                                                            replay.error().message));
        ++unreadable;
      }
      return true;
    });
    if (!s.ok()) return s.error();
    return set;
  }

  Result<uint64_t> NextSeq(const ReadTxn& txn, TableIndex t) const {
    Result<std::optional<std::string>> last = txn.LastKey(table(t));
    if (!last.ok()) return last.error();
    if (!last->has_value()) return uint64_t{1};
    Result<uint64_t> seq = SeqOfKey("rules", **last);
    if (!seq.ok()) return seq.error();
    return *seq + 1;
  }

  // Appends the acts and their hold.placed / hold.lifted events, in `txn`.
  Status AppendActs(WriteTxn& txn, const std::vector<HoldAct>& acts) const {
    Result<uint64_t> seq = NextSeq(txn, kHoldLog);
    if (!seq.ok()) return seq.error();
    for (const HoldAct& a : acts) {
      RETURN_IF_ERROR(txn.Append(table(kHoldLog), SeqKey((*seq)++), HoldActCodec::Encode(a)));
      RETURN_IF_ERROR(Emit(txn, EventDraft{a.lift ? "hold.lifted" : "hold.placed", a.recording_id,
                                           {{"case_ref", a.case_ref},
                                            {"by", a.by},
                                            {"reason", a.lift ? nlohmann::json(a.reason) : nlohmann::json()}},
                                           {}},
                           a.at_ms_utc));
    }
    return OkStatus();
  }

  Status Emit(WriteTxn& txn, const EventDraft& draft, int64_t at_ms_utc) const {
    if (events == nullptr) return MakeError(ErrorCode::kIo, "rules: the database is open read-only");
    Result<Event> e = events->AppendIn(txn, draft, at_ms_utc);
    if (!e.ok()) return e.error();
    return OkStatus();
  }

  // Rebuilds the in-memory list from rules.dnr (keys only: a listed number whose row does
  // not decode still counts as listed) and publishes it. One read transaction.
  Status ReloadDnr() {
    std::unordered_set<std::string> numbers;
    RETURN_IF_ERROR(db->Read([&](const ReadTxn& txn) {
      numbers.clear();
      return txn.Scan(table(kDnr), [&](std::string_view key, std::string_view) {
        numbers.emplace(key);
        return true;
      });
    }));
    dnr.Publish(std::make_shared<const DnrSnapshot>(std::move(numbers)));
    return OkStatus();
  }

  // A DNR write, then the list read again from what it committed. A failed rebuild after a
  // commit leaves the old snapshot: logged, and the write reported as failed so the
  // operator retries (the row is there; the retry answers 409/404 and rebuilds).
  Status WriteDnr(const std::function<Status(WriteTxn&)>& fn) {
    MutexLock lock(dnr_write_mu);
    RETURN_IF_ERROR(db->Write(fn));
    Status reloaded = ReloadDnr();
    if (!reloaded.ok()) {
      Logf(LogLevel::kError, "", "dnr: written, but the in-memory list was not rebuilt: %s",
           reloaded.error().message.c_str());
    }
    return reloaded;
  }

  // Imports the pre-0.2 environment (rules_db.h) and stamps the schema version.
  Status Migrate(const std::filesystem::path& data_dir) {
    bool current = false;
    RETURN_IF_ERROR(db->Read([&](const ReadTxn& txn) -> Status {
      Result<std::optional<std::string>> version = txn.Get(table(kMeta), kSchemaVersionKey);
      if (!version.ok()) return version.error();
      current = version->has_value();
      return OkStatus();
    }));
    if (current) return OkStatus();
    const std::filesystem::path legacy = RulesDbDir(data_dir);
    std::error_code ec;
    const bool has_legacy = !data_dir.empty() && std::filesystem::exists(legacy / "data.mdb", ec);
    std::vector<TableRows> rows(kTableCount);
    if (has_legacy) {
      Result<std::vector<TableRows>> read =
          ReadSeparateEnvironment(legacy, std::vector<std::string>(kLegacyNames.begin(), kLegacyNames.end()));
      if (!read.ok()) return read.error();
      rows = std::move(*read);
    }
    size_t imported = 0, unconverted = 0;
    RETURN_IF_ERROR(db->Write([&](WriteTxn& txn) -> Status {
      imported = unconverted = 0;
      for (size_t t = 0; t < kTableCount; ++t) {
        for (const auto& [key, value] : rows[t]) {
          std::string out;
          if (t == kHoldLog) out = Converted<HoldActCodec>(key, value, unconverted);
          if (t == kDnr) out = Converted<DoNotRecordCodec>(key, value, unconverted);
          if (t == kDeletionLog) out = Converted<DeletionLogCodec>(key, value, unconverted);
          if (t == kMeta) out = key == kLastSweepKey ? Converted<SweepClockCodec>(key, value, unconverted) : value;
          RETURN_IF_ERROR(txn.Put(table(static_cast<TableIndex>(t)), key, out));
          ++imported;
        }
      }
      return txn.Put(table(kMeta), kSchemaVersionKey, kRulesSchemaVersion);
    }));
    if (has_legacy) {
      Logf(LogLevel::kInfo, "", "policy db: imported %zu rows from %s into %s (%zu kept unconverted)", imported,
           legacy.c_str(), db->dir().c_str(), unconverted);
      std::filesystem::remove_all(legacy, ec);
      if (ec) {
        Logf(LogLevel::kWarn, "", "policy db: cannot remove the imported %s: %s", legacy.c_str(),
             ec.message().c_str());
      }
      std::filesystem::remove(legacy.parent_path(), ec);  // policy/, when nothing else is in it
    }
    return OkStatus();
  }
};

RulesDb::RulesDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RulesDb::~RulesDb() = default;

Result<std::unique_ptr<RulesDb>> RulesDb::Open(std::shared_ptr<Database> db, const std::filesystem::path& data_dir) {
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(db);
  for (size_t t = 0; t < kTableCount; ++t) {
    TableOptions options;
    options.personal_keys = t == kDnr;
    Result<Table> table = impl->db->OpenTable(kTableNames[t], options);
    if (!table.ok()) return table.error();
    impl->tables[t] = std::move(*table);
  }
  if (!impl->db->read_only()) {
    RETURN_IF_ERROR(impl->Migrate(data_dir));
    ASSIGN_OR_RETURN(impl->events, EventOutbox::Of(impl->db));
  }
  RETURN_IF_ERROR(impl->ReloadDnr());
  return std::unique_ptr<RulesDb>(new RulesDb(std::move(impl)));
}

Result<std::unique_ptr<RulesDb>> RulesDb::Open(const std::filesystem::path& data_dir, bool read_only) {
  DatabaseOptions options;
  options.read_only = read_only;
  Result<std::shared_ptr<Database>> db = Database::Open(StoreDir(data_dir), options);
  if (!db.ok()) return db.error();
  return Open(std::move(*db), data_dir);
}

Database& RulesDb::database() const { return *impl_->db; }

Result<policy::HoldSet> RulesDb::LoadHolds(size_t* unreadable) const {
  policy::HoldSet out;
  size_t skipped = 0;
  RETURN_IF_ERROR(impl_->db->Read([&](const ReadTxn& txn) -> Status {
    ASSIGN_OR_RETURN(out, impl_->Holds(txn, skipped));
    return OkStatus();
  }));
  if (unreadable != nullptr) *unreadable = skipped;
  return out;
}

std::vector<HoldAct> RulesDb::HoldLog() const {
  std::vector<HoldAct> out;
  (void)impl_->db->Read([&](const ReadTxn& txn) {
    return txn.ScanRecords<HoldActCodec>(impl_->table(kHoldLog), [&](std::string_view, HoldAct&& a) {
      out.push_back(std::move(a));
      return true;
    });
  });
  return out;
}

Status RulesDb::PlaceHoldsIn(WriteTxn& txn, const std::vector<std::string>& recording_ids,
                             std::string_view case_ref, std::string_view by, int64_t at_ms_utc) const {
  if (recording_ids.empty()) return MakeError(ErrorCode::kNotFound, "hold: no recording matches");
  size_t unreadable = 0;
  ASSIGN_OR_RETURN(policy::HoldSet set, impl_->Holds(txn, unreadable));
  std::vector<HoldAct> acts;
  for (const std::string& id : recording_ids) {
    RETURN_IF_ERROR(set.Place(id, case_ref, by, at_ms_utc));
    acts.push_back(HoldAct{false, id, std::string(case_ref), std::string(by), at_ms_utc, ""});
  }
  return impl_->AppendActs(txn, acts);
}

Status RulesDb::LiftHoldsIn(WriteTxn& txn, const std::vector<std::string>& recording_ids,
                            std::string_view case_ref, std::string_view by, std::string_view reason,
                            int64_t at_ms_utc) const {
  if (recording_ids.empty()) return MakeError(ErrorCode::kNotFound, "hold: no recording matches");
  size_t unreadable = 0;
  ASSIGN_OR_RETURN(policy::HoldSet set, impl_->Holds(txn, unreadable));
  std::vector<HoldAct> acts;
  for (const std::string& id : recording_ids) {
    Result<policy::Hold> lifted = set.Lift(id, case_ref, by, reason, at_ms_utc);
    if (!lifted.ok()) return lifted.error();
    acts.push_back(HoldAct{true, id, std::string(case_ref), std::string(by), at_ms_utc, std::string(reason)});
  }
  return impl_->AppendActs(txn, acts);
}

Status RulesDb::PlaceHolds(const std::vector<std::string>& recording_ids, std::string_view case_ref,
                           std::string_view by, int64_t at_ms_utc) {
  return impl_->db->Write(
      [&](WriteTxn& txn) { return PlaceHoldsIn(txn, recording_ids, case_ref, by, at_ms_utc); });
}

Status RulesDb::LiftHolds(const std::vector<std::string>& recording_ids, std::string_view case_ref,
                          std::string_view by, std::string_view reason, int64_t at_ms_utc) {
  return impl_->db->Write(
      [&](WriteTxn& txn) { return LiftHoldsIn(txn, recording_ids, case_ref, by, reason, at_ms_utc); });
}

Status RulesDb::AddDoNotRecord(const DoNotRecordEntry& entry) {
  if (entry.number.empty() || entry.by.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "dnr: number and --by are required");
  }
  return impl_->WriteDnr([&](WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(bool inserted, txn.Insert(impl_->table(kDnr), entry.number, DoNotRecordCodec::Encode(entry)));
    if (!inserted) {
      return MakeError(ErrorCode::kConflict, "dnr: " + entry.number + " is already on the do-not-record list");
    }
    return OkStatus();
  });
}

Status RulesDb::RemoveDoNotRecord(std::string_view number) {
  return impl_->WriteDnr([&](WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(bool erased, txn.Erase(impl_->table(kDnr), number));
    if (!erased) {
      return MakeError(ErrorCode::kNotFound, "dnr: " + std::string(number) + " is not on the do-not-record list");
    }
    return OkStatus();
  });
}

Result<bool> RulesDb::IsDoNotRecord(std::string_view number) const {
  bool found = false;
  RETURN_IF_ERROR(impl_->db->Read([&](const ReadTxn& txn) -> Status {
    ASSIGN_OR_RETURN(std::optional<std::string> row, txn.Get(impl_->table(kDnr), number));
    found = row.has_value();  // listed, whatever the state of the row's details
    return OkStatus();
  }));
  return found;
}

std::shared_ptr<const DnrSnapshot> RulesDb::DoNotRecordSnapshot() const { return impl_->dnr.Current(); }

Result<std::vector<DoNotRecordEntry>> RulesDb::DoNotRecordList() const {
  std::vector<DoNotRecordEntry> out;
  RETURN_IF_ERROR(impl_->db->Read([&](const ReadTxn& txn) {
    return txn.ScanRecords<DoNotRecordCodec>(impl_->table(kDnr), [&](std::string_view, DoNotRecordEntry&& e) {
      out.push_back(std::move(e));
      return true;
    });
  }));
  return out;
}

Result<std::vector<DeletionLogEntry>> RulesDb::LogDeletions(
    const std::function<std::vector<DeletionLogEntry>(const policy::HoldSet&)>& check) {
  std::vector<DeletionLogEntry> kept;
  RETURN_IF_ERROR(impl_->db->Write([&](WriteTxn& txn) -> Status {
    size_t unreadable = 0;
    ASSIGN_OR_RETURN(policy::HoldSet holds, impl_->Holds(txn, unreadable));
    if (unreadable > 0) return HoldLogUnreadable(unreadable);
    kept = check(holds);
    ASSIGN_OR_RETURN(uint64_t seq, impl_->NextSeq(txn, kDeletionLog));
    std::unordered_set<std::string> deleted;
    for (DeletionLogEntry& e : kept) {
      e.seq = seq++;
      RETURN_IF_ERROR(txn.Append(impl_->table(kDeletionLog), SeqKey(e.seq), DeletionLogCodec::Encode(e)));
      RETURN_IF_ERROR(impl_->Emit(
          txn, EventDraft{"recording.deleted", e.recording_id, {{"reason", DeletedReason(e.cause)}, {"by", e.by}}, {}},
          e.deleted_at_ms_utc));
      deleted.insert(e.recording_id);
    }
    // A deleted recording leaves no personal data in the outbox either (its participants
    // in recording.started/.finished), in the transaction that logs the deletion: whatever
    // the cause - retention (RET-3: nothing readable remains), early deletion (RET-4),
    // quota eviction (RET-5), erasure (RIGHTS-2). The outbox keeps events [events]
    // keep_days, which an office may set longer than its shortest retention period.
    if (!deleted.empty()) {
      Result<size_t> scrubbed = impl_->events->ScrubPersonalIn(
          txn, [&](const Event& ev) { return deleted.count(ev.recording_id) > 0; });
      if (!scrubbed.ok()) return scrubbed.error();
    }
    return OkStatus();
  }));
  return kept;
}

Status RulesDb::RecordErasure(const std::string& subject, const std::vector<std::string>& erased, std::string_view by,
                              int64_t at_ms_utc) {
  return impl_->db->Write([&](WriteTxn& txn) -> Status {
    // Earlier subject.erased events of the same subject: their personal data goes too.
    const std::string quoted =
        nlohmann::json(subject).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    Result<size_t> scrubbed = impl_->events->ScrubPersonalIn(txn, [&](const Event& ev) {
      return ev.type == "subject.erased" && ev.personal_json.find(quoted) != std::string::npos;
    });
    if (!scrubbed.ok()) return scrubbed.error();
    return impl_->Emit(txn,
                       EventDraft{"subject.erased", "",
                                  {{"recordings", erased.size()}, {"recording_ids", erased}, {"by", std::string(by)}},
                                  {{"subject", subject}}},
                       at_ms_utc);
  });
}

std::vector<DeletionLogEntry> RulesDb::DeletionLog(size_t limit) const {
  std::vector<DeletionLogEntry> out;
  (void)impl_->db->Read([&](const ReadTxn& txn) {
    return txn.ScanRecords<DeletionLogCodec>(
        impl_->table(kDeletionLog),
        [&](std::string_view, DeletionLogEntry&& e) {
          out.push_back(std::move(e));
          return limit == 0 || out.size() < limit;
        },
        /*reverse=*/true);
  });
  return out;
}

std::optional<int64_t> RulesDb::LastSweep() const {
  std::optional<int64_t> out;
  (void)impl_->db->Read([&](const ReadTxn& txn) -> Status {
    Result<std::optional<int64_t>> last = txn.GetRecord<SweepClockCodec>(impl_->table(kMeta), kLastSweepKey);
    if (last.ok()) out = *last;  // an unreadable one was reported: the sweep treats it as unknown
    return OkStatus();
  });
  return out;
}

Status RulesDb::SetLastSweep(int64_t ms_utc) {
  return impl_->db->Write(
      [&](WriteTxn& txn) { return txn.Put(impl_->table(kMeta), kLastSweepKey, SweepClockCodec::Encode(ms_utc)); });
}

}  // namespace kronika::srs
