// The sign-in session API (issue 16 item 4; docs/api.md "Sign-in and sessions"):
//   POST   /api/v1/session  {username, password} -> Set-Cookie kronika_session (HttpOnly,
//          SameSite=Strict, Path=/, Secure on HTTPS) and {user, roles, name, language,
//          csrf_token, idle_timeout_s}; refusals 400/401/403/429/503 with a reason keyword
//   GET    /api/v1/session  who am I: the same JSON (csrf_token null for a bearer token)
//   DELETE /api/v1/session  signs the cookie's session out and clears the cookie
// The contract is what the web UI's sign-in form is built on; change it only with it.
//
// Threads: handlers run on the HTTP workers (a sign-in hashes a password or binds to LDAP:
// never on an event thread).
#pragma once

#include "kronika/srs/access/access_context.h"
#include "kronika/srs/http/http_server.h"

namespace kronika::srs {

struct SessionRouteOptions {
  bool secure_cookie = false;  // the server speaks HTTPS: the cookie says Secure
};

// Registers the three routes on `server`. `context` must outlive Stop().
void MountSessionApi(HttpServer& server, AccessContext& context, SessionRouteOptions options);

}  // namespace kronika::srs
