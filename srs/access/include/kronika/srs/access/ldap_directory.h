// LdapDirectory: sign-in by an LDAP / Active Directory bind (issue 16 item 4, ACCESS-1), with
// OpenLDAP's libldap.
//
// Two ways to find the user's DN: a template (`bind_dn` = "uid={username},ou=people,dc=x"
// or AD's "{username}@example.local"), bound directly with the password; or, with
// `search_base` set, a bind as the service account (`service_dn` + its password) and a
// subtree search for `search_filter` ("(uid={username})", the username escaped as a filter
// value, RFC 4515) whose one hit is then bound with the password. Either way the user's
// entry is read afterwards (as the user) for its groups (`group_attribute`, memberOf on AD
// and on OpenLDAP's memberof overlay) and its name, surname and title. Groups are mapped to
// Kronika roles by `group_roles` (group DN, compared case-insensitively -> role names).
//
// Usernames reaching here are [a-z0-9._-] only (access_users.h), so the DN template needs no
// escaping. An empty password is refused before any bind: LDAP treats a simple bind with a
// DN and no password as an anonymous bind that "succeeds" (RFC 4513 5.1.2).
//
// Time: every network step (connect, StartTLS, each bind, the search) is bounded by
// `timeout_ms`, so a dead or hung server costs a worker at most a few timeouts; at most
// `max_concurrent` binds run at once, more are refused at once as unavailable, so a hung
// server never holds every HTTP worker.
//
// Threads: any; each Authenticate() opens its own connection.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kronika/mutex.h"
#include "kronika/result.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs {

struct LdapOptions {
  std::string url;              // ldap://host:389 or ldaps://host:636; "" = LDAP sign-in off
  bool start_tls = false;       // ldap:// then StartTLS (required to succeed)
  std::string ca_file;          // PEM CA bundle for ldaps/StartTLS; "" = the system's
  std::string bind_dn;          // DN template with {username}; or:
  std::string search_base;      // search-then-bind under this base
  std::string search_filter = "(uid={username})";
  std::string service_dn;       // the service account for the search ("" = anonymous search)
  std::string service_password; // its password (read from [ldap] service_password_file)
  std::string group_attribute = "memberOf";
  std::map<std::string, std::vector<std::string>> group_roles;  // group DN -> role names
  std::string name_attribute = "givenName";
  std::string surname_attribute = "sn";
  std::string position_attribute = "title";
  int64_t timeout_ms = 5000;
  int max_concurrent = 4;

  bool enabled() const { return !url.empty(); }
};

// What a successful bind found.
struct LdapUser {
  std::string dn;
  std::vector<std::string> groups;  // values of group_attribute
  std::vector<std::string> roles;   // role names group_roles maps the groups to (sorted, unique)
  std::string name, surname, position;
};

class LdapDirectory {
 public:
  explicit LdapDirectory(LdapOptions options) : options_(std::move(options)) {}

  // Binds as `username` with `password`. Errors: kUnauthenticated the server refused the
  // credentials, the user is not found (or found twice) or the password is empty;
  // kUnavailable the server cannot be reached, timed out, TLS failed, the service account
  // was refused, or max_concurrent binds are running; kInvalidInput LDAP is not configured.
  // Messages name the server and the step, never the password.
  Result<LdapUser> Authenticate(const std::string& username, const std::string& password);

  const LdapOptions& options() const { return options_; }

 private:
  const LdapOptions options_;
  Mutex mu_;
  int running_ GUARDED_BY(mu_) = 0;
};

}  // namespace kronika::srs
