// UserDirectory (see access_users.h).
#include "kronika/srs/access/access_users.h"

#include <array>
#include <chrono>

#include "access_codecs.h"
#include "kronika/srs/access/password_hash.h"
#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/core/json_record.h"

namespace kronika::srs {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 7> kRoles = {{
    {Role::kAdministrator, "administrator"},
    {Role::kRecordsKeeper, "records_keeper"},
    {Role::kApprover, "approver"},
    {Role::kListener, "listener"},
    {Role::kDpo, "dpo"},
    {Role::kAuditor, "auditor"},
    {Role::kUnitHead, "unit_head"},
}};
constexpr size_t kTokenIdBytes = 8;
constexpr size_t kTokenSecretBytes = 32;
constexpr std::string_view kTokenPrefix = "krk_";

TokenInfo ToInfo(const ApiToken& t) {
  TokenInfo info;
  info.token_id = t.id;
  info.username = t.username;
  info.label = t.label;
  info.created_ms_utc = t.created_ms_utc;
  info.expires_ms_utc = t.expires_ms_utc;
  info.last_used_ms_utc = t.last_used_ms_utc;
  return info;
}

bool ValidUsername(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return false;
  }
  return true;
}

}  // namespace

std::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoles) {
    if (r == role) return name;
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [r, n] : kRoles) {
    if (n == name) return r;
  }
  return std::nullopt;
}

bool ValidUserLanguage(std::string_view language) {
  return language.empty() || language == "pl" || language == "en";
}

Status UserDirectory::Add(const User& user) {
  if (!ValidUsername(user.username))
    return MakeError(ErrorCode::kInvalidInput, "user: username must be 1-64 of [a-z0-9._-]");
  if (user.roles.empty()) return MakeError(ErrorCode::kInvalidInput, "user: at least one role is required");
  if (!ValidUserLanguage(user.language)) return MakeError(ErrorCode::kInvalidInput, "user: language must be pl or en");
  if (!user.password_hash.empty() && !IsPasswordHash(user.password_hash))
    return MakeError(ErrorCode::kInvalidInput, "user: the password hash is not an argon2id hash");
  return db_.Write([&](WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(bool inserted, txn.Insert(db_.users(), user.username, UserCodec::Encode(user)));
    if (!inserted) return MakeError(ErrorCode::kConflict, "user: " + user.username + " already exists");
    return OkStatus();
  });
}

Result<std::vector<User>> UserDirectory::List() const {
  std::vector<User> out;
  RETURN_IF_ERROR(db_.Read([&](const ReadTxn& txn) {
    return txn.ScanRecords<UserCodec>(db_.users(), [&](std::string_view, User&& u) {
      out.push_back(std::move(u));
      return true;
    });
  }));
  return out;
}

Result<std::optional<User>> UserDirectory::Find(std::string_view username) const {
  std::optional<User> out;
  RETURN_IF_ERROR(db_.Read([&](const ReadTxn& txn) -> Status {
    ASSIGN_OR_RETURN(out, txn.GetRecord<UserCodec>(db_.users(), username));
    return OkStatus();
  }));
  return out;
}

Status UserDirectory::SetDisabled(std::string_view username, bool disabled) {
  return db_.Write([&](WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(std::optional<User> u, txn.GetRecord<UserCodec>(db_.users(), username));
    if (!u) return MakeError(ErrorCode::kNotFound, "user: no user " + std::string(username));
    u->disabled = disabled;
    return txn.PutRecord<UserCodec>(db_.users(), username, *u);
  });
}

Status UserDirectory::SetPasswordHash(std::string_view username, std::string_view password_hash) {
  if (!password_hash.empty() && !IsPasswordHash(password_hash))
    return MakeError(ErrorCode::kInvalidInput, "user: the password hash is not an argon2id hash");
  return db_.Write([&](WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(std::optional<User> u, txn.GetRecord<UserCodec>(db_.users(), username));
    if (!u) return MakeError(ErrorCode::kNotFound, "user: no user " + std::string(username));
    u->password_hash = std::string(password_hash);
    return txn.PutRecord<UserCodec>(db_.users(), username, *u);
  });
}

Status UserDirectory::Modify(std::string_view username, const UserChanges& c) {
  if (c.language && !ValidUserLanguage(*c.language))
    return MakeError(ErrorCode::kInvalidInput, "user: language must be pl or en");
  if (c.roles && c.roles->empty()) return MakeError(ErrorCode::kInvalidInput, "user: at least one role is required");
  return db_.Write([&](WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(std::optional<User> u, txn.GetRecord<UserCodec>(db_.users(), username));
    if (!u) return MakeError(ErrorCode::kNotFound, "user: no user " + std::string(username));
    if (c.name) u->name = *c.name;
    if (c.surname) u->surname = *c.surname;
    if (c.position) u->position = *c.position;
    if (c.authorised_by) u->authorised_by = *c.authorised_by;
    if (c.language) u->language = *c.language;
    if (c.roles) u->roles = *c.roles;
    return txn.PutRecord<UserCodec>(db_.users(), username, *u);
  });
}

Result<std::string> UserDirectory::IssueToken(std::string_view username, std::string_view label,
                                              int64_t now_ms_utc, int64_t expires_ms_utc) {
  if (expires_ms_utc != 0 && expires_ms_utc <= now_ms_utc) {
    return MakeError(ErrorCode::kInvalidInput, "token: the expiry must be in the future");
  }
  const std::string id = HexEncode(RandomBytes(kTokenIdBytes));
  const std::string secret = HexEncode(RandomBytes(kTokenSecretBytes));
  const std::string salt = RandomBytes(16);
  RETURN_IF_ERROR(db_.Write([&](WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(std::optional<User> u, txn.GetRecord<UserCodec>(db_.users(), username));
    if (!u) return MakeError(ErrorCode::kNotFound, "user: no user " + std::string(username));
    if (u->disabled) return MakeError(ErrorCode::kConflict, "user: " + std::string(username) + " is disabled");
    ApiToken token;
    token.id = id;
    token.username = std::string(username);
    token.label = std::string(label);
    token.salt_hex = HexEncode(salt);
    token.sha256_hex = Sha256Hex(salt + secret);
    token.created_ms_utc = now_ms_utc;
    token.expires_ms_utc = expires_ms_utc;
    return txn.PutRecord<TokenCodec>(db_.tokens(), id, token);
  }));
  return std::string(kTokenPrefix) + id + "_" + secret;
}

Status UserDirectory::RevokeToken(std::string_view token_id) {
  return db_.Write([&](WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(bool erased, txn.Erase(db_.tokens(), token_id));  // even a row that does not decode
    if (!erased) return MakeError(ErrorCode::kNotFound, "token: no token " + std::string(token_id));
    return OkStatus();
  });
}

Result<std::vector<TokenInfo>> UserDirectory::ListTokens(std::string_view username) const {
  std::vector<TokenInfo> out;
  RETURN_IF_ERROR(db_.Read([&](const ReadTxn& txn) {
    return txn.ScanRecords<TokenCodec>(db_.tokens(), [&](std::string_view, ApiToken&& t) {
      if (username.empty() || t.username == username) out.push_back(ToInfo(t));
      return true;
    });
  }));
  return out;
}

Result<Identity> UserDirectory::Authenticate(std::string_view token) const {
  return Authenticate(token, std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count());
}

Result<Identity> UserDirectory::Authenticate(std::string_view token, int64_t now_ms_utc) const {
  const Error bad = MakeError(ErrorCode::kUnauthenticated, "authentication failed: unknown, revoked or malformed token");
  if (token.substr(0, kTokenPrefix.size()) != kTokenPrefix) return bad;
  token.remove_prefix(kTokenPrefix.size());
  const size_t sep = token.find('_');
  if (sep != kTokenIdBytes * 2 || token.size() != sep + 1 + kTokenSecretBytes * 2) return bad;
  const std::string id(token.substr(0, sep));
  const std::string secret(token.substr(sep + 1));
  std::optional<ApiToken> t;
  Status read = db_.Read([&](const ReadTxn& txn) -> Status {
    ASSIGN_OR_RETURN(t, txn.GetRecord<TokenCodec>(db_.tokens(), id));
    return OkStatus();
  });
  if (!read.ok()) return read.error().code == ErrorCode::kCorrupt ? bad : read.error();  // reported
  if (!t) return bad;
  Result<std::string> salt = HexDecode(t->salt_hex);
  if (!salt.ok() || !ConstantTimeEqual(Sha256Hex(*salt + secret), t->sha256_hex)) return bad;
  if (ToInfo(*t).Expired(now_ms_utc)) return MakeError(ErrorCode::kUnauthenticated, "authentication failed: token expired");
  auto user = Find(t->username);
  if (!user.ok()) return user.error().code == ErrorCode::kCorrupt ? bad : user.error();
  if (!user->has_value()) return bad;
  if ((*user)->disabled) {
    return MakeError(ErrorCode::kUnauthenticated, "authentication failed: user " + (*user)->username + " is disabled");
  }
  if (now_ms_utc - t->last_used_ms_utc >= kTokenLastUseResolutionMs) {
    // Best effort: a token that works is not refused because its last use was not written.
    (void)db_.Write([&](WriteTxn& txn) -> Status {
      ASSIGN_OR_RETURN(std::optional<ApiToken> current, txn.GetRecord<TokenCodec>(db_.tokens(), id));
      if (!current) return OkStatus();  // revoked meanwhile
      current->last_used_ms_utc = now_ms_utc;
      return txn.PutRecord<TokenCodec>(db_.tokens(), id, *current);
    });
  }
  return Identity{**user, id, {}};
}

}  // namespace kronika::srs
