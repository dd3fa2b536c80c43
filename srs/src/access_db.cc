// AccessDb on LMDB (see access_db.h).
#include "access_db.h"

#include <lmdb.h>

#include <array>
#include <cstring>

namespace kronika::srs {
namespace {

constexpr size_t kMapBytes = size_t{256} << 20;
constexpr std::array<const char*, 6> kTableNames = {"users",       "tokens",       "requests",
                                                    "disclosures", "restrictions", "meta"};

Error LmdbError(std::string_view what, int rc) {
  return Error{ErrorCode::kIo, "access db: " + std::string(what) + ": " + mdb_strerror(rc)};
}

MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }

}  // namespace

class AccessDb::Impl {
 public:
  ~Impl() {
    if (env) mdb_env_close(env);
  }
  MDB_env* env = nullptr;
  std::array<MDB_dbi, kTableNames.size()> dbi{};
  MDB_dbi Dbi(AccessTable t) const { return dbi[static_cast<size_t>(t)]; }
};

namespace {

class WriteTxn final : public AccessWriteTxn {
 public:
  WriteTxn(const AccessDb::Impl& impl, MDB_txn* txn) : impl_(impl), txn_(txn) {}
  Result<std::optional<std::string>> Get(AccessTable table, std::string_view key) override {
    MDB_val k = Val(key), v{};
    int rc = mdb_get(txn_, impl_.Dbi(table), &k, &v);
    if (rc == MDB_NOTFOUND) return std::optional<std::string>();
    if (rc != 0) return LmdbError("get", rc);
    return std::optional<std::string>(std::string(static_cast<char*>(v.mv_data), v.mv_size));
  }
  Status Put(AccessTable table, std::string_view key, std::string_view value) override {
    MDB_val k = Val(key), v = Val(value);
    int rc = mdb_put(txn_, impl_.Dbi(table), &k, &v, 0);
    if (rc != 0) return LmdbError("put", rc);
    return OkStatus();
  }
  Status Delete(AccessTable table, std::string_view key) override {
    MDB_val k = Val(key);
    int rc = mdb_del(txn_, impl_.Dbi(table), &k, nullptr);
    if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError("delete", rc);
    return OkStatus();
  }
  Result<uint64_t> NextSequence(std::string_view name) override {
    const std::string key = "seq:" + std::string(name);
    Result<std::optional<std::string>> current = Get(AccessTable::kMeta, key);
    if (!current.ok()) return current.error();
    uint64_t next = current->has_value() ? std::stoull(**current) + 1 : 1;
    if (Status s = Put(AccessTable::kMeta, key, std::to_string(next)); !s.ok()) return s.error();
    return next;
  }

 private:
  const AccessDb::Impl& impl_;
  MDB_txn* txn_;
};

}  // namespace

Result<std::unique_ptr<AccessDb>> AccessDb::Open(const std::filesystem::path& data_dir) {
  const std::filesystem::path dir = AccessDir(data_dir) / "db";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return MakeError(500, "access db: cannot create " + dir.string() + ": " + ec.message());
  std::filesystem::permissions(AccessDir(data_dir), std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  auto impl = std::make_unique<Impl>();
  int rc = mdb_env_create(&impl->env);
  if (rc == 0) rc = mdb_env_set_maxdbs(impl->env, kTableNames.size());
  if (rc == 0) rc = mdb_env_set_mapsize(impl->env, kMapBytes);
  if (rc == 0) rc = mdb_env_open(impl->env, dir.c_str(), MDB_NOTLS, 0600);
  if (rc != 0) return LmdbError("open " + dir.string(), rc);
  MDB_txn* txn = nullptr;
  rc = mdb_txn_begin(impl->env, nullptr, 0, &txn);
  if (rc != 0) return LmdbError("begin", rc);
  for (size_t i = 0; i < kTableNames.size(); ++i) {
    rc = mdb_dbi_open(txn, kTableNames[i], MDB_CREATE, &impl->dbi[i]);
    if (rc != 0) {
      mdb_txn_abort(txn);
      return LmdbError(std::string("open table ") + kTableNames[i], rc);
    }
  }
  rc = mdb_txn_commit(txn);
  if (rc != 0) return LmdbError("commit", rc);
  return std::unique_ptr<AccessDb>(new AccessDb(std::move(impl)));
}

AccessDb::AccessDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AccessDb::~AccessDb() = default;

Result<std::optional<std::string>> AccessDb::Get(AccessTable table, std::string_view key) const {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(impl_->env, nullptr, MDB_RDONLY, &txn);
  if (rc != 0) return LmdbError("begin", rc);
  MDB_val k = Val(key), v{};
  rc = mdb_get(txn, impl_->Dbi(table), &k, &v);
  std::optional<std::string> out;
  if (rc == 0) out = std::string(static_cast<char*>(v.mv_data), v.mv_size);
  mdb_txn_abort(txn);
  if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError("get", rc);
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> AccessDb::List(AccessTable table) const {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(impl_->env, nullptr, MDB_RDONLY, &txn);
  if (rc != 0) return LmdbError("begin", rc);
  MDB_cursor* cursor = nullptr;
  rc = mdb_cursor_open(txn, impl_->Dbi(table), &cursor);
  if (rc != 0) {
    mdb_txn_abort(txn);
    return LmdbError("cursor", rc);
  }
  std::vector<std::pair<std::string, std::string>> out;
  MDB_val k{}, v{};
  for (rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    out.emplace_back(std::string(static_cast<char*>(k.mv_data), k.mv_size),
                     std::string(static_cast<char*>(v.mv_data), v.mv_size));
  }
  mdb_cursor_close(cursor);
  mdb_txn_abort(txn);
  if (rc != MDB_NOTFOUND) return LmdbError("scan", rc);
  return out;
}

Status AccessDb::Write(const std::function<Status(AccessWriteTxn&)>& fn) {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(impl_->env, nullptr, 0, &txn);
  if (rc != 0) return LmdbError("begin", rc);
  WriteTxn w(*impl_, txn);
  Status s = fn(w);
  if (!s.ok()) {
    mdb_txn_abort(txn);
    return s;
  }
  rc = mdb_txn_commit(txn);
  if (rc != 0) return LmdbError("commit", rc);
  return OkStatus();
}

}  // namespace kronika::srs
