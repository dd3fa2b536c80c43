// LockoutTracker: refuses sign-ins after repeated failures (issue 16 item 4, ACCESS-1):
// `max_failures` failed attempts for one username within `window_ms` lock that username for
// `lock_ms`; `max_address_failures` from one source address lock that address the same
// way. A locked username or address is refused before its password is checked, so a
// guesser learns nothing while it lasts. A successful sign-in clears its username's
// failures (not its address's: one valid account must not reset the count for the rest).
//
// The state is in memory and dies with a restart (docs/architecture.md, state table): a
// restart is an operator's act, never a peer's, and the per-username lock is what keeps
// guessing slow. At most kMaxTrackedKeys usernames and addresses each are tracked; beyond,
// the entries whose failures and lock have run out are dropped first, then the oldest.
//
// Threads: any; one mutex around the two maps (a sign-in is rare and already costs a
// password hash, so the lock is never contended in practice).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>

#include "kronika/mutex.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs {

struct LockoutOptions {
  int max_failures = 5;          // per username within window_ms; 0 = never lock
  int max_address_failures = 5;  // per source address within window_ms; 0 = never lock
  int64_t window_ms = 15 * 60'000;
  int64_t lock_ms = 15 * 60'000;
};

inline constexpr size_t kMaxTrackedKeys = 10'000;

// What RecordFailure() did.
struct LockoutChange {
  bool username_locked = false;  // this failure locked the username
  bool address_locked = false;   // this failure locked the address
};

class LockoutTracker {
 public:
  explicit LockoutTracker(LockoutOptions options) : options_(options) {}

  // The time (ms UTC) until which `username` or `address` is locked at `now_ms_utc`
  // (the later of the two), or 0 when neither is.
  int64_t LockedUntil(std::string_view username, std::string_view address, int64_t now_ms_utc);
  // Counts one failed sign-in of `username` from `address`.
  LockoutChange RecordFailure(std::string_view username, std::string_view address, int64_t now_ms_utc);
  // A successful sign-in of `username`: its failures are forgotten.
  void RecordSuccess(std::string_view username);

  const LockoutOptions& options() const { return options_; }

 private:
  struct Entry {
    std::deque<int64_t> failures;  // times within the window, oldest first
    int64_t locked_until = 0;
  };
  using Map = std::map<std::string, Entry, std::less<>>;
  // Adds a failure to `map[key]`; true when it locks the key now.
  bool Fail(Map& map, std::string_view key, int limit, int64_t now) REQUIRES(mu_);
  void Prune(Map& map, int64_t now) const;

  const LockoutOptions options_;
  Mutex mu_;
  Map by_username_ GUARDED_BY(mu_);
  Map by_address_ GUARDED_BY(mu_);
};

}  // namespace kronika::srs
