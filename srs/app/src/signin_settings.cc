// SignInSettingsOf (see signin_settings.h).
#include "signin_settings.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "kronika/srs/access/access_users.h"

namespace kronika::srs {
namespace {

int64_t Ms(const std::string& text, int64_t fallback) {
  Result<int64_t> ms = ParseDurationMs(text);
  return ms.ok() ? *ms : fallback;
}

Result<std::string> ReadSecretFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return MakeError(ErrorCode::kUnavailable, "config: ldap.service_password_file: cannot read " + path);
  }
  if ((st.st_mode & 077) != 0) {
    return MakeError(ErrorCode::kPermissionDenied,
                     "config: ldap.service_password_file: " + path + " is readable by group or others (chmod 600)");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return MakeError(ErrorCode::kUnavailable, "config: ldap.service_password_file: cannot read " + path);
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

}  // namespace

Result<SignInSettings> SignInSettingsOf(const Config& config) {
  SignInSettings out;
  const SignInConfig& s = config.signin;
  out.sessions.idle_timeout_ms = Ms(s.idle_timeout, out.sessions.idle_timeout_ms);
  out.sessions.lifetime_ms = Ms(s.lifetime, out.sessions.lifetime_ms);
  out.lockout.max_failures = s.lockout_failures;
  out.lockout.max_address_failures = s.lockout_address_failures;
  out.lockout.window_ms = Ms(s.lockout_window, out.lockout.window_ms);
  out.lockout.lock_ms = Ms(s.lockout_duration, out.lockout.lock_ms);

  const LdapConfig& l = config.ldap;
  if (l.url.empty()) return out;
  LdapOptions& o = out.ldap;
  o.url = l.url;
  o.start_tls = l.start_tls;
  o.ca_file = l.ca_file;
  o.bind_dn = l.bind_dn;
  o.search_base = l.search_base;
  o.search_filter = l.search_filter;
  o.service_dn = l.service_dn;
  if (!l.service_password_file.empty()) {
    ASSIGN_OR_RETURN(o.service_password, ReadSecretFile(l.service_password_file));
  }
  o.group_attribute = l.group_attribute;
  for (const auto& [group, roles] : l.group_roles) {
    for (const std::string& role : roles) {
      if (!ParseRole(role)) {
        return MakeError(ErrorCode::kInvalidInput,
                         "config: ldap.group_roles: '" + role + "' (for " + group +
                             ") is not a role (administrator, records_keeper, approver, listener, dpo, auditor)");
      }
    }
  }
  o.group_roles = l.group_roles;
  o.name_attribute = l.name_attribute;
  o.surname_attribute = l.surname_attribute;
  o.position_attribute = l.position_attribute;
  o.timeout_ms = Ms(l.timeout, o.timeout_ms);
  o.max_concurrent = l.max_concurrent;
  return out;
}

}  // namespace kronika::srs
