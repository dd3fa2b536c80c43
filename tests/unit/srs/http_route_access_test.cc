// Routes fail closed (issue 13, ACCESS-1): every route the daemon serves declares who may
// call it, and what it declares is what it enforces. The daemon's route table is built
// here as the daemon builds it (recording API, access module, event feed, /metrics), on a real store
// and access database (/readyz with a stand-in check), and every route is called over TCP without a token and with a token
// of each role.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "kronika/srs/access/access_context.h"
#include "kronika/srs/access/access_playback.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/core/metrics.h"
#include "kronika/srs/http/access_routes.h"
#include "kronika/srs/http/session_routes.h"
#include "kronika/srs/http/event_feed.h"
#include "kronika/srs/http/http_server.h"
#include "kronika/srs/http/metrics_route.h"
#include "kronika/srs/http/readiness_route.h"
#include "kronika/srs/http/recording_api.h"
#include "kronika/srs/http/records_routes.h"
#include "kronika/srs/http/ui_page.h"
#include "kronika/srs/store/database.h"
#include "kronika/srs/store/event_outbox.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::TempDir;

constexpr int64_t kNowMs = 1'764'000'000'000;
constexpr Role kAllRoles[] = {Role::kAdministrator, Role::kRecordsKeeper, Role::kApprover,
                              Role::kListener,      Role::kDpo,           Role::kAuditor,
                              Role::kUnitHead};

struct Reply {
  int status = 0;
  std::string head;
  std::string body;
};

// One HTTP/1.1 request with Connection: close (and a bearer token unless empty), read to EOF.
Reply Call(int port, const std::string& method, const std::string& target, const std::string& token,
           const std::string& extra_header = "") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string body = method == "POST" ? "{}" : "";
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  if (!extra_header.empty()) request += extra_header + "\r\n";
  if (!body.empty()) request += "Content-Type: application/json\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string raw;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) raw.append(buf, static_cast<size_t>(n));
  ::close(fd);
  Reply reply;
  const size_t end = raw.find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  reply.head = raw.substr(0, end);
  reply.body = raw.substr(end + 4);
  REQUIRE(reply.head.rfind("HTTP/1.1 ", 0) == 0);
  reply.status = std::stoi(reply.head.substr(9, 3));
  return reply;
}

// A path the route's pattern matches: a prefix route gets a recording-like id and a
// sub-resource, so the handler behind the access check has something to parse.
std::string PathFor(const RouteInfo& route) {
  if (route.pattern.size() >= 2 && route.pattern.compare(route.pattern.size() - 2, 2, "/*") == 0) {
    return route.pattern.substr(0, route.pattern.size() - 1) + "01JDX0000000000000000000Z9/decision";
  }
  return route.pattern;
}

// A refusal for want of a role, as Authorise() words it (a handler may refuse for other
// reasons: not approved, not your request).
bool RefusedForRole(const Reply& r) {
  return r.status == 403 && r.body.find("role required") != std::string::npos;
}

struct Daemonlike {
  Daemonlike() {
    auto db = Database::Open(StoreDir(dir.path()), DatabaseOptions{});
    REQUIRE(db.ok());
    auto opened = Store::Open(*db, StoreOptions{});
    REQUIRE(opened.ok());
    store = std::move(opened).value();
    auto outbox = EventOutbox::Open(*db, "kr1");
    REQUIRE(outbox.ok());
    events = std::move(outbox).value();
    AccessOptions access_options;
    access_options.data_dir = dir.path();
    access_options.encrypt_interval = std::chrono::milliseconds(0);
    auto context = AccessContext::Open(access_options, *store, &metrics);
    REQUIRE(context.ok());
    access = std::move(context).value();
    for (Role role : kAllRoles) {
      const std::string name(RoleName(role));
      std::string username = name;
      std::replace(username.begin(), username.end(), '_', '-');
      REQUIRE(access->users().Add(User{username, "Name", "Surname", "Position", {role}, false, kNowMs, "order 1/2026"})
                  .ok());
      auto token = access->users().IssueToken(username, "test", kNowMs);
      REQUIRE(token.ok());
      tokens[role] = *token;
    }
    HttpServerOptions options;
    options.port = 0;
    server = std::make_unique<HttpServer>(options);
    // As Daemon::StartHttp mounts them.
    RegisterRecordingApi(*server, *store);
    MountAccessApi(*server, *access);
    MountRecordsApi(*server, *access, RecordsRoutesOptions{});  // no actions: 503 behind the role check
    MountUiPage(*server, UiSettings{});
    MountSessionApi(*server, *access, SessionRouteOptions{false});
    MountEventFeed(*server, *access, events);
    RegisterMetricsRoute(*server, metrics);
    RegisterReadinessRoute(*server, metrics, {{"store", [](std::string&) { return OkStatus(); }}});
    Status started = server->Start();
    const std::string why = started.ok() ? "" : started.error().message;
    INFO(why);
    REQUIRE(started.ok());
  }
  ~Daemonlike() { server->Stop(); }

  TempDir dir;
  Metrics metrics;
  std::unique_ptr<Store> store;
  std::shared_ptr<EventOutbox> events;
  std::unique_ptr<AccessContext> access;
  std::unique_ptr<HttpServer> server;
  std::map<Role, std::string> tokens;
};

TEST_CASE("ACCESS-1 every route declares its roles: no token gets 401, each role outside the list 403",
          "[http][access]") {
  Daemonlike d;
  const std::vector<RouteInfo> routes = d.server->Routes();
  // The whole API is here, not a handful (a table that lost its routes would pass vacuously).
  REQUIRE(routes.size() >= 20);

  std::set<std::string> public_routes;
  int role_checks = 0;
  for (const RouteInfo& route : routes) {
    const std::string path = PathFor(route);
    INFO(route.method << " " << route.pattern << " (as " << path << ")");
    REQUIRE(route.access.kind != RouteAccess::Kind::kUndeclared);
    if (route.access.kind == RouteAccess::Kind::kPublic) {
      public_routes.insert(route.method + " " + route.pattern);
      const Reply r = Call(d.server->port(), route.method, path, "");
      CHECK(r.status != 401);
      CHECK(r.status != 403);
      continue;
    }
    const Reply anonymous = Call(d.server->port(), route.method, path, "");
    CHECK(anonymous.status == 401);
    CHECK_THAT(anonymous.head, Catch::Contains("WWW-Authenticate: Bearer"));
    const Reply bad_token = Call(d.server->port(), route.method, path, "krk_0000000000000000_00");
    CHECK(bad_token.status == 401);

    std::set<std::string> allowed(route.access.roles.begin(), route.access.roles.end());
    if (route.access.kind == RouteAccess::Kind::kRoles) {
      REQUIRE_FALSE(allowed.empty());
      for (const std::string& name : allowed) CHECK(ParseRole(name).has_value());  // real role names
    }
    for (Role role : kAllRoles) {
      const std::string name(RoleName(role));
      INFO("as " << name);
      const bool listed = route.access.kind == RouteAccess::Kind::kAnyUser || allowed.count(name) != 0;
      const Reply r = Call(d.server->port(), route.method, path, d.tokens[role]);
      CHECK(r.status != 401);
      if (listed) {
        CHECK_FALSE(RefusedForRole(r));
      } else {
        CHECK(r.status == 403);
        CHECK(RefusedForRole(r));
        ++role_checks;
      }
    }
  }
  CHECK(role_checks > 0);
  // Public routes carry no personal data; adding one is a reviewed change to this list.
  // POST /api/v1/session is the sign-in itself (issue 16 item 4): it answers nothing about
  // anyone but the person who proves their password.
  CHECK(public_routes == std::set<std::string>{"GET /api/v1/ui/catalogue", "GET /healthz", "GET /metrics", "GET /readyz",
                                               "GET /ui", "GET /ui/*", "POST /api/v1/session"});
}

TEST_CASE("ACCESS-2 a listener alone sees no call in progress and masked numbers until approved; requests "
          "say which recordings are gone",
          "[http][access][ACCESS-2]") {
  Daemonlike d;
  REQUIRE(d.store->Enqueue(testing::MakeRecording("REC1", kNowMs - 3'600'000, "+48601234567")));
  RecordingRecord live = testing::MakeRecording("REC2", kNowMs - 60'000, "+48609999999");
  live.state = RecordingState::kActive;
  REQUIRE(d.store->Enqueue(live));
  REQUIRE(d.store->Flush().ok());
  const int port = d.server->port();
  const std::string& listener = d.tokens[Role::kListener];

  Reply list = Call(port, "GET", "/api/v1/recordings", listener);
  REQUIRE(list.status == 200);
  CHECK_THAT(list.body, Catch::Contains("REC1"));
  CHECK_THAT(list.body, !Catch::Contains("REC2"));  // no call in progress
  CHECK_THAT(list.body, !Catch::Contains("601234567"));
  CHECK_THAT(list.body, Catch::Contains("+********567"));
  CHECK_THAT(list.body, Catch::Contains("\"numbers_masked\":true"));
  CHECK_THAT(list.body, Catch::Contains("\"restricted\":false"));
  CHECK(Call(port, "GET", "/api/v1/recordings?format=csv", listener).status == 403);
  Reply one = Call(port, "GET", "/api/v1/recordings/REC1", listener);
  REQUIRE(one.status == 200);
  CHECK_THAT(one.body, !Catch::Contains("601234567"));
  CHECK(Call(port, "GET", "/api/v1/recordings/REC2", listener).status == 404);
  // Other readers see everything, as before.
  Reply keeper = Call(port, "GET", "/api/v1/recordings", d.tokens[Role::kRecordsKeeper]);
  CHECK_THAT(keeper.body, Catch::Contains("REC2"));
  CHECK_THAT(keeper.body, Catch::Contains("+48601234567"));

  // Approved: the listener sees that recording's numbers.
  auto who = [&](Role role) { return d.access->users().Authenticate(d.tokens[role]).value(); };
  auto filed = d.access->playback().File(
      who(Role::kListener), {{"recording_ids", {"REC1"}}, {"reason", "a"}, {"justification", "complaint"}}, kNowMs);
  REQUIRE(filed.ok());
  const std::string id = (*filed)["id"];
  CHECK_THAT(Call(port, "GET", "/api/v1/recordings", listener).body, !Catch::Contains("601234567"));  // pending
  REQUIRE(d.access->playback().Decide(who(Role::kApprover), id, {{"granted", true}, {"note", "ok"}}, kNowMs).ok());
  CHECK_THAT(Call(port, "GET", "/api/v1/recordings", listener).body, Catch::Contains("+48601234567"));
  CHECK_THAT(Call(port, "GET", "/api/v1/recordings/REC1", listener).body, Catch::Contains("+48601234567"));

  // The request says whether its recordings can still be played (the page offers Play so).
  Reply requests = Call(port, "GET", "/api/v1/playback-requests", listener);
  CHECK_THAT(requests.body, Catch::Contains("\"recording_states\":{\"REC1\":\"available\"}"));
  REQUIRE(d.store->EnqueueDelete("REC1"));
  REQUIRE(d.store->Flush().ok());
  CHECK_THAT(Call(port, "GET", "/api/v1/playback-requests/" + id, listener).body,
             Catch::Contains("\"recording_states\":{\"REC1\":\"erased\"}"));
}

TEST_CASE("the web page's files carry a strict Content-Security-Policy and revalidate by ETag", "[http][ui]") {
  Daemonlike d;
  const int port = d.server->port();
  for (const char* path : {"/ui/", "/ui/app.js", "/ui/app.css", "/ui/requests.js", "/ui/texts.json"}) {
    INFO(path);
    Reply r = Call(port, "GET", path, "");
    REQUIRE(r.status == 200);
    CHECK_THAT(r.head, Catch::Contains("Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'"));
    CHECK_THAT(r.head, !Catch::Contains("unsafe-inline"));
    CHECK_THAT(r.head, Catch::Contains("X-Content-Type-Options: nosniff"));
    CHECK_THAT(r.head, Catch::Contains("Cache-Control: no-cache"));
    const size_t at = r.head.find("ETag: ");
    REQUIRE(at != std::string::npos);
    const std::string etag = r.head.substr(at + 6, r.head.find("\r\n", at) - at - 6);
    Reply again = Call(port, "GET", path, "", "If-None-Match: " + etag);
    CHECK(again.status == 304);
    CHECK(again.body.empty());
  }
  CHECK_THAT(Call(port, "GET", "/ui/app.js", "").head, Catch::Contains("Content-Type: text/javascript"));
  CHECK_THAT(Call(port, "GET", "/ui/app.css", "").head, Catch::Contains("Content-Type: text/css"));
  CHECK_THAT(Call(port, "GET", "/ui/", "").body, Catch::Contains("<html lang=\"pl\">"));
  CHECK_THAT(Call(port, "GET", "/ui/?lang=en", "").body, Catch::Contains("<html lang=\"en\">"));
  CHECK(Call(port, "GET", "/ui/nothing.js", "").status == 404);
  CHECK(Call(port, "GET", "/ui", "").status == 308);
}

}  // namespace
}  // namespace kronika::srs
