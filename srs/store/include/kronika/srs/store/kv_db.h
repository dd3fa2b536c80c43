// KvDb: one LMDB environment of named tables of byte strings, with transactions that
// cannot be left open. The small compliance databases (the access db, the rules db) are
// built on it, so that srs/store stays the only user of <lmdb.h> (srs/store/include_rules.toml)
// and every LMDB transaction in the daemon is scoped: Read()/Write() begin one, run the
// caller's function, and end it on every path out of the function - return, error or
// exception (a write is committed only when the function returned ok).
//
// Tables are named at Open() and addressed by their index in KvDbOptions::tables.
// Keys and values are arbitrary bytes; rows are visited in LMDB's key order (bytewise).
// Error messages start with KvDbOptions::name ("access db: put: MDB_MAP_FULL: ...") and
// carry ErrorCode::kIo.
//
// Threads: a KvDb may be used from any thread; several processes may open the same
// directory (LMDB serialises writers across processes, readers never block). A KvTxn /
// KvWriteTxn is valid only inside the function it was passed to, on that thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/result.h"

struct MDB_txn;  // LMDB's transaction handle; only srs/store/src names its members

namespace kronika::srs {

struct KvDbOptions {
  std::string name;                 // prefix of every error message, e.g. "access db"
  std::vector<std::string> tables;  // named tables, created when missing
  uint64_t map_bytes = uint64_t{256} << 20;  // LMDB map size (upper bound of the file)
};

// A read view of the database: everything committed when the transaction began.
class KvTxn {
 public:
  KvTxn(const KvTxn&) = delete;
  KvTxn& operator=(const KvTxn&) = delete;

  // The value of `key`; nullopt when absent. Error: LMDB failure.
  Result<std::optional<std::string>> Get(size_t table, std::string_view key) const;
  // Calls `visit(key, value)` for each row in key order (from the last with `reverse`)
  // until it returns false. Error: LMDB failure (rows visited before it stay visited).
  using Visitor = std::function<bool(std::string_view key, std::string_view value)>;
  Status Scan(size_t table, const Visitor& visit, bool reverse = false) const;
  // The greatest key of the table; nullopt when the table is empty.
  Result<std::optional<std::string>> LastKey(size_t table) const;

 protected:
  friend class KvDb;
  KvTxn(const std::string& name, const std::vector<unsigned>& dbis, MDB_txn* txn)
      : name_(name), dbis_(dbis), txn_(txn) {}
  ~KvTxn() = default;
  Error LmdbError(std::string_view what, int rc) const;

  const std::string& name_;
  const std::vector<unsigned>& dbis_;  // MDB_dbi per table
  MDB_txn* txn_;
};

// A write transaction: reads see its own writes.
class KvWriteTxn : public KvTxn {
 public:
  // Inserts or replaces.
  Status Put(size_t table, std::string_view key, std::string_view value);
  // Inserts a row whose key is greater than every key in the table (sequence logs);
  // error when it is not.
  Status Append(size_t table, std::string_view key, std::string_view value);
  // Inserts only when `key` is absent: false (and nothing written) when it is present.
  Result<bool> Insert(size_t table, std::string_view key, std::string_view value);
  // Removes `key`: false when it was absent.
  Result<bool> Erase(size_t table, std::string_view key);

 private:
  friend class KvDb;
  using KvTxn::KvTxn;
};

class KvDb {
 public:
  // Creates `dir` when missing and opens (creating) the tables. Error names the directory.
  static Result<std::unique_ptr<KvDb>> Open(const std::filesystem::path& dir, KvDbOptions options);
  ~KvDb();
  KvDb(const KvDb&) = delete;
  KvDb& operator=(const KvDb&) = delete;

  // Runs `fn` in one read transaction and returns what it returns (or the error that kept
  // the transaction from beginning).
  Status Read(const std::function<Status(const KvTxn&)>& fn) const;
  // Runs `fn` in one write transaction (waiting for writers of other threads and
  // processes), commits when it returns ok, aborts when it returns an error or throws
  // (the exception is rethrown). Error: `fn`'s, or the commit's.
  Status Write(const std::function<Status(KvWriteTxn&)>& fn);

  class Impl;

 private:
  explicit KvDb(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kronika::srs
