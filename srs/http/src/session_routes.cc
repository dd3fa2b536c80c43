// The sign-in session routes (see session_routes.h).
#include "kronika/srs/http/session_routes.h"

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "kronika/srs/access/session_store.h"
#include "kronika/srs/access/sign_in.h"
#include "kronika/srs/core/i18n.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/log.h"
#include "request_auth.h"

namespace kronika::srs {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// {"error": {"status", "message", "reason"}}: `reason` is a stable keyword for the UI
// (bad_credentials, locked, disabled, unavailable, no_role, bad_request).
HttpResponse Refusal(int status, std::string_view reason, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.body = DumpJson(nlohmann::json{{"error", {{"status", status}, {"message", message}, {"reason", reason}}}});
  return r;
}

std::string Cookie(const std::string& value, bool secure, bool clear) {
  std::string c = std::string(kSessionCookieName) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict";
  if (secure) c += "; Secure";
  if (clear) c += "; Max-Age=0";
  return c;
}

nlohmann::json SessionJson(const AccessContext& c, const User& u, const std::string* csrf_token,
                           const std::string& method) {
  nlohmann::json roles = nlohmann::json::array();
  for (Role r : u.roles) roles.push_back(RoleName(r));
  std::string name = u.name;
  if (!u.surname.empty()) name += (name.empty() ? "" : " ") + u.surname;
  return {{"user", u.username},
          {"roles", roles},
          {"name", name},
          {"language", c.LanguageOf(u)},
          {"csrf_token", csrf_token != nullptr ? nlohmann::json(*csrf_token) : nlohmann::json(nullptr)},
          {"idle_timeout_s", c.sessions().options().idle_timeout_ms / 1000},
          {"method", method}};
}

HttpResponse SignIn(AccessContext& c, const SessionRouteOptions& options, const HttpRequest& request) {
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  // Refusals are read by the person at the form: in the language the page asks for (an
  // optional "language" in the body), else the office's; the user is not known yet.
  std::string lang = c.default_language();
  if (body.is_object() && body.contains("language") && body["language"].is_string() &&
      IsSupportedLanguage(body["language"].get<std::string>())) {
    lang = body["language"].get<std::string>();
  }
  if (body.is_discarded() || !body.is_object() || !body.contains("username") || !body["username"].is_string() ||
      !body.contains("password") || !body["password"].is_string()) {
    return Refusal(400, "bad_request", Tr(lang, "Enter a username and a password."));
  }
  const std::string username = body["username"].get<std::string>();
  const std::string password = body["password"].get<std::string>();
  const int64_t now = NowMs();
  SignInOutcome outcome = c.sign_in().SignIn(username, password, request.remote_addr, now);
  switch (outcome.result) {
    case SignInResult::kOk: {
      NewSession s = c.sessions().Create(outcome.user, outcome.method, request.remote_addr, now);
      Logf(LogLevel::kInfo, "", "access: session %s opened for %s from %s (%s)", s.session.id.c_str(),
           outcome.user.username.c_str(), request.remote_addr.c_str(), outcome.method.c_str());
      HttpResponse out;
      out.body = DumpJson(SessionJson(c, outcome.user, &s.session.csrf_token, outcome.method));
      out.headers.emplace_back("Set-Cookie", Cookie(s.secret, options.secure_cookie, false));
      out.headers.emplace_back("Cache-Control", "no-store");
      return out;
    }
    case SignInResult::kBadCredentials:
      return Refusal(401, "bad_credentials", Tr(lang, "Incorrect username or password."));
    case SignInResult::kLocked: {
      const int64_t wait_s = std::max<int64_t>(1, (outcome.locked_until_ms_utc - now + 999) / 1000);
      // TRANSLATORS: {time} is the end of the lock-out, e.g. "08.12.2026, 01:46:52 CET".
      std::string text = Tr(lang, "Too many failed sign-in attempts. You can sign in again after {time}.");
      const size_t at = text.find("{time}");
      if (at != std::string::npos) {
        text.replace(at, 6, FormatLocalTime(outcome.locked_until_ms_utc, c.time_zone(), lang));
      }
      HttpResponse out = Refusal(429, "locked", text);
      out.headers.emplace_back("Retry-After", std::to_string(wait_s));
      return out;
    }
    case SignInResult::kDisabled:
      return Refusal(403, "disabled", Tr(lang, "This account is disabled. Please contact the administrator."));
    case SignInResult::kNoRole:
      return Refusal(403, "no_role",
                     Tr(lang, "This account has no role in Kronika. Please contact the administrator."));
    case SignInResult::kUnavailable: {
      HttpResponse out = Refusal(
          503, "unavailable",
          Tr(lang, "Sign-in is not available at the moment: the directory server does not answer. Please try again later."));
      out.headers.emplace_back("Retry-After", "30");
      return out;
    }
  }
  return Refusal(500, "internal", "sign-in failed");
}

}  // namespace

void MountSessionApi(HttpServer& server, AccessContext& context, SessionRouteOptions options) {
  auto auth = std::make_shared<const RequestAuth>(context);
  AccessContext* c = &context;
  server.Route("POST", "/api/v1/session", RouteAccess::Public(),
               [c, options](const HttpRequest& request) { return SignIn(*c, options, request); });
  server.Route("GET", "/api/v1/session", RouteAccess::AnyUser(), [auth, c](const HttpRequest& request) {
    HttpResponse refusal;
    std::optional<Identity> who = auth->Authorise(request, {}, refusal);
    if (!who) return refusal;
    HttpResponse out;
    out.headers.emplace_back("Cache-Control", "no-store");
    if (!who->session_id.empty()) {
      Result<SignInSession> s = c->sessions().Use(request.Cookie(kSessionCookieName).value_or(""), NowMs());
      if (!s.ok()) return HttpResponse::JsonError(401, s.error().message);
      out.body = DumpJson(SessionJson(*c, who->user, &s->csrf_token, s->method));
    } else {
      out.body = DumpJson(SessionJson(*c, who->user, nullptr, "token"));
    }
    return out;
  });
  server.Route("DELETE", "/api/v1/session", RouteAccess::AnyUser(),
               [auth, c, options](const HttpRequest& request) {
                 HttpResponse refusal;
                 std::optional<Identity> who = auth->Authorise(request, {}, refusal);
                 if (!who) return refusal;
                 if (who->session_id.empty()) {
                   return Refusal(400, "bad_request",
                                  "a bearer token has no session to end; revoke it with kronika user revoke");
                 }
                 c->sessions().Remove(request.Cookie(kSessionCookieName).value_or(""));
                 Logf(LogLevel::kInfo, "", "access: session %s of %s signed out", who->session_id.c_str(),
                      who->user.username.c_str());
                 HttpResponse out;
                 out.body = DumpJson(nlohmann::json{{"signed_out", true}});
                 out.headers.emplace_back("Set-Cookie", Cookie("", options.secure_cookie, true));
                 return out;
               });
}

}  // namespace kronika::srs
