// LockoutTracker (see lockout.h).
#include "kronika/srs/access/lockout.h"

#include <algorithm>

namespace kronika::srs {

int64_t LockoutTracker::LockedUntil(std::string_view username, std::string_view address, int64_t now) {
  MutexLock lock(mu_);
  int64_t until = 0;
  auto check = [&](const Map& map, std::string_view key) {
    auto it = map.find(key);
    if (it != map.end() && it->second.locked_until > now) until = std::max(until, it->second.locked_until);
  };
  check(by_username_, username);
  check(by_address_, address);
  return until;
}

LockoutChange LockoutTracker::RecordFailure(std::string_view username, std::string_view address, int64_t now) {
  MutexLock lock(mu_);
  LockoutChange change;
  change.username_locked = Fail(by_username_, username, options_.max_failures, now);
  change.address_locked = Fail(by_address_, address, options_.max_address_failures, now);
  return change;
}

void LockoutTracker::RecordSuccess(std::string_view username) {
  MutexLock lock(mu_);
  auto it = by_username_.find(username);
  if (it != by_username_.end()) it->second.failures.clear();
}

bool LockoutTracker::Fail(Map& map, std::string_view key, int limit, int64_t now) {
  if (limit <= 0) return false;
  if (map.size() >= kMaxTrackedKeys && map.find(key) == map.end()) Prune(map, now);
  Entry& e = map.try_emplace(std::string(key)).first->second;
  e.failures.push_back(now);
  while (!e.failures.empty() && e.failures.front() <= now - options_.window_ms) e.failures.pop_front();
  while (e.failures.size() > static_cast<size_t>(limit)) e.failures.pop_front();
  if (e.locked_until > now || e.failures.size() < static_cast<size_t>(limit)) return false;
  e.locked_until = now + options_.lock_ms;
  e.failures.clear();  // the next lock needs `limit` new failures after this one ends
  return true;
}

void LockoutTracker::Prune(Map& map, int64_t now) const {
  for (auto it = map.begin(); it != map.end();) {
    const bool idle = it->second.locked_until <= now &&
                      (it->second.failures.empty() || it->second.failures.back() <= now - options_.window_ms);
    it = idle ? map.erase(it) : std::next(it);
  }
  // Still full (an attack from many addresses): drop the entries failed least recently.
  while (map.size() >= kMaxTrackedKeys) {
    auto oldest = map.begin();
    for (auto it = map.begin(); it != map.end(); ++it) {
      const int64_t last = it->second.failures.empty() ? 0 : it->second.failures.back();
      const int64_t oldest_last = oldest->second.failures.empty() ? 0 : oldest->second.failures.back();
      if (it->second.locked_until <= now && last < oldest_last) oldest = it;
    }
    map.erase(oldest);
  }
}

}  // namespace kronika::srs
