// LdapDirectory on libldap (see ldap_directory.h).
#include "kronika/srs/access/ldap_directory.h"

#include <lber.h>
#include <ldap.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace kronika::srs {
namespace {

timeval TimeoutOf(int64_t ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string ReplaceAll(std::string text, std::string_view what, std::string_view with) {
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
  return text;
}

// One connection; unbound (and freed) on every path.
class Connection {
 public:
  ~Connection() {
    if (ld_ != nullptr) ldap_unbind_ext_s(ld_, nullptr, nullptr);
  }
  LDAP* get() const { return ld_; }
  LDAP** out() { return &ld_; }

 private:
  LDAP* ld_ = nullptr;
};

// Result codes that mean "these credentials are not accepted" rather than "the server
// cannot answer" (AD answers 53 unwilling-to-perform for a disabled or expired account).
bool IsCredentialRefusal(int rc) {
  return rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_INAPPROPRIATE_AUTH || rc == LDAP_UNWILLING_TO_PERFORM ||
         rc == LDAP_INVALID_DN_SYNTAX || rc == LDAP_NO_SUCH_OBJECT;
}

class Session {
 public:
  explicit Session(const LdapOptions& o) : o_(o) {}

  Status Open() {
    int rc = ldap_initialize(c_.out(), o_.url.c_str());
    if (rc != LDAP_SUCCESS) return Unavailable("url", rc);
    const int version = LDAP_VERSION3;
    ldap_set_option(c_.get(), LDAP_OPT_PROTOCOL_VERSION, &version);
    ldap_set_option(c_.get(), LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    const timeval tv = TimeoutOf(o_.timeout_ms);
    ldap_set_option(c_.get(), LDAP_OPT_NETWORK_TIMEOUT, &tv);
    ldap_set_option(c_.get(), LDAP_OPT_TIMEOUT, &tv);
    if (!o_.ca_file.empty()) ldap_set_option(c_.get(), LDAP_OPT_X_TLS_CACERTFILE, o_.ca_file.c_str());
    const int demand = LDAP_OPT_X_TLS_DEMAND;
    ldap_set_option(c_.get(), LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
    const int new_context = 0;
    ldap_set_option(c_.get(), LDAP_OPT_X_TLS_NEWCTX, &new_context);  // the options above apply
    if (o_.start_tls) {
      rc = ldap_start_tls_s(c_.get(), nullptr, nullptr);
      if (rc != LDAP_SUCCESS) return Unavailable("StartTLS", rc);
    }
    return OkStatus();
  }

  // A simple bind, waited for at most timeout_ms. The LDAP result code.
  int Bind(const std::string& dn, const std::string& password) {
    berval cred;
    cred.bv_len = password.size();
    cred.bv_val = const_cast<char*>(password.data());
    int msgid = 0;
    int rc = ldap_sasl_bind(c_.get(), dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, &msgid);
    if (rc != LDAP_SUCCESS) return rc;
    timeval tv = TimeoutOf(o_.timeout_ms);
    LDAPMessage* res = nullptr;
    rc = ldap_result(c_.get(), msgid, LDAP_MSG_ALL, &tv, &res);
    if (rc == 0) {
      ldap_abandon_ext(c_.get(), msgid, nullptr, nullptr);
      return LDAP_TIMEOUT;
    }
    if (rc < 0) {
      int code = LDAP_SERVER_DOWN;
      ldap_get_option(c_.get(), LDAP_OPT_RESULT_CODE, &code);
      return code;
    }
    int code = LDAP_OTHER;
    rc = ldap_parse_result(c_.get(), res, &code, nullptr, nullptr, nullptr, nullptr, 1);
    return rc == LDAP_SUCCESS ? code : rc;
  }

  // The DNs under search_base matching the filter (at most 2 asked for).
  Result<std::vector<std::string>> FindDns(const std::string& username) {
    berval in;
    in.bv_len = username.size();
    in.bv_val = const_cast<char*>(username.data());
    berval escaped{0, nullptr};
    if (ldap_bv2escaped_filter_value(&in, &escaped) != 0) {
      return MakeError(ErrorCode::kInternal, "ldap: cannot escape the username");
    }
    const std::string filter = ReplaceAll(o_.search_filter, "{username}", std::string(escaped.bv_val, escaped.bv_len));
    ber_memfree(escaped.bv_val);
    timeval tv = TimeoutOf(o_.timeout_ms);
    char no_attributes[] = LDAP_NO_ATTRS;
    char* attrs[] = {no_attributes, nullptr};
    LDAPMessage* res = nullptr;
    const int rc = ldap_search_ext_s(c_.get(), o_.search_base.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(), attrs, 0,
                                     nullptr, nullptr, &tv, 2, &res);
    std::vector<std::string> dns;
    if (res != nullptr) {
      for (LDAPMessage* e = ldap_first_entry(c_.get(), res); e != nullptr; e = ldap_next_entry(c_.get(), e)) {
        char* dn = ldap_get_dn(c_.get(), e);
        if (dn != nullptr) dns.emplace_back(dn);
        ldap_memfree(dn);
      }
      ldap_msgfree(res);
    }
    if (rc == LDAP_SIZELIMIT_EXCEEDED) {
      return MakeError(ErrorCode::kUnauthenticated, "ldap: more than one entry matches " + filter);
    }
    if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT) return Unavailable("search", rc).error();
    return dns;
  }

  // Reads the user's own entry (bound as the user) into `out`.
  Status ReadEntry(LdapUser& out) {
    std::vector<std::string> names = {o_.group_attribute, o_.name_attribute, o_.surname_attribute,
                                      o_.position_attribute};
    std::vector<char*> attrs;
    for (std::string& n : names) attrs.push_back(n.data());
    attrs.push_back(nullptr);
    timeval tv = TimeoutOf(o_.timeout_ms);
    LDAPMessage* res = nullptr;
    char any[] = "(objectClass=*)";
    const int rc = ldap_search_ext_s(c_.get(), out.dn.c_str(), LDAP_SCOPE_BASE, any, attrs.data(), 0, nullptr,
                                     nullptr, &tv, 1, &res);
    if (rc != LDAP_SUCCESS) {
      if (res != nullptr) ldap_msgfree(res);
      return Unavailable("reading the user's entry", rc);
    }
    LDAPMessage* e = ldap_first_entry(c_.get(), res);
    auto values = [&](const std::string& attribute) {
      std::vector<std::string> v;
      if (e == nullptr || attribute.empty()) return v;
      berval** vals = ldap_get_values_len(c_.get(), e, attribute.c_str());
      for (int i = 0; vals != nullptr && vals[i] != nullptr; ++i) v.emplace_back(vals[i]->bv_val, vals[i]->bv_len);
      ldap_value_free_len(vals);
      return v;
    };
    out.groups = values(o_.group_attribute);
    auto first = [&](const std::string& attribute) {
      std::vector<std::string> v = values(attribute);
      return v.empty() ? std::string() : v.front();
    };
    out.name = first(o_.name_attribute);
    out.surname = first(o_.surname_attribute);
    out.position = first(o_.position_attribute);
    ldap_msgfree(res);
    return OkStatus();
  }

  Status Unavailable(const std::string& step, int rc) const {
    return MakeError(ErrorCode::kUnavailable,
                     "ldap: " + o_.url + ": " + step + " failed: " + ldap_err2string(rc) + " (" + std::to_string(rc) + ")");
  }

 private:
  const LdapOptions& o_;
  Connection c_;
};

}  // namespace

Result<LdapUser> LdapDirectory::Authenticate(const std::string& username, const std::string& password) {
  if (!options_.enabled()) return MakeError(ErrorCode::kInvalidInput, "ldap: not configured");
  if (password.empty()) return MakeError(ErrorCode::kUnauthenticated, "ldap: empty password");
  {
    MutexLock lock(mu_);
    if (running_ >= options_.max_concurrent) {
      return MakeError(ErrorCode::kUnavailable, "ldap: " + options_.url + ": " + std::to_string(running_) +
                                                    " binds already waiting for the server (max_concurrent)");
    }
    ++running_;
  }
  struct Release {
    LdapDirectory* self;
    ~Release() {
      MutexLock lock(self->mu_);
      --self->running_;
    }
  } release{this};

  Session s(options_);
  RETURN_IF_ERROR(s.Open());
  LdapUser user;
  if (!options_.search_base.empty()) {
    if (!options_.service_dn.empty()) {
      const int rc = s.Bind(options_.service_dn, options_.service_password);
      if (rc != LDAP_SUCCESS) return s.Unavailable("bind as the service account " + options_.service_dn, rc).error();
    }
    ASSIGN_OR_RETURN(std::vector<std::string> dns, s.FindDns(username));
    if (dns.size() != 1) return MakeError(ErrorCode::kUnauthenticated, "ldap: no entry for " + username);
    user.dn = dns.front();
  } else {
    user.dn = ReplaceAll(options_.bind_dn, "{username}", username);
  }
  const int rc = s.Bind(user.dn, password);
  if (IsCredentialRefusal(rc)) {
    return MakeError(ErrorCode::kUnauthenticated, "ldap: bind as " + user.dn + " refused: " + ldap_err2string(rc));
  }
  if (rc != LDAP_SUCCESS) return s.Unavailable("bind as " + user.dn, rc).error();
  RETURN_IF_ERROR(s.ReadEntry(user));
  std::set<std::string> roles;
  for (const std::string& group : user.groups) {
    for (const auto& [mapped_group, role_names] : options_.group_roles) {
      if (Lower(mapped_group) == Lower(group)) roles.insert(role_names.begin(), role_names.end());
    }
  }
  user.roles.assign(roles.begin(), roles.end());
  return user;
}

}  // namespace kronika::srs
