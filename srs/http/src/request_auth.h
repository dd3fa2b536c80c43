// RequestAuth: the access module's checks for one HTTP request (private to srs/http):
// authentication by bearer token or by the sign-in session's cookie (issue 16 item 4), the
// caller's roles, and refusals that are answered 401/403, logged ("access: refused ...")
// and counted (kronika_access_refused_total{reason}). Shared by the access routes
// (access_routes.cc), the session routes (session_routes.cc) and the event feed
// (event_feed.cc).
//
// A request with "Authorization: Bearer" is a script's: the token decides, cookies are
// ignored. Otherwise the kronika_session cookie names a session (session_store.h); every
// request it makes that may change state (any method but GET, HEAD, OPTIONS) must carry
// X-CSRF-Token equal to the session's token, else 403, reason "csrf". A session's user is
// read again from the users table on each request, so a role change applies at once and a
// disabled user is signed out; an LDAP user without a local record keeps what the sign-in
// found.
//
// Threads: any; the context's own locking covers concurrent calls.
#pragma once

#include <functional>
#include <memory>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/srs/access/access_context.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/access/session_store.h"
#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/http/http_server.h"

namespace kronika::srs {

// The context's access checks for HTTP requests: authentication, roles, refusals.
class RequestAuth {
 public:
  explicit RequestAuth(AccessContext& context) : c_(context) {}

  // Authenticates and checks that the caller has one of `roles` (empty = any role).
  // On failure fills `refusal` (401/403), logs and counts it.
  std::optional<Identity> Authorise(const HttpRequest& request, const std::vector<Role>& roles,
                                    HttpResponse& refusal) const {
    const std::string header = request.Header("Authorization").value_or("");
    std::string token;
    if (header.rfind("Bearer ", 0) == 0) token = header.substr(7);
    const std::optional<std::string> cookie = request.Cookie(kSessionCookieName);
    Result<Identity> who =
        !token.empty() ? c_.users().Authenticate(token)
        : cookie       ? FromSession(*cookie)
                       : Result<Identity>(MakeError(ErrorCode::kUnauthenticated,
                                                    "authentication required: sign in (POST /api/v1/session) "
                                                    "or send Authorization: Bearer <token>"));
    if (!who.ok()) {
      Logf(LogLevel::kWarn, "", "access: refused %s %s from %s: %s", request.method.c_str(),
           request.path.c_str(), request.remote_addr.c_str(), who.error().message.c_str());
      c_.CountRefused("unauthenticated");
      refusal = HttpResponse::JsonError(401, who.error().message);
      refusal.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"kronika\"");
      return std::nullopt;
    }
    if (token.empty() && !IsSafeMethod(request.method)) {
      // CSRF: a cookie is sent by the browser whoever made the page; the token is only
      // known to pages of this origin (GET /api/v1/session).
      const std::string sent = request.Header("X-CSRF-Token").value_or("");
      std::optional<SignInSessionView> s = SessionOf(*cookie);
      if (!s || sent.empty() || !ConstantTimeEqual(sent, s->csrf_token)) {
        Refuse(request, *who, "csrf",
               sent.empty() ? "X-CSRF-Token header required for a change made with a session cookie"
                            : "X-CSRF-Token does not match the session's token",
               refusal);
        return std::nullopt;
      }
    }
    bool allowed = roles.empty();
    for (Role r : roles) allowed = allowed || who->user.Has(r);
    if (!allowed) {
      std::string names;
      for (Role r : roles) names += (names.empty() ? "" : ", ") + std::string(RoleName(r));
      Refuse(request, *who, "forbidden", "role required: " + names + " (ACCESS-1)", refusal);
      return std::nullopt;
    }
    return *who;
  }

  void Refuse(const HttpRequest& request, const Identity& who, const std::string& reason,
              const std::string& message, HttpResponse& refusal,
              std::string_view recording_id = "") const {
    Logf(LogLevel::kWarn, std::string(recording_id).c_str(),
         "access: refused %s %s for %s (%s %s) from %s: %s", request.method.c_str(),
         request.path.c_str(), who.user.username.c_str(), who.token_id.empty() ? "session" : "token",
         who.token_id.empty() ? who.session_id.c_str() : who.token_id.c_str(),
         request.remote_addr.c_str(), message.c_str());
    c_.CountRefused(reason);
    refusal = HttpResponse::JsonError(403, message);
  }

  AccessContext& context() const { return c_; }

  static bool IsSafeMethod(const std::string& method) {
    return method == "GET" || method == "HEAD" || method == "OPTIONS";
  }

 private:
  struct SignInSessionView {
    std::string csrf_token;
  };
  std::optional<SignInSessionView> SessionOf(const std::string& secret) const {
    Result<SignInSession> s = c_.sessions().Use(secret, NowMs());
    if (!s.ok()) return std::nullopt;
    return SignInSessionView{s->csrf_token};
  }

  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // The identity of a session cookie (see the file comment).
  Result<Identity> FromSession(const std::string& secret) const {
    ASSIGN_OR_RETURN(SignInSession s, c_.sessions().Use(secret, NowMs()));
    Result<std::optional<User>> local = c_.users().Find(s.user.username);
    if (!local.ok()) return local.error();
    if (local->has_value()) {
      if ((*local)->disabled) {
        c_.sessions().RemoveUser(s.user.username);
        return MakeError(ErrorCode::kUnauthenticated, "session: user " + s.user.username + " is disabled");
      }
      s.user = std::move(**local);
    } else if (s.method != "ldap") {
      c_.sessions().RemoveUser(s.user.username);
      return MakeError(ErrorCode::kUnauthenticated, "session: user " + s.user.username + " no longer exists");
    }
    return Identity{std::move(s.user), "", s.id};
  }

  AccessContext& c_;
};

// A route's handler behind authentication: `fn` runs only for an authenticated caller.
using GuardedHandler = std::function<HttpResponse(const HttpRequest&, const Identity&)>;

// Mounts `fn` on `server`: the roles it declares to the server (RouteAccess, routes fail
// closed) and the roles Authorise() checks are one list. No roles: any authenticated user
// (the handler may refuse more).
inline void MountGuarded(HttpServer& server, std::shared_ptr<const RequestAuth> auth, std::string method,
                         std::string pattern, std::vector<Role> roles, GuardedHandler fn) {
  std::vector<std::string> names;
  for (Role r : roles) names.emplace_back(RoleName(r));
  RouteAccess access = roles.empty() ? RouteAccess::AnyUser() : RouteAccess::Roles(std::move(names));
  server.Route(std::move(method), std::move(pattern), std::move(access),
               [auth = std::move(auth), roles = std::move(roles), fn = std::move(fn)](const HttpRequest& request) {
                 HttpResponse refusal;
                 std::optional<Identity> who = auth->Authorise(request, roles, refusal);
                 if (!who) return refusal;
                 return fn(request, *who);
               });
}

}  // namespace kronika::srs
