// SessionStore (see session_store.h).
#include "kronika/srs/access/session_store.h"

#include "kronika/srs/atrest/crypto.h"

namespace kronika::srs {
namespace {

constexpr size_t kSecretBytes = 32;

}  // namespace

NewSession SessionStore::Create(const User& user, std::string_view method, std::string_view remote_addr,
                                int64_t now) {
  NewSession out;
  out.secret = HexEncode(RandomBytes(kSecretBytes));
  const std::string hash = Sha256Hex(out.secret);
  SignInSession& s = out.session;
  s.id = hash.substr(0, 16);
  s.csrf_token = HexEncode(RandomBytes(kSecretBytes));
  s.user = user;
  s.method = std::string(method);
  s.remote_addr = std::string(remote_addr);
  s.created_ms_utc = now;
  s.last_seen_ms_utc = now;
  MutexLock lock(mu_);
  if (by_hash_.size() >= options_.max_sessions) DropExpired(now);
  while (!by_hash_.empty() && by_hash_.size() >= options_.max_sessions) {
    auto idlest = by_hash_.begin();
    for (auto it = by_hash_.begin(); it != by_hash_.end(); ++it) {
      if (it->second.last_seen_ms_utc < idlest->second.last_seen_ms_utc) idlest = it;
    }
    by_hash_.erase(idlest);
  }
  by_hash_.emplace(hash, s);
  return out;
}

Result<SignInSession> SessionStore::Use(std::string_view secret, int64_t now) {
  const std::string hash = Sha256Hex(secret);
  MutexLock lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) {
    return MakeError(ErrorCode::kUnauthenticated, "session: unknown or signed out; sign in again");
  }
  SignInSession& s = it->second;
  if (now >= s.created_ms_utc + options_.lifetime_ms) {
    by_hash_.erase(it);
    return MakeError(ErrorCode::kUnauthenticated, "session: its lifetime has ended; sign in again");
  }
  if (now >= s.last_seen_ms_utc + options_.idle_timeout_ms) {
    by_hash_.erase(it);
    return MakeError(ErrorCode::kUnauthenticated, "session: ended after inactivity; sign in again");
  }
  s.last_seen_ms_utc = now;
  return s;
}

bool SessionStore::Remove(std::string_view secret) {
  const std::string hash = Sha256Hex(secret);
  MutexLock lock(mu_);
  return by_hash_.erase(hash) != 0;
}

size_t SessionStore::RemoveUser(std::string_view username) {
  MutexLock lock(mu_);
  size_t n = 0;
  for (auto it = by_hash_.begin(); it != by_hash_.end();) {
    if (it->second.user.username == username) {
      it = by_hash_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

size_t SessionStore::Count(int64_t now) {
  MutexLock lock(mu_);
  DropExpired(now);
  return by_hash_.size();
}

void SessionStore::DropExpired(int64_t now) {
  for (auto it = by_hash_.begin(); it != by_hash_.end();) {
    it = now >= it->second.ExpiresAt(options_) ? by_hash_.erase(it) : std::next(it);
  }
}

}  // namespace kronika::srs
