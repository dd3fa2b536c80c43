// RequestAuth: the access module's checks for one HTTP request (private to srs/http):
// authentication by bearer token, the caller's roles, and refusals that are answered
// 401/403, logged ("access: refused ...") and counted (kronika_access_refused_total{reason}).
// Shared by the access routes (access_routes.cc) and the event feed (event_feed.cc).
//
// Threads: any; the context's own locking covers concurrent calls.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/srs/access/access_context.h"
#include "kronika/srs/access/access_users.h"
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
    Result<Identity> who = token.empty()
                               ? Result<Identity>(MakeError(ErrorCode::kUnauthenticated,
                                                            "authentication required: send "
                                                            "Authorization: Bearer <token>"))
                               : c_.users().Authenticate(token);
    if (!who.ok()) {
      Logf(LogLevel::kWarn, "", "access: refused %s %s from %s: %s", request.method.c_str(),
           request.path.c_str(), request.remote_addr.c_str(), who.error().message.c_str());
      c_.CountRefused("unauthenticated");
      refusal = HttpResponse::JsonError(401, who.error().message);
      refusal.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"kronika\"");
      return std::nullopt;
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
         "access: refused %s %s for %s (token %s) from %s: %s", request.method.c_str(),
         request.path.c_str(), who.user.username.c_str(), who.token_id.c_str(),
         request.remote_addr.c_str(), message.c_str());
    c_.CountRefused(reason);
    refusal = HttpResponse::JsonError(403, message);
  }

  AccessContext& context() const { return c_; }

 private:
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
