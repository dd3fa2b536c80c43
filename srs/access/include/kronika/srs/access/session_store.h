// SessionStore: the sign-in sessions of people using the web UI (issue 16 item 4).
//
// A session is created by a successful sign-in (sign_in.h) and named by a 256-bit random
// secret that travels only in the HttpOnly cookie; the store keeps its SHA-256, never the
// secret. Each session has its own CSRF token (256 bits) that every change made with the
// cookie must echo in X-CSRF-Token, and a public id (the first 16 hex digits of the
// secret's SHA-256) for logs and the register. A session ends when it is idle for
// `idle_timeout_ms`, when `lifetime_ms` has passed since the sign-in (whatever the
// activity), at sign-out, or when the process stops.
//
// In memory on purpose (docs/architecture.md, state table): a restart signs everyone out,
// which is the safe direction for a records system; nothing of a session needs backup,
// restore or erasure, and no secret lands on disk. At most `max_sessions` live at once;
// creating one more first drops expired ones, then the one idle the longest.
//
// Threads: any; one mutex around the map.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "kronika/mutex.h"
#include "kronika/result.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs {

struct SessionOptions {
  int64_t idle_timeout_ms = 15 * 60'000;    // no request for this long: signed out
  int64_t lifetime_ms = 8 * 3600'000;       // signed out this long after signing in
  size_t max_sessions = 10'000;
};

// The cookie that carries the session's secret.
inline constexpr char kSessionCookieName[] = "kronika_session";

struct SignInSession {
  std::string id;          // public id: 16 hex digits (logs, the register)
  std::string csrf_token;  // 64 hex digits
  User user;               // as signed in (an LDAP user without a local record lives only here)
  std::string method;      // "password" or "ldap"
  std::string remote_addr;
  int64_t created_ms_utc = 0;
  int64_t last_seen_ms_utc = 0;
  int64_t ExpiresAt(const SessionOptions& o) const {
    return std::min(last_seen_ms_utc + o.idle_timeout_ms, created_ms_utc + o.lifetime_ms);
  }
};

// A new session: what the client gets once.
struct NewSession {
  std::string secret;  // 64 hex digits, the cookie's value
  SignInSession session;
};

class SessionStore {
 public:
  explicit SessionStore(SessionOptions options) : options_(options) {}

  NewSession Create(const User& user, std::string_view method, std::string_view remote_addr, int64_t now_ms_utc);
  // The session named by `secret`, its idle time restarted. kUnauthenticated: unknown,
  // signed out, idle too long or past its lifetime (the message says which, without the
  // secret); an expired session is removed.
  Result<SignInSession> Use(std::string_view secret, int64_t now_ms_utc);
  // Signs the session out; false when there was none.
  bool Remove(std::string_view secret);
  // Signs every session of `username` out (disabled user); how many there were.
  size_t RemoveUser(std::string_view username);
  // Live sessions at `now_ms_utc` (expired ones are dropped).
  size_t Count(int64_t now_ms_utc);

  const SessionOptions& options() const { return options_; }

 private:
  void DropExpired(int64_t now) REQUIRES(mu_);

  const SessionOptions options_;
  Mutex mu_;
  std::map<std::string, SignInSession, std::less<>> by_hash_ GUARDED_BY(mu_);  // SHA-256 hex of the secret
};

}  // namespace kronika::srs
