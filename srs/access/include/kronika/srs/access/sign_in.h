// SignInService: checks a username and password for the web UI's sign-in (issue 16 item 4,
// ACCESS-1) against the local password hash (password_hash.h) or an LDAP bind
// (ldap_directory.h), under the lock-out rules (lockout.h).
//
// Which check applies:
//  * a local user with a password: that password, never LDAP;
//  * a local user without one, with LDAP configured: the LDAP bind; the local record's
//    roles, name and language apply, the directory's groups are ignored (the administrator
//    keeps that person's roles in Kronika; disabling the local user shuts them out);
//  * no local user, with LDAP: the bind, and the roles `[ldap] group_roles` maps the
//    entry's groups to; no local record is written (the session carries the user); no
//    mapped role is a refusal (no_role);
//  * otherwise: refused as a wrong password (a dummy hash is checked, so an unknown
//    username takes as long as a known one).
// A locked username or address is refused before any check. A wrong password or an LDAP
// refusal counts a failure; an unreachable LDAP server does not (it is not the person's
// fault) but refuses with its own result. A disabled user is told so only after the
// right password. Every refusal is logged ("access: sign-in of U from A refused: why")
// and counted in kronika_access_signin_total{result}; a lock in
// kronika_access_lockouts_total{scope="username"|"address"}.
//
// Threads: any; the password check costs ~0.1 s of CPU and an LDAP bind up to a few
// timeouts, so callers run it on a worker thread, never an event loop.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "kronika/srs/access/access_users.h"
#include "kronika/srs/access/ldap_directory.h"
#include "kronika/srs/access/lockout.h"

namespace prometheus {
class Registry;
}

namespace kronika::srs {

enum class SignInResult { kOk, kBadCredentials, kLocked, kDisabled, kUnavailable, kNoRole };
// "ok", "bad_credentials", "locked", "disabled", "unavailable", "no_role": the metric label.
std::string_view SignInResultName(SignInResult result);

struct SignInOutcome {
  SignInResult result = SignInResult::kBadCredentials;
  User user;                     // kOk: who signed in
  std::string method;            // kOk: "password" or "ldap"
  int64_t locked_until_ms_utc = 0;  // kLocked (and a failure that locked): until when
  std::string detail;            // why, for the log (never the password)
};

class SignInService {
 public:
  // `ldap` null or not enabled() = local passwords only. `registry` may be null (no metrics).
  SignInService(UserDirectory& users, LockoutOptions lockout, std::unique_ptr<LdapDirectory> ldap,
                prometheus::Registry* registry);
  ~SignInService();

  SignInOutcome SignIn(std::string_view username, std::string_view password, std::string_view remote_addr,
                       int64_t now_ms_utc);

  bool ldap_enabled() const;
  LockoutTracker& lockout() { return lockout_; }

  struct Counters;

 private:
  SignInOutcome Refuse(SignInOutcome outcome, std::string_view username, std::string_view remote_addr,
                       bool count_failure, int64_t now);
  void Count(SignInResult result);

  UserDirectory& users_;
  LockoutTracker lockout_;
  std::unique_ptr<LdapDirectory> ldap_;
  std::unique_ptr<Counters> counters_;
};

}  // namespace kronika::srs
