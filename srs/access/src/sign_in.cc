// SignInService (see sign_in.h).
#include "kronika/srs/access/sign_in.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "kronika/srs/access/password_hash.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {
namespace {

constexpr char kMetricSignIn[] = "kronika_access_signin_total";
constexpr char kMetricLockouts[] = "kronika_access_lockouts_total";
constexpr SignInResult kResults[] = {SignInResult::kOk,       SignInResult::kBadCredentials, SignInResult::kLocked,
                                     SignInResult::kDisabled, SignInResult::kUnavailable,    SignInResult::kNoRole};

// Checked for a username that has no password to check, so that it costs the same time.
const std::string& DummyHash() {
  static const std::string hash = [] {
    Result<std::string> h = HashPassword("kronika-dummy-password");
    return h.ok() ? *h : std::string();
  }();
  return hash;
}

}  // namespace

std::string_view SignInResultName(SignInResult r) {
  switch (r) {
    case SignInResult::kOk: return "ok";
    case SignInResult::kBadCredentials: return "bad_credentials";
    case SignInResult::kLocked: return "locked";
    case SignInResult::kDisabled: return "disabled";
    case SignInResult::kUnavailable: return "unavailable";
    case SignInResult::kNoRole: return "no_role";
  }
  return "unknown";
}

struct SignInService::Counters {
  prometheus::Family<prometheus::Counter>* signin = nullptr;
  prometheus::Family<prometheus::Counter>* lockouts = nullptr;
};

SignInService::SignInService(UserDirectory& users, LockoutOptions lockout, std::unique_ptr<LdapDirectory> ldap,
                             prometheus::Registry* registry)
    : users_(users), lockout_(lockout), ldap_(std::move(ldap)), counters_(std::make_unique<Counters>()) {
  if (registry == nullptr) return;
  counters_->signin = &prometheus::BuildCounter()
                           .Name(kMetricSignIn)
                           .Help("Sign-ins to the web UI by result: ok, bad_credentials, locked, disabled, "
                                 "unavailable (LDAP server down or slow), no_role")
                           .Register(*registry);
  for (SignInResult r : kResults) counters_->signin->Add({{"result", std::string(SignInResultName(r))}});
  counters_->lockouts = &prometheus::BuildCounter()
                             .Name(kMetricLockouts)
                             .Help("Sign-in lock-outs begun after repeated failures, by scope: username, address")
                             .Register(*registry);
  counters_->lockouts->Add({{"scope", "username"}});
  counters_->lockouts->Add({{"scope", "address"}});
}

SignInService::~SignInService() = default;

bool SignInService::ldap_enabled() const { return ldap_ != nullptr && ldap_->options().enabled(); }

void SignInService::Count(SignInResult result) {
  if (counters_->signin) counters_->signin->Add({{"result", std::string(SignInResultName(result))}}).Increment();
}

SignInOutcome SignInService::Refuse(SignInOutcome outcome, std::string_view username, std::string_view remote_addr,
                                    bool count_failure, int64_t now) {
  const std::string user(username), addr(remote_addr);
  if (count_failure) {
    const LockoutChange change = lockout_.RecordFailure(username, remote_addr, now);
    const int64_t until = now + lockout_.options().lock_ms;
    if (change.username_locked) {
      Logf(LogLevel::kWarn, "", "access: sign-in of user %s locked until %s after %d failures (ACCESS-1)",
           user.c_str(), FormatUtcTime(until).c_str(), lockout_.options().max_failures);
      if (counters_->lockouts) counters_->lockouts->Add({{"scope", "username"}}).Increment();
    }
    if (change.address_locked) {
      Logf(LogLevel::kWarn, "", "access: sign-in from address %s locked until %s after %d failures (ACCESS-1)",
           addr.c_str(), FormatUtcTime(until).c_str(), lockout_.options().max_address_failures);
      if (counters_->lockouts) counters_->lockouts->Add({{"scope", "address"}}).Increment();
    }
  }
  Logf(LogLevel::kWarn, "", "access: sign-in of %s from %s refused (%s): %s", user.c_str(), addr.c_str(),
       std::string(SignInResultName(outcome.result)).c_str(), outcome.detail.c_str());
  Count(outcome.result);
  return outcome;
}

SignInOutcome SignInService::SignIn(std::string_view username, std::string_view password,
                                    std::string_view remote_addr, int64_t now) {
  SignInOutcome out;
  // A username is [a-z0-9._-]{1,64} (access_users.h), typed in any case. Anything else
  // cannot exist and never reaches LDAP (the DN template takes it unescaped): it fails like
  // a wrong password, counted against the address, logged cut short.
  std::string name(username.substr(0, 64));
  bool well_formed = !username.empty() && username.size() <= 64;
  for (char& ch : name) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    well_formed = well_formed && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-');
  }
  if (const int64_t until = lockout_.LockedUntil(name, remote_addr, now); until > now) {
    out.result = SignInResult::kLocked;
    out.locked_until_ms_utc = until;
    out.detail = "locked until " + FormatUtcTime(until);
    return Refuse(std::move(out), name, remote_addr, false, now);
  }
  if (!well_formed) {
    out.result = SignInResult::kBadCredentials;
    out.detail = "not a valid username";
    return Refuse(std::move(out), name, remote_addr, true, now);
  }
  Result<std::optional<User>> local = users_.Find(name);
  if (!local.ok() && local.error().code != ErrorCode::kCorrupt) {
    out.result = SignInResult::kUnavailable;
    out.detail = local.error().message;
    return Refuse(std::move(out), name, remote_addr, false, now);
  }
  const std::optional<User> user = local.ok() ? std::move(*local) : std::nullopt;
  auto failed = [&](std::string detail) {
    out.result = SignInResult::kBadCredentials;
    out.detail = std::move(detail);
    out = Refuse(std::move(out), name, remote_addr, true, now);
    if (lockout_.LockedUntil(name, remote_addr, now) > now) out.locked_until_ms_utc = lockout_.LockedUntil(name, remote_addr, now);
    return out;
  };
  auto accept = [&](User who, std::string method) {
    if (who.disabled) {
      out.result = SignInResult::kDisabled;
      out.detail = "the user is disabled";
      return Refuse(std::move(out), name, remote_addr, false, now);
    }
    lockout_.RecordSuccess(name);
    out.result = SignInResult::kOk;
    out.user = std::move(who);
    out.method = std::move(method);
    Logf(LogLevel::kInfo, "", "access: %s signed in from %s (%s)", name.c_str(), std::string(remote_addr).c_str(),
         out.method.c_str());
    Count(SignInResult::kOk);
    return out;
  };

  if (user && !user->password_hash.empty()) {
    if (!VerifyPassword(user->password_hash, password)) return failed("wrong password");
    if (PasswordNeedsRehash(user->password_hash)) {
      // Made with older limits: replaced now that the password is at hand.
      if (Result<std::string> fresh = HashPassword(password); fresh.ok()) {
        (void)users_.SetPasswordHash(name, *fresh);
      }
    }
    return accept(*user, "password");
  }
  if (ldap_enabled() && !name.empty()) {
    Result<LdapUser> bound = ldap_->Authenticate(name, std::string(password));
    if (!bound.ok()) {
      if (bound.error().code == ErrorCode::kUnauthenticated) return failed(bound.error().message);
      out.result = SignInResult::kUnavailable;
      out.detail = bound.error().message;
      return Refuse(std::move(out), name, remote_addr, false, now);
    }
    if (user) return accept(*user, "ldap");
    User who;
    who.username = name;
    who.name = bound->name;
    who.surname = bound->surname;
    who.position = bound->position;
    for (const std::string& role : bound->roles) {
      if (std::optional<Role> r = ParseRole(role)) who.roles.insert(*r);
    }
    if (who.roles.empty()) {
      out.result = SignInResult::kNoRole;
      out.detail = "LDAP entry " + bound->dn + " is in no group mapped to a role ([ldap] group_roles)";
      return Refuse(std::move(out), name, remote_addr, false, now);
    }
    return accept(std::move(who), "ldap");
  }
  (void)VerifyPassword(DummyHash(), password);
  return failed(user ? "the user has no password (kronika user passwd)" : "no such user");
}

}  // namespace kronika::srs
