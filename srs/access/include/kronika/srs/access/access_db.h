// AccessDb: the access module's own LMDB environment in `<data_dir>/access/db` (separate
// from the recordings store). Named tables hold JSON text values:
//   users        username -> user (access_users.h)
//   tokens       token id -> salted SHA-256 of the token secret + owner
//   requests     request id -> playback request (ACCESS-2..5)
//   disclosures  disclosure id -> disclosure request/decision (DISC-1..2)
//   restrictions recording id -> RIGHTS-3 state
//   meta         counters, register head hash and count (REG-3)
// Several processes (daemon, CLI) may open it at once; LMDB serialises writers. Built on
// the store's KvDb (kv_db.h): every transaction ends on every path out of Write().
// Threads: all methods may be called from any thread.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/core/data_layout.h"  // AccessDir()

namespace kronika::srs {

enum class AccessTable { kUsers, kTokens, kRequests, kDisclosures, kRestrictions, kMeta };

// Operations inside one write transaction (see AccessDb::Write).
class AccessWriteTxn {
 public:
  virtual ~AccessWriteTxn() = default;
  virtual Result<std::optional<std::string>> Get(AccessTable table, std::string_view key) = 0;
  virtual Status Put(AccessTable table, std::string_view key, std::string_view value) = 0;
  virtual Status Delete(AccessTable table, std::string_view key) = 0;
  // Next value of a named counter (1, 2, ...), kept in `meta`.
  virtual Result<uint64_t> NextSequence(std::string_view name) = 0;
};

class AccessDb {
 public:
  // Creates `<data_dir>/access/db` if missing. Error names the directory.
  static Result<std::unique_ptr<AccessDb>> Open(const std::filesystem::path& data_dir);
  ~AccessDb();

  Result<std::optional<std::string>> Get(AccessTable table, std::string_view key) const;
  // Every (key, value) of a table in key order.
  Result<std::vector<std::pair<std::string, std::string>>> List(AccessTable table) const;
  // Runs `fn` in one write transaction; commits when it returns ok, aborts otherwise.
  Status Write(const std::function<Status(AccessWriteTxn&)>& fn);

  class Impl;

 private:
  explicit AccessDb(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kronika::srs
