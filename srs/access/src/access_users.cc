// UserDirectory (see access_users.h).
#include "kronika/srs/access/access_users.h"

#include <array>
#include <chrono>
#include <nlohmann/json.hpp>

#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/core/json_record.h"

namespace kronika::srs {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 6> kRoles = {{
    {Role::kAdministrator, "administrator"},
    {Role::kRecordsKeeper, "records_keeper"},
    {Role::kApprover, "approver"},
    {Role::kListener, "listener"},
    {Role::kDpo, "dpo"},
    {Role::kAuditor, "auditor"},
}};
constexpr size_t kTokenIdBytes = 8;
constexpr size_t kTokenSecretBytes = 32;
constexpr std::string_view kTokenPrefix = "krk_";

nlohmann::json ToJson(const User& u) {
  nlohmann::json roles = nlohmann::json::array();
  for (Role r : u.roles) roles.push_back(RoleName(r));
  return {{"username", u.username},
          {"name", u.name},
          {"surname", u.surname},
          {"position", u.position},
          {"roles", roles},
          {"disabled", u.disabled},
          {"created_ms_utc", u.created_ms_utc},
          {"authorised_by", u.authorised_by}};
}

User FromJson(const nlohmann::json& j) {
  User u;
  u.username = j.value("username", "");
  u.name = j.value("name", "");
  u.surname = j.value("surname", "");
  u.position = j.value("position", "");
  u.disabled = j.value("disabled", false);
  u.created_ms_utc = j.value("created_ms_utc", int64_t{0});
  u.authorised_by = j.value("authorised_by", "");
  for (const auto& r : j.value("roles", nlohmann::json::array())) {
    if (auto role = ParseRole(r.get<std::string>())) u.roles.insert(*role);
  }
  return u;
}

TokenInfo TokenFromJson(std::string_view id, const nlohmann::json& j) {
  TokenInfo t;
  t.token_id = std::string(id);
  t.username = j.value("username", "");
  t.label = j.value("label", "");
  t.created_ms_utc = j.value("created_ms_utc", int64_t{0});
  t.expires_ms_utc = j.value("expires_ms_utc", int64_t{0});
  t.last_used_ms_utc = j.value("last_used_ms_utc", int64_t{0});
  return t;
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

Status UserDirectory::Add(const User& user) {
  if (!ValidUsername(user.username))
    return MakeError(400, "user: username must be 1-64 of [a-z0-9._-]");
  if (user.roles.empty()) return MakeError(400, "user: at least one role is required");
  return db_.Write([&](AccessWriteTxn& txn) -> Status {
    Result<std::optional<std::string>> existing = txn.Get(AccessTable::kUsers, user.username);
    if (!existing.ok()) return existing.error();
    if (existing->has_value()) return MakeError(409, "user: " + user.username + " already exists");
    return txn.Put(AccessTable::kUsers, user.username, DumpJson(ToJson(user)));
  });
}

Result<std::vector<User>> UserDirectory::List() const {
  auto rows = db_.List(AccessTable::kUsers);
  if (!rows.ok()) return rows.error();
  std::vector<User> out;
  for (const auto& [key, value] : *rows) out.push_back(FromJson(nlohmann::json::parse(value)));
  return out;
}

Result<std::optional<User>> UserDirectory::Find(std::string_view username) const {
  auto row = db_.Get(AccessTable::kUsers, username);
  if (!row.ok()) return row.error();
  if (!row->has_value()) return std::optional<User>();
  return std::optional<User>(FromJson(nlohmann::json::parse(**row)));
}

Status UserDirectory::SetDisabled(std::string_view username, bool disabled) {
  return db_.Write([&](AccessWriteTxn& txn) -> Status {
    auto row = txn.Get(AccessTable::kUsers, username);
    if (!row.ok()) return row.error();
    if (!row->has_value()) return MakeError(404, "user: no user " + std::string(username));
    User u = FromJson(nlohmann::json::parse(**row));
    u.disabled = disabled;
    return txn.Put(AccessTable::kUsers, username, DumpJson(ToJson(u)));
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
  Status s = db_.Write([&](AccessWriteTxn& txn) -> Status {
    auto row = txn.Get(AccessTable::kUsers, username);
    if (!row.ok()) return row.error();
    if (!row->has_value()) return MakeError(404, "user: no user " + std::string(username));
    if (FromJson(nlohmann::json::parse(**row)).disabled) {
      return MakeError(409, "user: " + std::string(username) + " is disabled");
    }
    nlohmann::json token = {{"username", username},
                            {"label", label},
                            {"salt", HexEncode(salt)},
                            {"sha256", Sha256Hex(salt + secret)},
                            {"created_ms_utc", now_ms_utc},
                            {"expires_ms_utc", expires_ms_utc},
                            {"last_used_ms_utc", int64_t{0}}};
    return txn.Put(AccessTable::kTokens, id, DumpJson(token));
  });
  if (!s.ok()) return s.error();
  return std::string(kTokenPrefix) + id + "_" + secret;
}

Status UserDirectory::RevokeToken(std::string_view token_id) {
  return db_.Write([&](AccessWriteTxn& txn) -> Status {
    auto row = txn.Get(AccessTable::kTokens, token_id);
    if (!row.ok()) return row.error();
    if (!row->has_value()) return MakeError(404, "token: no token " + std::string(token_id));
    return txn.Delete(AccessTable::kTokens, token_id);
  });
}

Result<std::vector<TokenInfo>> UserDirectory::ListTokens(std::string_view username) const {
  auto rows = db_.List(AccessTable::kTokens);
  if (!rows.ok()) return rows.error();
  std::vector<TokenInfo> out;
  for (const auto& [id, value] : *rows) {
    TokenInfo t = TokenFromJson(id, nlohmann::json::parse(value));
    if (username.empty() || t.username == username) out.push_back(std::move(t));
  }
  return out;
}

Result<Identity> UserDirectory::Authenticate(std::string_view token) const {
  return Authenticate(token, std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count());
}

Result<Identity> UserDirectory::Authenticate(std::string_view token, int64_t now_ms_utc) const {
  const Error bad = MakeError(401, "authentication failed: unknown, revoked or malformed token");
  if (token.substr(0, kTokenPrefix.size()) != kTokenPrefix) return bad;
  token.remove_prefix(kTokenPrefix.size());
  const size_t sep = token.find('_');
  if (sep != kTokenIdBytes * 2 || token.size() != sep + 1 + kTokenSecretBytes * 2) return bad;
  const std::string id(token.substr(0, sep));
  const std::string secret(token.substr(sep + 1));
  auto row = db_.Get(AccessTable::kTokens, id);
  if (!row.ok()) return row.error();
  if (!row->has_value()) return bad;
  const nlohmann::json t = nlohmann::json::parse(**row);
  Result<std::string> salt = HexDecode(t.value("salt", ""));
  if (!salt.ok() || !ConstantTimeEqual(Sha256Hex(*salt + secret), t.value("sha256", "")))
    return bad;
  const TokenInfo info = TokenFromJson(id, t);
  if (info.Expired(now_ms_utc)) return MakeError(ErrorCode::kUnauthenticated, "authentication failed: token expired");
  auto user = Find(info.username);
  if (!user.ok()) return user.error();
  if (!user->has_value()) return bad;
  if ((*user)->disabled)
    return MakeError(401, "authentication failed: user " + (*user)->username + " is disabled");
  if (now_ms_utc - info.last_used_ms_utc >= kTokenLastUseResolutionMs) {
    // Best effort: a token that works is not refused because its last use was not written.
    (void)db_.Write([&](AccessWriteTxn& txn) -> Status {
      auto row = txn.Get(AccessTable::kTokens, id);
      if (!row.ok() || !row->has_value()) return OkStatus();  // revoked meanwhile
      nlohmann::json updated = nlohmann::json::parse(**row);
      updated["last_used_ms_utc"] = now_ms_utc;
      return txn.Put(AccessTable::kTokens, id, DumpJson(updated));
    });
  }
  return Identity{**user, id};
}

}  // namespace kronika::srs
