// BadRows: what the store does with a row no decoder can read (truncated bytes, a field of
// the wrong type, a version from the future). Nothing a disk holds may end a thread or a
// command: every reader skips such a row, and reports it here; BadRows logs it once (a
// warning naming the table and, unless the table's keys are personal data, the key) and
// counts it for `kronika_store_bad_rows_total{table}` (store_metrics.h). The row itself is
// left in place for an operator to inspect (`mdb_dump`) - it is never rewritten or dropped
// by a reader.
//
// Threads: any; Report() takes a short mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "kronika/mutex.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs {

class BadRows {
 public:
  // `key_is_personal`: the key is a phone number or a name (do-not-record, number index),
  // so it is not written to the log.
  void Report(std::string_view table, std::string_view key, std::string_view why,
              bool key_is_personal = false);
  // Registers a table so that it is exported with 0 before its first bad row.
  void Declare(std::string_view table);
  // Distinct bad rows seen per table since the process started (every declared table).
  std::map<std::string, uint64_t> Counts() const;
  uint64_t Total() const;

 private:
  // Distinct (table, key) pairs remembered to report each row once; past this many, every
  // encounter counts (memory stays bounded whatever the disk holds).
  static constexpr size_t kMaxRemembered = 10000;

  mutable Mutex mu_;
  std::map<std::string, uint64_t> counts_ GUARDED_BY(mu_);
  std::set<std::pair<std::string, std::string>> seen_ GUARDED_BY(mu_);
};

}  // namespace kronika::srs
