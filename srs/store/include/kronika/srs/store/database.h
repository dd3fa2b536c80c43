// Database: the one LMDB environment of a data directory, `<data_dir>/db` (StoreDir()).
// Every table Kronika keeps lives in it - the recordings and their indexes (Store,
// store.h), the rules tables (legal holds, do-not-record, deletion log: srs/rules) and the
// access tables (users, tokens, requests, disclosures, restrictions: srs/access) - so that
// a state change and any row recorded with it (an outbox event, an index) commit in one
// transaction, and one mdb_env_copy2 is a consistent backup of all of it (CopyTo).
//
// srs/store is the only user of <lmdb.h>: the layers above see tables, transactions and
// typed records, never an LMDB handle.
//  * Transactions are scoped: Read()/Write() begin one, run the caller's function and end
//    it on every path out of it - return, error or exception (a write commits only when
//    the function returned ok). No caller can leave a transaction open.
//  * MDB_MAP_RESIZED (another process grew the map) is adopted where transactions begin,
//    in readers and writers; MDB_MAP_FULL grows the map (up to max_map_size_bytes) and
//    runs the write function again: a write function must only act on its transaction and
//    assign (not append to) what it hands out, so that running it twice is harmless.
//  * Rows are typed: a table has one codec (record_codec.h) and is read with GetRecord /
//    ScanRecords, which never throw. A row the codec refuses is skipped, counted and
//    reported (bad_rows.h) - in the daemon, the sweeper and every CLI listing alike.
//
// One instance per environment per process: LMDB forbids opening an environment twice in
// one process (its locks would be released by the second close), so Open() hands out the
// instance already open for that directory (a read-write instance also serves read-only
// requests). Only the owner of the data directory opens it read-write (data_dir_lock.h).
//
// Threads: a Database may be used from any thread; a ReadTxn / WriteTxn only inside the
// function it was passed to, on that thread. A write function must not start another
// Write() of the same database (it would wait for itself).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/store/bad_rows.h"

struct MDB_txn;  // LMDB's transaction handle; only srs/store/src names its members

namespace kronika::srs {

class Database;

struct DatabaseOptions {
  bool read_only = false;
  uint64_t map_size_bytes = uint64_t{1} << 30;       // initial LMDB map size (1 GiB)
  uint64_t max_map_size_bytes = uint64_t{64} << 30;  // grown up to this on MDB_MAP_FULL
  bool durable = true;                               // false: MDB_NOSYNC
  unsigned max_readers = 512;                        // read transactions, all processes
  // With read_only: a copy no process writes (a backup), opened without LMDB's lock file
  // so that reading it leaves the directory as it was.
  bool snapshot = false;
};

struct TableOptions {
  bool personal_keys = false;  // keys are numbers or names: kept out of bad-row log lines
};

// A named table of a Database: a copyable handle, valid while the Database lives.
class Table {
 public:
  Table() = default;
  const std::string& name() const { return name_; }
  // False for a table a read-only Database does not have yet: it reads as empty.
  bool exists() const { return exists_; }

 private:
  friend class Database;
  friend class ReadTxn;
  friend class WriteTxn;
  std::string name_;
  unsigned dbi_ = 0;
  bool exists_ = false;
  bool personal_keys_ = false;
};

// A read view: everything committed when the transaction began.
class ReadTxn {
 public:
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;

  // The value of `key`; nullopt when absent. Error: LMDB failure.
  Result<std::optional<std::string>> Get(const Table& table, std::string_view key) const;
  // Calls `visit(key, value)` for each row in key order (bytewise; from the last with
  // `reverse`; from the first key >= `from` when given) until it returns false.
  using Visitor = std::function<bool(std::string_view key, std::string_view value)>;
  Status Scan(const Table& table, const Visitor& visit, bool reverse = false) const;
  Status ScanFrom(const Table& table, std::string_view from, const Visitor& visit) const;
  // The greatest key; nullopt when the table is empty.
  Result<std::optional<std::string>> LastKey(const Table& table) const;
  Result<uint64_t> Count(const Table& table) const;

  // Typed rows. `Codec` has `using Record = ...;` and
  // `static Result<Record> Decode(std::string_view key, std::string_view bytes)`.
  // GetRecord: nullopt when absent; a row the codec refuses is reported and returned as
  // its kCorrupt error. ScanRecords: rows the codec refuses are reported and skipped.
  template <typename Codec>
  Result<std::optional<typename Codec::Record>> GetRecord(const Table& table,
                                                          std::string_view key) const;
  template <typename Codec>
  Status ScanRecords(const Table& table,
                     const std::function<bool(std::string_view key, typename Codec::Record&& record)>& visit,
                     bool reverse = false) const;

  // Reports a row that does not decode (BadRows::Report with the table's options).
  void ReportBadRow(const Table& table, std::string_view key, const Error& why) const;

 protected:
  friend class Database;
  friend struct WriteTxnAccess;  // database_impl.h
  ReadTxn(const Database& db, MDB_txn* txn) : db_(db), txn_(txn) {}
  ~ReadTxn() = default;
  Error LmdbError(std::string_view what, int rc) const;

  const Database& db_;
  MDB_txn* txn_;
  mutable bool map_full_ = false;  // an operation failed with MDB_MAP_FULL (Write grows)
};

// A write transaction: reads see its own writes.
class WriteTxn : public ReadTxn {
 public:
  // Inserts or replaces.
  Status Put(const Table& table, std::string_view key, std::string_view value);
  // Inserts a row whose key is greater than every key of the table (sequence logs);
  // error when it is not.
  Status Append(const Table& table, std::string_view key, std::string_view value);
  // Inserts only when `key` is absent: false (and nothing written) when present.
  Result<bool> Insert(const Table& table, std::string_view key, std::string_view value);
  // Removes `key`: false when it was absent.
  Result<bool> Erase(const Table& table, std::string_view key);
  // Removes every row of the table.
  Status Clear(const Table& table);

  template <typename Codec>
  Status PutRecord(const Table& table, std::string_view key, const typename Codec::Record& record) {
    return Put(table, key, Codec::Encode(record));
  }

 private:
  friend class Database;
  friend struct WriteTxnAccess;  // database_impl.h
  using ReadTxn::ReadTxn;
};

struct DatabaseStats {
  uint64_t map_size_bytes = 0;  // this process's map size
  uint64_t used_bytes = 0;      // pages in use * page size
  uint64_t file_bytes = 0;      // data.mdb on disk
};

class Database : public std::enable_shared_from_this<Database> {
 public:
  // Opens the environment in `dir` (created when read-write and missing), or hands out the
  // instance this process already has open there (see above; a read-only instance cannot
  // serve a read-write request: error). Read-only and missing: kNotFound naming `dir`.
  static Result<std::shared_ptr<Database>> Open(const std::filesystem::path& dir,
                                                const DatabaseOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // A table (created when read-write). Read-only and missing: a table that reads empty.
  Result<Table> OpenTable(const std::string& name, TableOptions options = {});

  // Runs `fn` in one read transaction; returns what it returns (or the begin error).
  Status Read(const std::function<Status(const ReadTxn&)>& fn) const;
  // Runs `fn` in one write transaction (waiting for the writers of other threads and
  // processes); commits when it returns ok, aborts when it returns an error or throws (the
  // exception is rethrown). On MDB_MAP_FULL the map grows and `fn` runs again. Error:
  // `fn`'s, the commit's, kIo when read-only.
  Status Write(const std::function<Status(WriteTxn&)>& fn);

  // An online, consistent, compacted copy of the whole environment into `dest_dir` (which
  // must exist and hold no data.mdb): mdb_env_copy2 with MDB_CP_COMPACT, from one read
  // transaction - writers go on meanwhile.
  Status CopyTo(const std::filesystem::path& dest_dir) const;

  bool read_only() const;
  const std::filesystem::path& dir() const;
  BadRows& bad_rows() const;
  Result<DatabaseStats> Stats() const;

  class Impl;
  Impl& impl() const { return *impl_; }  // srs/store internals (Store)

 private:
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Every row of `tables` in the separate LMDB environment in `dir`, read in one read
// transaction (a table the environment lacks reads empty). For migrations from the
// layouts where the rules and access tables had environments of their own. Error:
// kNotFound when `dir` holds no database, LMDB failures.
using TableRows = std::vector<std::pair<std::string, std::string>>;
Result<std::vector<TableRows>> ReadSeparateEnvironment(const std::filesystem::path& dir,
                                                       const std::vector<std::string>& tables);

// ---- templates ----

template <typename Codec>
Result<std::optional<typename Codec::Record>> ReadTxn::GetRecord(const Table& table,
                                                                 std::string_view key) const {
  Result<std::optional<std::string>> row = Get(table, key);
  if (!row.ok()) return row.error();
  if (!row->has_value()) return std::optional<typename Codec::Record>();
  Result<typename Codec::Record> record = Codec::Decode(key, **row);
  if (!record.ok()) {
    ReportBadRow(table, key, record.error());
    return record.error();
  }
  return std::optional<typename Codec::Record>(std::move(record).value());
}

template <typename Codec>
Status ReadTxn::ScanRecords(
    const Table& table,
    const std::function<bool(std::string_view key, typename Codec::Record&& record)>& visit,
    bool reverse) const {
  return Scan(
      table,
      [&](std::string_view key, std::string_view value) {
        Result<typename Codec::Record> record = Codec::Decode(key, value);
        if (!record.ok()) {
          ReportBadRow(table, key, record.error());
          return true;  // skipped, reported, never fatal
        }
        return visit(key, std::move(record).value());
      },
      reverse);
}

}  // namespace kronika::srs
