// PolicyDb on LMDB (see policy_db.h).
#include "policy_db.h"

#include <lmdb.h>

#include <array>
#include <nlohmann/json.hpp>

namespace kronika::srs {
namespace {

constexpr size_t kMapBytes = size_t{1} << 30;
enum Table : size_t { kHoldLog, kDnr, kDeletionLog, kMeta, kTableCount };
constexpr std::array<const char*, kTableCount> kTableNames = {"hold_log", "dnr", "deletion_log", "meta"};
constexpr char kLastSweepKey[] = "last_sweep_ms_utc";

Error LmdbError(std::string_view what, int rc) {
  return Error{ErrorCode::kIo, "policy db: " + std::string(what) + ": " + mdb_strerror(rc)};
}
MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view View(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

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
  return nlohmann::json{{"act", a.lift ? "lift" : "place"}, {"recording_id", a.recording_id}, {"case", a.case_ref},
                        {"by", a.by}, {"at_ms_utc", a.at_ms_utc}, {"reason", a.reason}}
      .dump();
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
  return nlohmann::json{{"recording_id", e.recording_id},   {"cause", e.cause},
                        {"by", e.by},                       {"reason", e.reason},
                        {"decided_at_ms_utc", e.decided_at_ms_utc}, {"deleted_at_ms_utc", e.deleted_at_ms_utc},
                        {"site", e.site},                   {"start_ms_utc", e.start_ms_utc},
                        {"file_bytes", e.file_bytes}}
      .dump();
}

}  // namespace

class PolicyDb::Impl {
 public:
  ~Impl() {
    if (env != nullptr) mdb_env_close(env);
  }
  MDB_env* env = nullptr;
  std::array<MDB_dbi, kTableCount> dbi{};

  // Runs fn in a transaction; commits a write txn when fn succeeds.
  template <typename Fn>
  Status Txn(bool write, Fn&& fn) const {
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env, nullptr, write ? 0 : MDB_RDONLY, &txn);
    if (rc != 0) return LmdbError("begin", rc);
    Status s = fn(txn);
    if (!s.ok() || !write) {
      mdb_txn_abort(txn);
      return s;
    }
    rc = mdb_txn_commit(txn);
    if (rc != 0) return LmdbError("commit", rc);
    return OkStatus();
  }

  // Every (key, value) of a table, in key order.
  template <typename Fn>
  Status Scan(MDB_txn* txn, Table table, Fn&& fn, bool reverse = false) const {
    MDB_cursor* cursor = nullptr;
    int rc = mdb_cursor_open(txn, dbi[table], &cursor);
    if (rc != 0) return LmdbError("cursor", rc);
    MDB_val k{}, v{};
    for (rc = mdb_cursor_get(cursor, &k, &v, reverse ? MDB_LAST : MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cursor, &k, &v, reverse ? MDB_PREV : MDB_NEXT)) {
      if (!fn(View(k), View(v))) break;
    }
    mdb_cursor_close(cursor);
    return OkStatus();
  }

  Result<policy::HoldSet> Holds(MDB_txn* txn) const {
    policy::HoldSet set;
    Status replay = OkStatus();
    Status s = Scan(txn, kHoldLog, [&](std::string_view, std::string_view value) {
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

  Result<uint64_t> NextSeq(MDB_txn* txn, Table table) const {
    MDB_cursor* cursor = nullptr;
    int rc = mdb_cursor_open(txn, dbi[table], &cursor);
    if (rc != 0) return LmdbError("cursor", rc);
    MDB_val k{}, v{};
    rc = mdb_cursor_get(cursor, &k, &v, MDB_LAST);
    const uint64_t next = rc == 0 ? SeqOf(View(k)) + 1 : 1;
    mdb_cursor_close(cursor);
    return next;
  }

  Status Append(MDB_txn* txn, Table table, uint64_t seq, const std::string& value) const {
    const std::string key = SeqKey(seq);
    MDB_val k = Val(key), v = Val(value);
    int rc = mdb_put(txn, dbi[table], &k, &v, MDB_APPEND);
    if (rc != 0) return LmdbError("append", rc);
    return OkStatus();
  }

  Status AppendActs(MDB_txn* txn, const std::vector<HoldAct>& acts) const {
    Result<uint64_t> seq = NextSeq(txn, kHoldLog);
    if (!seq.ok()) return seq.error();
    for (const HoldAct& a : acts) {
      if (Status s = Append(txn, kHoldLog, (*seq)++, ActToJson(a)); !s.ok()) return s;
    }
    return OkStatus();
  }
};

PolicyDb::PolicyDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PolicyDb::~PolicyDb() = default;

Result<std::unique_ptr<PolicyDb>> PolicyDb::Open(const std::filesystem::path& data_dir) {
  const std::filesystem::path dir = PolicyDbDir(data_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return MakeError(500, "policy db: cannot create " + dir.string() + ": " + ec.message());
  auto impl = std::make_unique<Impl>();
  int rc = mdb_env_create(&impl->env);
  if (rc == 0) rc = mdb_env_set_maxdbs(impl->env, kTableCount);
  if (rc == 0) rc = mdb_env_set_mapsize(impl->env, kMapBytes);
  if (rc == 0) rc = mdb_env_open(impl->env, dir.c_str(), MDB_NOTLS, 0600);
  if (rc != 0) return MakeError(500, "policy db: cannot open " + dir.string() + ": " + mdb_strerror(rc));
  MDB_txn* txn = nullptr;
  rc = mdb_txn_begin(impl->env, nullptr, 0, &txn);
  for (size_t i = 0; rc == 0 && i < kTableCount; ++i) rc = mdb_dbi_open(txn, kTableNames[i], MDB_CREATE, &impl->dbi[i]);
  if (rc == 0) {
    rc = mdb_txn_commit(txn);
  } else if (txn != nullptr) {
    mdb_txn_abort(txn);
  }
  if (rc != 0) return MakeError(500, "policy db: cannot open tables in " + dir.string() + ": " + mdb_strerror(rc));
  return std::unique_ptr<PolicyDb>(new PolicyDb(std::move(impl)));
}

Result<policy::HoldSet> PolicyDb::LoadHolds() const {
  policy::HoldSet out;
  Status s = impl_->Txn(false, [&](MDB_txn* txn) -> Status {
    Result<policy::HoldSet> set = impl_->Holds(txn);
    if (!set.ok()) return set.error();
    out = std::move(*set);
    return OkStatus();
  });
  if (!s.ok()) return s.error();
  return out;
}

std::vector<HoldAct> PolicyDb::HoldLog() const {
  std::vector<HoldAct> out;
  (void)impl_->Txn(false, [&](MDB_txn* txn) {
    return impl_->Scan(txn, kHoldLog, [&](std::string_view, std::string_view value) {
      out.push_back(ActFromJson(nlohmann::json::parse(value, nullptr, false)));
      return true;
    });
  });
  return out;
}

Status PolicyDb::PlaceHolds(const std::vector<std::string>& recording_ids, std::string_view case_ref,
                            std::string_view by, int64_t at_ms_utc) {
  if (recording_ids.empty()) return MakeError(404, "hold: no recording matches");
  return impl_->Txn(true, [&](MDB_txn* txn) -> Status {
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

Status PolicyDb::LiftHolds(const std::vector<std::string>& recording_ids, std::string_view case_ref,
                           std::string_view by, std::string_view reason, int64_t at_ms_utc) {
  if (recording_ids.empty()) return MakeError(404, "hold: no recording matches");
  return impl_->Txn(true, [&](MDB_txn* txn) -> Status {
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

Status PolicyDb::AddDoNotRecord(const DoNotRecordEntry& entry) {
  if (entry.number.empty() || entry.by.empty()) return MakeError(400, "dnr: number and --by are required");
  return impl_->Txn(true, [&](MDB_txn* txn) -> Status {
    const std::string value =
        nlohmann::json{{"by", entry.by}, {"at_ms_utc", entry.at_ms_utc}, {"reason", entry.reason}}.dump();
    MDB_val k = Val(entry.number), v = Val(value);
    int rc = mdb_put(txn, impl_->dbi[kDnr], &k, &v, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST) return MakeError(409, "dnr: " + entry.number + " is already on the do-not-record list");
    if (rc != 0) return LmdbError("put", rc);
    return OkStatus();
  });
}

Status PolicyDb::RemoveDoNotRecord(std::string_view number) {
  return impl_->Txn(true, [&](MDB_txn* txn) -> Status {
    MDB_val k = Val(number);
    int rc = mdb_del(txn, impl_->dbi[kDnr], &k, nullptr);
    if (rc == MDB_NOTFOUND) return MakeError(404, "dnr: " + std::string(number) + " is not on the do-not-record list");
    if (rc != 0) return LmdbError("delete", rc);
    return OkStatus();
  });
}

Result<bool> PolicyDb::IsDoNotRecord(std::string_view number) const {
  bool found = false;
  Status s = impl_->Txn(false, [&](MDB_txn* txn) -> Status {
    MDB_val k = Val(number), v{};
    int rc = mdb_get(txn, impl_->dbi[kDnr], &k, &v);
    if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError("get", rc);
    found = rc == 0;
    return OkStatus();
  });
  if (!s.ok()) return s.error();
  return found;
}

Result<std::vector<DoNotRecordEntry>> PolicyDb::DoNotRecordList() const {
  std::vector<DoNotRecordEntry> out;
  Status s = impl_->Txn(false, [&](MDB_txn* txn) {
    return impl_->Scan(txn, kDnr, [&](std::string_view key, std::string_view value) {
      const nlohmann::json j = nlohmann::json::parse(value, nullptr, false);
      out.push_back(DoNotRecordEntry{std::string(key), j.value("by", ""), j.value("at_ms_utc", int64_t{0}),
                                     j.value("reason", "")});
      return true;
    });
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<std::vector<DeletionLogEntry>> PolicyDb::LogDeletions(
    const std::function<std::vector<DeletionLogEntry>(const policy::HoldSet&)>& check) {
  std::vector<DeletionLogEntry> kept;
  Status s = impl_->Txn(true, [&](MDB_txn* txn) -> Status {
    Result<policy::HoldSet> holds = impl_->Holds(txn);
    if (!holds.ok()) return holds.error();
    kept = check(*holds);
    Result<uint64_t> seq = impl_->NextSeq(txn, kDeletionLog);
    if (!seq.ok()) return seq.error();
    for (DeletionLogEntry& e : kept) {
      e.seq = (*seq)++;
      if (Status a = impl_->Append(txn, kDeletionLog, e.seq, DeletionToJson(e)); !a.ok()) return a;
    }
    return OkStatus();
  });
  if (!s.ok()) return s.error();
  return kept;
}

std::vector<DeletionLogEntry> PolicyDb::DeletionLog(size_t limit) const {
  std::vector<DeletionLogEntry> out;
  (void)impl_->Txn(false, [&](MDB_txn* txn) {
    return impl_->Scan(
        txn, kDeletionLog,
        [&](std::string_view key, std::string_view value) {
          out.push_back(DeletionFromJson(SeqOf(key), nlohmann::json::parse(value, nullptr, false)));
          return limit == 0 || out.size() < limit;
        },
        /*reverse=*/true);
  });
  return out;
}

std::optional<int64_t> PolicyDb::LastSweep() const {
  std::optional<int64_t> out;
  (void)impl_->Txn(false, [&](MDB_txn* txn) -> Status {
    MDB_val k = Val(kLastSweepKey), v{};
    if (mdb_get(txn, impl_->dbi[kMeta], &k, &v) == 0) out = std::stoll(std::string(View(v)));
    return OkStatus();
  });
  return out;
}

Status PolicyDb::SetLastSweep(int64_t ms_utc) {
  return impl_->Txn(true, [&](MDB_txn* txn) -> Status {
    const std::string value = std::to_string(ms_utc);
    MDB_val k = Val(kLastSweepKey), v = Val(value);
    int rc = mdb_put(txn, impl_->dbi[kMeta], &k, &v, 0);
    if (rc != 0) return LmdbError("put", rc);
    return OkStatus();
  });
}

}  // namespace kronika::srs
