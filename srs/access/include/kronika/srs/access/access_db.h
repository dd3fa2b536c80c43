// AccessDb: the access module's tables in the data directory's one Database (database.h,
// `<data_dir>/db`), each row a typed record with one versioned codec (access_records.h):
//   access.users         username -> User (access_users.h)
//   access.tokens        token id -> ApiToken (salted SHA-256 of the secret + owner)
//   access.requests      request id -> PlaybackRequest (ACCESS-2..5)
//   access.disclosures   disclosure id -> Disclosure (DISC-1..2)
//   access.restrictions  recording id -> Restriction (RIGHTS-3)
//   access.meta          counters ("seq:request", "seq:disclosure"), the listening
//                        register's checkpoint (REG-3, access_register.h), schema_version
// A row that does not decode is skipped by every listing and reported (bad_rows.h); a
// lookup of it is a kCorrupt error - never a throw.
//
// Before the one Database these tables lived in `<data_dir>/access/db` with JSON values;
// the first read-write Open() imports them (every row converted; one that does not
// convert is kept as it was, and reported when read) and removes the old environment.
//
// Threads: all methods may be called from any thread. Read()/Write() are the Database's:
// a write that must record more with the change (an outbox event) runs the *In functions
// of the modules inside one Write().
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kronika/result.h"
#include "kronika/srs/core/data_layout.h"  // AccessDir(), StoreDir()
#include "kronika/srs/core/event.h"
#include "kronika/srs/store/database.h"

namespace kronika::srs {

class AccessDb {
 public:
  // The access tables of `db` (created when read-write; a read-write open imports the
  // pre-0.2 environment under AccessDir(data_dir)). Creates AccessDir(data_dir) (mode
  // 0700: the register and the keys live there). Error names the directory.
  static Result<std::unique_ptr<AccessDb>> Open(std::shared_ptr<Database> db,
                                                const std::filesystem::path& data_dir);
  // The same on Database::Open(StoreDir(data_dir)) with default options.
  static Result<std::unique_ptr<AccessDb>> Open(const std::filesystem::path& data_dir, bool read_only = false);
  ~AccessDb();
  AccessDb(const AccessDb&) = delete;
  AccessDb& operator=(const AccessDb&) = delete;

  const Table& users() const;
  const Table& tokens() const;
  const Table& requests() const;
  const Table& disclosures() const;
  const Table& restrictions() const;
  const Table& meta() const;

  Status Read(const std::function<Status(const ReadTxn&)>& fn) const;
  Status Write(const std::function<Status(WriteTxn&)>& fn);
  // Next value (1, 2, ...) of the counter `name` in access.meta, inside `txn`.
  Result<uint64_t> NextSequenceIn(WriteTxn& txn, std::string_view name) const;
  // Appends an event (issue 17: playback.granted, playback.performed, disclosure.released)
  // to the data directory's outbox inside `txn`, the transaction of the change it
  // describes. Error: read-only, LMDB.
  Status EmitIn(WriteTxn& txn, const EventDraft& draft, int64_t at_ms_utc) const;

  Database& database() const;

  class Impl;

 private:
  explicit AccessDb(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kronika::srs
