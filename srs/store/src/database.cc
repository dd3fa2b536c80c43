// Database on LmdbEnv (see database.h).
#include "kronika/srs/store/database.h"

#include <unistd.h>

#include <map>
#include <system_error>

#include "database_impl.h"
#include "kronika/mutex.h"
#include "kronika/thread_annotations.h"
#include "lmdb_env.h"

namespace kronika::srs {
namespace {

// The environments this process has open, by directory. A process-wide table, and the one
// mutable global of the store: LMDB itself requires that an environment be opened once
// per process, so the knowledge of which are open is process-wide by nature.
// Each entry carries the PID that opened it: a child made by fork() inherits the table but
// not the right to use its parent's environments (LMDB's rule), so it opens its own.
struct OpenEntry {
  pid_t pid = 0;
  std::weak_ptr<Database> db;
};
Mutex g_open_mu;
std::map<std::string, OpenEntry>& OpenDatabases() REQUIRES(g_open_mu) {
  static auto* open = new std::map<std::string, OpenEntry>();
  return *open;
}

std::string RegistryKey(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(std::filesystem::absolute(dir, ec), ec);
  return (ec ? dir : p).lexically_normal().string();
}

// Runs fn(cursor) over a table with an open cursor, or returns the cursor's open error.
int WithCursor(MDB_txn* txn, unsigned dbi, const std::function<int(LmdbCursor&)>& fn) {
  LmdbCursor cursor(txn, dbi);
  if (cursor.open_rc() != 0) return cursor.open_rc();
  return fn(cursor);
}

}  // namespace

// ---- ReadTxn / WriteTxn ----

Error ReadTxn::LmdbError(std::string_view what, int rc) const {
  if (rc == MDB_MAP_FULL) map_full_ = true;
  return db_.impl().env->LmdbError(what, rc);
}

void ReadTxn::ReportBadRow(const Table& table, std::string_view key, const Error& why) const {
  db_.bad_rows().Report(table.name(), key, why.message, table.personal_keys_);
}

Result<std::optional<std::string>> ReadTxn::Get(const Table& table, std::string_view key) const {
  if (!table.exists_) return std::optional<std::string>();
  MDB_val k = LmdbVal(key), v{};
  const int rc = mdb_get(txn_, table.dbi_, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string>();
  if (rc != 0) return LmdbError("get from " + table.name(), rc);
  return std::optional<std::string>(std::string(LmdbView(v)));
}

Status ReadTxn::Scan(const Table& table, const Visitor& visit, bool reverse) const {
  if (!table.exists_) return OkStatus();
  const int rc = WithCursor(txn_, table.dbi_, [&](LmdbCursor& cursor) {
    MDB_val k{}, v{};
    int rc = cursor.Get(k, v, reverse ? MDB_LAST : MDB_FIRST);
    for (; rc == 0; rc = cursor.Get(k, v, reverse ? MDB_PREV : MDB_NEXT)) {
      if (!visit(LmdbView(k), LmdbView(v))) return 0;
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
  });
  if (rc != 0) return LmdbError("scan " + table.name(), rc);
  return OkStatus();
}

Status ReadTxn::ScanFrom(const Table& table, std::string_view from, const Visitor& visit) const {
  if (!table.exists_) return OkStatus();
  const int rc = WithCursor(txn_, table.dbi_, [&](LmdbCursor& cursor) {
    MDB_val k = LmdbVal(from), v{};
    int rc = cursor.Get(k, v, MDB_SET_RANGE);
    for (; rc == 0; rc = cursor.Get(k, v, MDB_NEXT)) {
      if (!visit(LmdbView(k), LmdbView(v))) return 0;
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
  });
  if (rc != 0) return LmdbError("scan " + table.name(), rc);
  return OkStatus();
}

Result<std::optional<std::string>> ReadTxn::LastKey(const Table& table) const {
  if (!table.exists_) return std::optional<std::string>();
  std::optional<std::string> last;
  const int rc = WithCursor(txn_, table.dbi_, [&](LmdbCursor& cursor) {
    MDB_val k{}, v{};
    const int rc = cursor.Get(k, v, MDB_LAST);
    if (rc == 0) last = std::string(LmdbView(k));
    return rc == MDB_NOTFOUND ? 0 : rc;
  });
  if (rc != 0) return LmdbError("last key of " + table.name(), rc);
  return last;
}

Result<uint64_t> ReadTxn::Count(const Table& table) const {
  if (!table.exists_) return uint64_t{0};
  MDB_stat st;
  const int rc = mdb_stat(txn_, table.dbi_, &st);
  if (rc != 0) return LmdbError("stat " + table.name(), rc);
  return static_cast<uint64_t>(st.ms_entries);
}

Status WriteTxn::Put(const Table& table, std::string_view key, std::string_view value) {
  MDB_val k = LmdbVal(key), v = LmdbVal(value);
  const int rc = mdb_put(txn_, table.dbi_, &k, &v, 0);
  if (rc != 0) return LmdbError("put into " + table.name(), rc);
  return OkStatus();
}

Status WriteTxn::Append(const Table& table, std::string_view key, std::string_view value) {
  MDB_val k = LmdbVal(key), v = LmdbVal(value);
  const int rc = mdb_put(txn_, table.dbi_, &k, &v, MDB_APPEND);
  if (rc != 0) return LmdbError("append to " + table.name(), rc);
  return OkStatus();
}

Result<bool> WriteTxn::Insert(const Table& table, std::string_view key, std::string_view value) {
  MDB_val k = LmdbVal(key), v = LmdbVal(value);
  const int rc = mdb_put(txn_, table.dbi_, &k, &v, MDB_NOOVERWRITE);
  if (rc == MDB_KEYEXIST) return false;
  if (rc != 0) return LmdbError("put into " + table.name(), rc);
  return true;
}

Result<bool> WriteTxn::Erase(const Table& table, std::string_view key) {
  MDB_val k = LmdbVal(key);
  const int rc = mdb_del(txn_, table.dbi_, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) return LmdbError("delete from " + table.name(), rc);
  return true;
}

Status WriteTxn::Clear(const Table& table) {
  const int rc = mdb_drop(txn_, table.dbi_, 0);
  if (rc != 0) return LmdbError("clear " + table.name(), rc);
  return OkStatus();
}

// ---- Database ----

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Database::~Database() {
  // Closed under the registry's lock, so that no new instance of the same environment is
  // opened before this one is closed.
  MutexLock lock(g_open_mu);
  auto& open = OpenDatabases();
  auto it = open.find(RegistryKey(impl_->env->dir()));
  if (it != open.end() && it->second.pid == ::getpid() && it->second.db.expired()) open.erase(it);
  impl_.reset();
}

Result<std::shared_ptr<Database>> Database::Open(const std::filesystem::path& dir,
                                                 const DatabaseOptions& options) {
  MutexLock lock(g_open_mu);
  const std::string key = RegistryKey(dir);
  auto& open = OpenDatabases();
  if (auto it = open.find(key); it != open.end() && it->second.pid == ::getpid()) {
    if (std::shared_ptr<Database> existing = it->second.db.lock()) {
      if (!options.read_only && existing->read_only()) {
        return Error{ErrorCode::kInternal,
                     "store: " + dir.string() + " is already open read-only in this process"};
      }
      return existing;
    }
  }
  std::shared_ptr<DataDirLock> owner;
  if (!options.read_only) {
    // Only the owner of the data directory opens it read-write (data_dir_lock.h).
    Result<std::shared_ptr<DataDirLock>> lock = DataDirLock::Acquire(dir.parent_path(), "kronika");
    if (!lock.ok()) return Error{lock.error().code, "store: " + lock.error().message};
    owner = std::move(*lock);
  }
  LmdbEnvOptions env_options;
  env_options.name = "store";
  env_options.read_only = options.read_only;
  env_options.map_size_bytes = options.map_size_bytes;
  env_options.max_map_size_bytes = options.max_map_size_bytes;
  env_options.durable = options.durable;
  env_options.max_readers = options.max_readers;
  env_options.no_lock = options.read_only && options.snapshot;
  Result<std::unique_ptr<LmdbEnv>> env = LmdbEnv::Open(dir, env_options);
  if (!env.ok()) return env.error();
  auto impl = std::make_unique<Impl>();
  impl->owner = std::move(owner);
  impl->env = std::move(*env);
  std::shared_ptr<Database> db(new Database(std::move(impl)));
  open[key] = OpenEntry{::getpid(), db};
  return db;
}

Result<Table> Database::OpenTable(const std::string& name, TableOptions options) {
  Table table;
  table.name_ = name;
  table.personal_keys_ = options.personal_keys;
  int rc = 0;
  Result<MDB_dbi> dbi = impl_->env->OpenTable(name, 0, &rc);
  if (!dbi.ok()) {
    if (!(read_only() && rc == MDB_NOTFOUND)) return dbi.error();
    table.exists_ = false;  // nothing written there yet: reads find nothing
  } else {
    table.dbi_ = *dbi;
    table.exists_ = true;
  }
  impl_->bad_rows.Declare(name);
  return table;
}

Status Database::Read(const std::function<Status(const ReadTxn&)>& fn) const {
  Result<LmdbTxn> txn = impl_->env->BeginRead();
  if (!txn.ok()) return txn.error();
  const ReadTxn view(*this, txn->get());
  return fn(view);  // the transaction ends when `txn` goes out of scope, on every path
}

Status Database::Write(const std::function<Status(WriteTxn&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    int rc = 0;
    {
      Result<LmdbTxn> txn = impl_->env->BeginWrite();
      if (!txn.ok()) return txn.error();
      WriteTxn write(*this, txn->get());
      Status s = fn(write);  // a throw aborts the transaction (LmdbTxn's destructor)
      if (!s.ok()) {
        if (!write.map_full_) return s;
        rc = MDB_MAP_FULL;
      } else {
        rc = txn->Commit();
        if (rc == 0) return OkStatus();
      }
    }
    if (rc == MDB_MAP_FULL && attempt < 8 && impl_->env->Grow()) continue;
    return impl_->env->LmdbError("commit", rc);
  }
}

Status Database::CopyTo(const std::filesystem::path& dest_dir) const {
  std::error_code ec;
  if (std::filesystem::exists(dest_dir / "data.mdb", ec)) {
    return Error{ErrorCode::kConflict, "store: " + dest_dir.string() + " already holds a database"};
  }
  std::filesystem::create_directories(dest_dir, ec);
  if (ec) return Error{ErrorCode::kIo, "store: cannot create " + dest_dir.string() + ": " + ec.message()};
  const int rc = mdb_env_copy2(impl_->env->env(), dest_dir.c_str(), MDB_CP_COMPACT);
  if (rc != 0) return impl_->env->LmdbError("copy to " + dest_dir.string(), rc);
  return OkStatus();
}

bool Database::read_only() const { return impl_->env->options().read_only; }
const std::filesystem::path& Database::dir() const { return impl_->env->dir(); }
BadRows& Database::bad_rows() const { return impl_->bad_rows; }

Result<DatabaseStats> Database::Stats() const {
  DatabaseStats stats;
  stats.map_size_bytes = impl_->env->MapSizeBytes();
  stats.used_bytes = impl_->env->UsedBytes();
  std::error_code ec;
  stats.file_bytes = std::filesystem::file_size(dir() / "data.mdb", ec);
  return stats;
}

Result<std::vector<TableRows>> ReadSeparateEnvironment(const std::filesystem::path& dir,
                                                       const std::vector<std::string>& tables) {
  LmdbEnvOptions options;
  options.name = "store (" + dir.string() + ")";
  options.read_only = true;
  options.max_tables = static_cast<unsigned>(tables.size() + 1);
  Result<std::unique_ptr<LmdbEnv>> env = LmdbEnv::Open(dir, options);
  if (!env.ok()) return env.error();
  std::vector<TableRows> out(tables.size());
  Result<LmdbTxn> txn = (*env)->BeginRead();
  if (!txn.ok()) return txn.error();
  for (size_t i = 0; i < tables.size(); ++i) {
    MDB_dbi dbi = 0;
    int rc = mdb_dbi_open(txn->get(), tables[i].c_str(), 0, &dbi);
    if (rc == MDB_NOTFOUND) continue;
    if (rc != 0) return (*env)->LmdbError("cannot open table '" + tables[i] + "'", rc);
    LmdbCursor cursor(txn->get(), dbi);
    if (cursor.open_rc() != 0) return (*env)->LmdbError("cursor", cursor.open_rc());
    MDB_val k{}, v{};
    for (rc = cursor.Get(k, v, MDB_FIRST); rc == 0; rc = cursor.Get(k, v, MDB_NEXT)) {
      out[i].emplace_back(std::string(LmdbView(k)), std::string(LmdbView(v)));
    }
    if (rc != MDB_NOTFOUND) return (*env)->LmdbError("scan " + tables[i], rc);
  }
  return out;
}

}  // namespace kronika::srs
