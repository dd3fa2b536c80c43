// KvDb on LMDB (see kv_db.h).
#include "kronika/srs/store/kv_db.h"

#include <lmdb.h>

#include <system_error>
#include <utility>

namespace kronika::srs {
namespace {

MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view View(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

// Aborts the transaction unless it was committed: no path out of Read()/Write() - an
// error, an early return, an exception - leaves a transaction open.
class TxnGuard {
 public:
  explicit TxnGuard(MDB_txn* txn) : txn_(txn) {}
  ~TxnGuard() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
  }
  TxnGuard(const TxnGuard&) = delete;
  TxnGuard& operator=(const TxnGuard&) = delete;
  int Commit() { return mdb_txn_commit(std::exchange(txn_, nullptr)); }

 private:
  MDB_txn* txn_;
};

class CursorGuard {
 public:
  explicit CursorGuard(MDB_cursor* cursor) : cursor_(cursor) {}
  ~CursorGuard() { mdb_cursor_close(cursor_); }
  CursorGuard(const CursorGuard&) = delete;
  CursorGuard& operator=(const CursorGuard&) = delete;

 private:
  MDB_cursor* cursor_;
};

}  // namespace

class KvDb::Impl {
 public:
  ~Impl() {
    if (env != nullptr) mdb_env_close(env);
  }
  Error LmdbError(std::string_view what, int rc) const {
    return Error{ErrorCode::kIo, options.name + ": " + std::string(what) + ": " + mdb_strerror(rc)};
  }

  KvDbOptions options;
  MDB_env* env = nullptr;
  std::vector<unsigned> dbis;  // MDB_dbi per table
};

Error KvTxn::LmdbError(std::string_view what, int rc) const {
  return Error{ErrorCode::kIo, name_ + ": " + std::string(what) + ": " + mdb_strerror(rc)};
}

Result<std::optional<std::string>> KvTxn::Get(size_t table, std::string_view key) const {
  MDB_val k = Val(key), v{};
  const int rc = mdb_get(txn_, dbis_.at(table), &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string>();
  if (rc != 0) return LmdbError("get", rc);
  return std::optional<std::string>(std::string(View(v)));
}

Status KvTxn::Scan(size_t table, const Visitor& visit, bool reverse) const {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn_, dbis_.at(table), &cursor);
  if (rc != 0) return LmdbError("cursor", rc);
  CursorGuard close(cursor);
  MDB_val k{}, v{};
  for (rc = mdb_cursor_get(cursor, &k, &v, reverse ? MDB_LAST : MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor, &k, &v, reverse ? MDB_PREV : MDB_NEXT)) {
    if (!visit(View(k), View(v))) return OkStatus();
  }
  if (rc != MDB_NOTFOUND) return LmdbError("scan", rc);
  return OkStatus();
}

Result<std::optional<std::string>> KvTxn::LastKey(size_t table) const {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn_, dbis_.at(table), &cursor);
  if (rc != 0) return LmdbError("cursor", rc);
  CursorGuard close(cursor);
  MDB_val k{}, v{};
  rc = mdb_cursor_get(cursor, &k, &v, MDB_LAST);
  if (rc == MDB_NOTFOUND) return std::optional<std::string>();
  if (rc != 0) return LmdbError("cursor", rc);
  return std::optional<std::string>(std::string(View(k)));
}

Status KvWriteTxn::Put(size_t table, std::string_view key, std::string_view value) {
  MDB_val k = Val(key), v = Val(value);
  const int rc = mdb_put(txn_, dbis_.at(table), &k, &v, 0);
  if (rc != 0) return LmdbError("put", rc);
  return OkStatus();
}

Status KvWriteTxn::Append(size_t table, std::string_view key, std::string_view value) {
  MDB_val k = Val(key), v = Val(value);
  const int rc = mdb_put(txn_, dbis_.at(table), &k, &v, MDB_APPEND);
  if (rc != 0) return LmdbError("append", rc);
  return OkStatus();
}

Result<bool> KvWriteTxn::Insert(size_t table, std::string_view key, std::string_view value) {
  MDB_val k = Val(key), v = Val(value);
  const int rc = mdb_put(txn_, dbis_.at(table), &k, &v, MDB_NOOVERWRITE);
  if (rc == MDB_KEYEXIST) return false;
  if (rc != 0) return LmdbError("put", rc);
  return true;
}

Result<bool> KvWriteTxn::Erase(size_t table, std::string_view key) {
  MDB_val k = Val(key);
  const int rc = mdb_del(txn_, dbis_.at(table), &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) return LmdbError("delete", rc);
  return true;
}

KvDb::KvDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KvDb::~KvDb() = default;

Result<std::unique_ptr<KvDb>> KvDb::Open(const std::filesystem::path& dir, KvDbOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{ErrorCode::kIo, options.name + ": cannot create " + dir.string() + ": " + ec.message()};
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  const KvDbOptions& o = impl->options;
  int rc = mdb_env_create(&impl->env);
  if (rc == 0) rc = mdb_env_set_maxdbs(impl->env, static_cast<MDB_dbi>(o.tables.size()));
  if (rc == 0) rc = mdb_env_set_mapsize(impl->env, o.map_bytes);
  if (rc == 0) rc = mdb_env_open(impl->env, dir.c_str(), MDB_NOTLS, 0600);
  if (rc != 0) return impl->LmdbError("cannot open " + dir.string(), rc);
  MDB_txn* txn = nullptr;
  rc = mdb_txn_begin(impl->env, nullptr, 0, &txn);
  if (rc != 0) return impl->LmdbError("begin", rc);
  TxnGuard guard(txn);
  for (const std::string& table : o.tables) {
    MDB_dbi dbi = 0;
    rc = mdb_dbi_open(txn, table.c_str(), MDB_CREATE, &dbi);
    if (rc != 0) return impl->LmdbError("cannot open table " + table + " in " + dir.string(), rc);
    impl->dbis.push_back(dbi);
  }
  rc = guard.Commit();
  if (rc != 0) return impl->LmdbError("commit", rc);
  return std::unique_ptr<KvDb>(new KvDb(std::move(impl)));
}

Status KvDb::Read(const std::function<Status(const KvTxn&)>& fn) const {
  MDB_txn* txn = nullptr;
  const int rc = mdb_txn_begin(impl_->env, nullptr, MDB_RDONLY, &txn);
  if (rc != 0) return impl_->LmdbError("begin", rc);
  TxnGuard guard(txn);  // a read transaction is never committed, only ended
  const KvTxn view(impl_->options.name, impl_->dbis, txn);
  return fn(view);
}

Status KvDb::Write(const std::function<Status(KvWriteTxn&)>& fn) {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(impl_->env, nullptr, 0, &txn);
  if (rc != 0) return impl_->LmdbError("begin", rc);
  TxnGuard guard(txn);
  KvWriteTxn write(impl_->options.name, impl_->dbis, txn);
  Status s = fn(write);
  if (!s.ok()) return s;
  rc = guard.Commit();
  if (rc != 0) return impl_->LmdbError("commit", rc);
  return OkStatus();
}

}  // namespace kronika::srs
