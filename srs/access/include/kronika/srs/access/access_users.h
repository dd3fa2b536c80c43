// Users, roles and API tokens (ACCESS-1, SEC-1).
//
// A user has one or more roles. Roles (ACCESS-1): administrator (runs the system; does NOT
// by that alone get to listen or read call metadata), records_keeper (keeps the register,
// disclosures, informs employees), approver (director: grants or refuses playback and
// disclosure; may also give the unit head's opinion), listener (files playback requests,
// plays approved recordings), dpo (data protection officer: opinions, restriction), auditor
// (reads the register and verifies it), unit_head (head of the organisational unit whose
// call a caller asks to hear: gives the unit head's opinion, ACCESS-5).
// Tokens: "krk_<16 hex id>_<64 hex secret>" (32 random bytes); only a salted SHA-256 of
// the secret is stored, so a token is shown once, when issued. A token may carry a label
// (what it is for) and an expiry; its last use is kept to the minute, so that tokens
// nobody uses any more can be found and revoked.
// Threads: any; state lives in AccessDb.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/access/access_db.h"

namespace kronika::srs {

enum class Role { kAdministrator, kRecordsKeeper, kApprover, kListener, kDpo, kAuditor, kUnitHead };

std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct User {
  std::string username;  // [a-z0-9._-]{1,64}
  std::string name;
  std::string surname;
  std::string position;  // job title, goes into the register (REG-1)
  std::set<Role> roles;
  bool disabled = false;
  int64_t created_ms_utc = 0;
  std::string authorised_by;  // written authorisation reference (ACCESS-1), may be empty
  // Issue 16 item 4: the argon2id hash of the user's password (password_hash.h); "" = no
  // local password (the user signs in by an LDAP bind, or only with API tokens).
  std::string password_hash = {};
  // "pl" or "en": the language of what the user reads (GET /api/v1/session); "" = the
  // office's language ([office] language).
  std::string language = {};

  bool Has(Role role) const { return roles.count(role) != 0; }
};

// What is kept of a token (never its secret).
struct TokenInfo {
  std::string token_id;  // 16 hex digits, the part of the token before the secret
  std::string username;
  std::string label;
  int64_t created_ms_utc = 0;
  int64_t expires_ms_utc = 0;    // 0 = never
  int64_t last_used_ms_utc = 0;  // 0 = never used; updated at most once a minute
  bool Expired(int64_t now_ms_utc) const { return expires_ms_utc != 0 && now_ms_utc >= expires_ms_utc; }
};

// How often a token's last use is written: one small write per token per minute at most.
inline constexpr int64_t kTokenLastUseResolutionMs = 60'000;

struct Identity {
  User user;
  std::string token_id;  // which token authenticated the call (REG-1 "authenticated identity")
  // Or which sign-in session did (session_store.h: its public id, never its secret); the
  // session's CSRF token is checked for every change it makes.
  std::string session_id = {};

  // What authenticated the call, as one word: the token id, or "session:<id>".
  std::string Credential() const { return token_id.empty() ? "session:" + session_id : token_id; }
};

// What `kronika user modify` may change; unset fields stay as they are.
struct UserChanges {
  std::optional<std::string> name, surname, position, authorised_by, language;
  std::optional<std::set<Role>> roles;
};

// "" (the office's), "pl" or "en" (issue 16 item 4).
bool ValidUserLanguage(std::string_view language);

class UserDirectory {
 public:
  explicit UserDirectory(AccessDb& db) : db_(db) {}

  // Errors: 400 bad username / no role, 409 user exists.
  Status Add(const User& user);
  Result<std::vector<User>> List() const;
  Result<std::optional<User>> Find(std::string_view username) const;
  // 404 unknown user.
  Status SetDisabled(std::string_view username, bool disabled);
  // Stores `password_hash` (a HashPassword() result; "" removes the local password, so the
  // user can sign in only by LDAP or with a token). 400 not a hash, 404 unknown user.
  Status SetPasswordHash(std::string_view username, std::string_view password_hash);
  // Changes the fields of `changes` that are set. 400 bad language / no role left, 404
  // unknown user.
  Status Modify(std::string_view username, const UserChanges& changes);
  // New token for an enabled user; the returned text is the only copy of the secret.
  // `expires_ms_utc` 0 = never; else it must be later than `now_ms_utc` (400).
  // 404 unknown user, 409 disabled user.
  Result<std::string> IssueToken(std::string_view username, std::string_view label,
                                 int64_t now_ms_utc, int64_t expires_ms_utc = 0);
  // 404 unknown token.
  Status RevokeToken(std::string_view token_id);
  // Every token ("" = of every user), in token id order.
  Result<std::vector<TokenInfo>> ListTokens(std::string_view username = {}) const;
  // 401 for a malformed/unknown/revoked/expired token or a disabled user. Records the
  // use (TokenInfo::last_used_ms_utc) when the last one recorded is a minute old; a
  // failure to record it does not refuse the caller.
  Result<Identity> Authenticate(std::string_view token, int64_t now_ms_utc) const;
  // The same at the system clock's time.
  Result<Identity> Authenticate(std::string_view token) const;

 private:
  AccessDb& db_;
};

}  // namespace kronika::srs
