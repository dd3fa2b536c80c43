// RulesDb on the store's KvDb (see rules_db.h).
#include "kronika/srs/rules/rules_db.h"

#include <array>
#include <nlohmann/json.hpp>

#include "kronika/srs/core/json_record.h"
#include "kronika/srs/store/kv_db.h"

namespace kronika::srs {
namespace {

constexpr uint64_t kMapBytes = uint64_t{1} << 30;
enum Table : size_t { kHoldLog, kDnr, kDeletionLog, kMeta, kTableCount };
constexpr std::array<const char*, kTableCount> kTableNames = {"hold_log", "dnr", "deletion_log", "meta"};
constexpr char kLastSweepKey[] = "last_sweep_ms_utc";


std::string SeqKey(uint64_t seq) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, seq >>= 8) key[static_cast<size_t>(i)] = static_cast<char>(seq & 0xff);
  return key;
}
uint64_t SeqOf(std::string_view key) {
  uint64_t seq = 0;
  for (char c : key) seq = (seq << 8) | static_cast<unsigned char>(c);
  return seq;
}

HoldAct ActFromJson(const nlohmann::json& j) {
  HoldAct a;
  a.lift = j.value("act", "") == "lift";
  a.recording_id = j.value("recording_id", "");
  a.case_ref = j.value("case", "");
  a.by = j.value("by", "");
  a.at_ms_utc = j.value("at_ms_utc", int64_t{0});
  a.reason = j.value("reason", "");
  return a;
}
std::string ActToJson(const HoldAct& a) {
  return DumpJson(nlohmann::json{{"act", a.lift ? "lift" : "place"}, {"recording_id", a.recording_id},
                                 {"case", a.case_ref}, {"by", a.by}, {"at_ms_utc", a.at_ms_utc},
                                 {"reason", a.reason}});
}
DeletionLogEntry DeletionFromJson(uint64_t seq, const nlohmann::json& j) {
  DeletionLogEntry e;
  e.seq = seq;
  e.recording_id = j.value("recording_id", "");
  e.cause = j.value("cause", "");
  e.by = j.value("by", "");
  e.reason = j.value("reason", "");
  e.decided_at_ms_utc = j.value("decided_at_ms_utc", int64_t{0});
  e.deleted_at_ms_utc = j.value("deleted_at_ms_utc", int64_t{0});
  e.site = j.value("site", "");
  e.start_ms_utc = j.value("start_ms_utc", int64_t{0});
  e.file_bytes = j.value("file_bytes", uint64_t{0});
  return e;
}
std::string DeletionToJson(const DeletionLogEntry& e) {
  return DumpJson(nlohmann::json{{"recording_id", e.recording_id},
                                 {"cause", e.cause},
                                 {"by", e.by},
                                 {"reason", e.reason},
                                 {"decided_at_ms_utc", e.decided_at_ms_utc},
                                 {"deleted_at_ms_utc", e.deleted_at_ms_utc},
                                 {"site", e.site},
                                 {"start_ms_utc", e.start_ms_utc},
                                 {"file_bytes", e.file_bytes}});
}

}  // namespace

class RulesDb::Impl {
 public:
  std::unique_ptr<KvDb> kv;

  Result<policy::HoldSet> Holds(const KvTxn& txn) const {
    policy::HoldSet set;
    Status replay = OkStatus();
    Status s = txn.Scan(kHoldLog, [&](std::string_view, std::string_view value) {
      const HoldAct a = ActFromJson(nlohmann::json::parse(value, nullptr, false));
      if (a.lift) {
        Result<policy::Hold> lifted = set.Lift(a.recording_id, a.case_ref, a.by, a.reason, a.at_ms_utc);
        if (!lifted.ok()) replay = lifted.error();
      } else {
        replay = set.Place(a.recording_id, a.case_ref, a.by, a.at_ms_utc);
      }
      return replay.ok();
    });
    if (!s.ok()) return s.error();
    if (!replay.ok()) return MakeError(500, "policy db: hold_log does not replay: " + replay.error().message);
    return set;
  }

  Result<uint64_t> NextSeq(const KvTxn& txn, Table table) const {
    Result<std::optional<std::string>> last = txn.LastKey(table);
    if (!last.ok()) return last.error();
    return last->has_value() ? SeqOf(**last) + 1 : 1;
  }

  Status AppendActs(KvWriteTxn& txn, const std::vector<HoldAct>& acts) const {
    Result<uint64_t> seq = NextSeq(txn, kHoldLog);
    if (!seq.ok()) return seq.error();
    for (const HoldAct& a : acts) {
      if (Status s = txn.Append(kHoldLog, SeqKey((*seq)++), ActToJson(a)); !s.ok()) return s;
    }
    return OkStatus();
  }
};

RulesDb::RulesDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RulesDb::~RulesDb() = default;

Result<std::unique_ptr<RulesDb>> RulesDb::Open(const std::filesystem::path& data_dir) {
  KvDbOptions options;
  options.name = "policy db";
  options.tables.assign(kTableNames.begin(), kTableNames.end());
  options.map_bytes = kMapBytes;
  Result<std::unique_ptr<KvDb>> kv = KvDb::Open(RulesDbDir(data_dir), std::move(options));
  if (!kv.ok()) return kv.error();
  auto impl = std::make_unique<Impl>();
  impl->kv = std::move(*kv);
  return std::unique_ptr<RulesDb>(new RulesDb(std::move(impl)));
}

Result<policy::HoldSet> RulesDb::LoadHolds() const {
  policy::HoldSet out;
  Status s = impl_->kv->Read([&](const KvTxn& txn) -> Status {
    Result<policy::HoldSet> set = impl_->Holds(txn);
    if (!set.ok()) return set.error();
    out = std::move(*set);
    return OkStatus();
  });
  if (!s.ok()) return s.error();
  return out;
}

std::vector<HoldAct> RulesDb::HoldLog() const {
  std::vector<HoldAct> out;
  (void)impl_->kv->Read([&](const KvTxn& txn) {
    return txn.Scan(kHoldLog, [&](std::string_view, std::string_view value) {
      out.push_back(ActFromJson(nlohmann::json::parse(value, nullptr, false)));
      return true;
    });
  });
  return out;
}

Status RulesDb::PlaceHolds(const std::vector<std::string>& recording_ids, std::string_view case_ref,
                           std::string_view by, int64_t at_ms_utc) {
  if (recording_ids.empty()) return MakeError(404, "hold: no recording matches");
  return impl_->kv->Write([&](KvWriteTxn& txn) -> Status {
    Result<policy::HoldSet> set = impl_->Holds(txn);
    if (!set.ok()) return set.error();
    std::vector<HoldAct> acts;
    for (const std::string& id : recording_ids) {
      if (Status s = set->Place(id, case_ref, by, at_ms_utc); !s.ok()) return s;
      acts.push_back(HoldAct{false, id, std::string(case_ref), std::string(by), at_ms_utc, ""});
    }
    return impl_->AppendActs(txn, acts);
  });
}

Status RulesDb::LiftHolds(const std::vector<std::string>& recording_ids, std::string_view case_ref,
                          std::string_view by, std::string_view reason, int64_t at_ms_utc) {
  if (recording_ids.empty()) return MakeError(404, "hold: no recording matches");
  return impl_->kv->Write([&](KvWriteTxn& txn) -> Status {
    Result<policy::HoldSet> set = impl_->Holds(txn);
    if (!set.ok()) return set.error();
    std::vector<HoldAct> acts;
    for (const std::string& id : recording_ids) {
      Result<policy::Hold> lifted = set->Lift(id, case_ref, by, reason, at_ms_utc);
      if (!lifted.ok()) return lifted.error();
      acts.push_back(HoldAct{true, id, std::string(case_ref), std::string(by), at_ms_utc, std::string(reason)});
    }
    return impl_->AppendActs(txn, acts);
  });
}

Status RulesDb::AddDoNotRecord(const DoNotRecordEntry& entry) {
  if (entry.number.empty() || entry.by.empty()) return MakeError(400, "dnr: number and --by are required");
  return impl_->kv->Write([&](KvWriteTxn& txn) -> Status {
    const std::string value =
        DumpJson(nlohmann::json{{"by", entry.by}, {"at_ms_utc", entry.at_ms_utc}, {"reason", entry.reason}});
    Result<bool> inserted = txn.Insert(kDnr, entry.number, value);
    if (!inserted.ok()) return inserted.error();
    if (!*inserted) return MakeError(409, "dnr: " + entry.number + " is already on the do-not-record list");
    return OkStatus();
  });
}

Status RulesDb::RemoveDoNotRecord(std::string_view number) {
  return impl_->kv->Write([&](KvWriteTxn& txn) -> Status {
    Result<bool> erased = txn.Erase(kDnr, number);
    if (!erased.ok()) return erased.error();
    if (!*erased) return MakeError(404, "dnr: " + std::string(number) + " is not on the do-not-record list");
    return OkStatus();
  });
}

Result<bool> RulesDb::IsDoNotRecord(std::string_view number) const {
  bool found = false;
  Status s = impl_->kv->Read([&](const KvTxn& txn) -> Status {
    Result<std::optional<std::string>> row = txn.Get(kDnr, number);
    if (!row.ok()) return row.error();
    found = row->has_value();
    return OkStatus();
  });
  if (!s.ok()) return s.error();
  return found;
}

Result<std::vector<DoNotRecordEntry>> RulesDb::DoNotRecordList() const {
  std::vector<DoNotRecordEntry> out;
  Status s = impl_->kv->Read([&](const KvTxn& txn) {
    return txn.Scan(kDnr, [&](std::string_view key, std::string_view value) {
      const nlohmann::json j = nlohmann::json::parse(value, nullptr, false);
      out.push_back(DoNotRecordEntry{std::string(key), j.value("by", ""), j.value("at_ms_utc", int64_t{0}),
                                     j.value("reason", "")});
      return true;
    });
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<std::vector<DeletionLogEntry>> RulesDb::LogDeletions(
    const std::function<std::vector<DeletionLogEntry>(const policy::HoldSet&)>& check) {
  std::vector<DeletionLogEntry> kept;
  Status s = impl_->kv->Write([&](KvWriteTxn& txn) -> Status {
    Result<policy::HoldSet> holds = impl_->Holds(txn);
    if (!holds.ok()) return holds.error();
    kept = check(*holds);
    Result<uint64_t> seq = impl_->NextSeq(txn, kDeletionLog);
    if (!seq.ok()) return seq.error();
    for (DeletionLogEntry& e : kept) {
      e.seq = (*seq)++;
      if (Status a = txn.Append(kDeletionLog, SeqKey(e.seq), DeletionToJson(e)); !a.ok()) return a;
    }
    return OkStatus();
  });
  if (!s.ok()) return s.error();
  return kept;
}

std::vector<DeletionLogEntry> RulesDb::DeletionLog(size_t limit) const {
  std::vector<DeletionLogEntry> out;
  (void)impl_->kv->Read([&](const KvTxn& txn) {
    return txn.Scan(
        kDeletionLog,
        [&](std::string_view key, std::string_view value) {
          out.push_back(DeletionFromJson(SeqOf(key), nlohmann::json::parse(value, nullptr, false)));
          return limit == 0 || out.size() < limit;
        },
        /*reverse=*/true);
  });
  return out;
}

std::optional<int64_t> RulesDb::LastSweep() const {
  std::optional<int64_t> out;
  (void)impl_->kv->Read([&](const KvTxn& txn) -> Status {
    Result<std::optional<std::string>> row = txn.Get(kMeta, kLastSweepKey);
    if (row.ok() && row->has_value()) out = std::stoll(**row);
    return OkStatus();
  });
  return out;
}

Status RulesDb::SetLastSweep(int64_t ms_utc) {
  return impl_->kv->Write(
      [&](KvWriteTxn& txn) { return txn.Put(kMeta, kLastSweepKey, std::to_string(ms_utc)); });
}

}  // namespace kronika::srs
