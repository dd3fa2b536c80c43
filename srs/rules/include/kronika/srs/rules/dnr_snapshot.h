// The do-not-record list in memory (CONSENT-3, issue 13 item 4): what the SIP thread
// consults at every initial INVITE instead of reading rules.dnr from LMDB.
//
// DnrSnapshot is immutable: the canonical numbers of rules.dnr as of one commit. A reader
// takes a shared_ptr to one and keeps it for a whole decision, so a write in between never
// tears it. DnrSnapshotCell holds the current one: Current() copies a shared_ptr under a
// mutex held for that copy only (tens of nanoseconds, never across I/O or a rebuild;
// std::atomic<std::shared_ptr> is not lock-free in GCC 12's libstdc++, so it would take a
// lock anyway), Publish() swaps in a new one built beforehand by the writer. RulesDb owns
// the cell: it loads it when opened and republishes it after each of its own DNR writes
// commit, so a change made through the daemon counts for the very next INVITE; one
// process writes a data directory (data_dir_lock.h), so the daemon's RulesDb sees every
// change made while it runs, and a change made with the daemon stopped is read at start.
//
// Threads: everything from any thread; Contains() and Current() do no I/O.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>

#include "kronika/mutex.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs {

class DnrSnapshot {
 public:
  DnrSnapshot() = default;
  explicit DnrSnapshot(std::unordered_set<std::string> numbers) : numbers_(std::move(numbers)) {}

  // True when `canonical_number` (as policy::CanonicalNumber gives it) is listed.
  bool Contains(const std::string& canonical_number) const { return numbers_.count(canonical_number) > 0; }
  size_t size() const { return numbers_.size(); }
  // The list as a set, to build the next snapshot from (copy-on-write).
  const std::unordered_set<std::string>& numbers() const { return numbers_; }

 private:
  std::unordered_set<std::string> numbers_;  // never changed after construction
};

class DnrSnapshotCell {
 public:
  // Starts with an empty list (nothing listed) until the first Publish().
  DnrSnapshotCell() : current_(std::make_shared<const DnrSnapshot>()) {}
  DnrSnapshotCell(const DnrSnapshotCell&) = delete;
  DnrSnapshotCell& operator=(const DnrSnapshotCell&) = delete;

  // The snapshot last published; never null.
  std::shared_ptr<const DnrSnapshot> Current() const {
    MutexLock lock(mu_);
    return current_;
  }
  // Makes `next` (not null) the snapshot every later Current() returns. The old one is
  // freed by its last reader, outside the lock.
  void Publish(std::shared_ptr<const DnrSnapshot> next) {
    MutexLock lock(mu_);
    current_.swap(next);
  }

 private:
  mutable Mutex mu_;
  std::shared_ptr<const DnrSnapshot> current_ GUARDED_BY(mu_);
};

}  // namespace kronika::srs
