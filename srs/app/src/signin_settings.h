// The access module's sign-in options (sessions, lock-out, LDAP) from the configuration's
// [signin] and [ldap] sections (issue 16 item 4). Private to srs/app: the config layer
// cannot know the access module's types, so the composition root converts them here,
// checking what only the access module knows (role names) and reading the LDAP service
// account's password file.
#pragma once

#include "kronika/result.h"
#include "kronika/srs/access/ldap_directory.h"
#include "kronika/srs/access/lockout.h"
#include "kronika/srs/access/session_store.h"
#include "kronika/srs/config/config.h"

namespace kronika::srs {

struct SignInSettings {
  SessionOptions sessions;
  LockoutOptions lockout;
  LdapOptions ldap;
};

// Errors name the option: an unknown role in ldap.group_roles (kInvalidInput), an
// unreadable or group/other-readable service_password_file (kUnavailable /
// kPermissionDenied). Expects a configuration ValidateConfig() accepted.
Result<SignInSettings> SignInSettingsOf(const Config& config);

}  // namespace kronika::srs
