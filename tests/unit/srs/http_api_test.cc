// The HTTP server and recording API, with real requests over TCP on an ephemeral port.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "kronika/srs/http/http_server.h"
#include "kronika/srs/http/readiness_route.h"
#include "kronika/srs/http/recording_api.h"
#include "http_test_client.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::kT0Ms;
using testing::MakeRecording;
using testing::TempDir;

using Reply = testing::RawHttpReply;

// One HTTP/1.1 request with Connection: close, read to EOF.
Reply Request(int port, const std::string& method, const std::string& target) {
  return testing::RawHttpRequest(port, method, target);
}

// The recording API's routes are served only once someone declares who may read them (the
// access module, in the daemon); these tests exercise the API itself, so they open it up.
void OpenRecordingApiForTest(HttpServer& server) {
  for (const char* pattern : {"/api/v1/recordings", "/api/v1/recordings/*"}) {
    server.Route("GET", pattern, RouteAccess::Public(), server.Handler("GET", pattern));
  }
}

struct ApiFixture {
  ApiFixture() {
    auto opened = Store::Open(StoreDir(tmp.path()), StoreOptions{});
    REQUIRE(opened.ok());
    store = std::move(opened).value();
    a = MakeRecording("01JDX0000000000000000000W1", kT0Ms, "+48601234567", "Jan Kowalski");
    b = MakeRecording("01JDX0000000000000000000W2", kT0Ms + 60'000, "+48601234567", "Jan Kowalski");
    c = MakeRecording("01JDX0000000000000000000W3", kT0Ms + 120'000, "+48509876543", "Anna Nowak");
    a.verdict = "complete";
    b.verdict = "one-way";
    c.verdict = "complete";
    for (const auto& r : {a, b, c}) REQUIRE(store->Enqueue(r));
    REQUIRE(store->Flush().ok());
    HttpServerOptions options;
    options.port = 0;
    server = std::make_unique<HttpServer>(options);
    RegisterRecordingApi(*server, *store);
    OpenRecordingApiForTest(*server);
    REQUIRE(server->Start().ok());
    REQUIRE(server->port() > 0);
  }
  TempDir tmp;
  std::unique_ptr<Store> store;
  std::unique_ptr<HttpServer> server;
  RecordingRecord a, b, c;
};

TEST_CASE("http: GET /api/v1/recordings filters by number and time, JSON and CSV") {
  ApiFixture f;
  Reply by_number = Request(f.server->port(), "GET", "/api/v1/recordings?number=%2B48601234567");
  CHECK(by_number.status == 200);
  CHECK_THAT(by_number.head, Catch::Contains("Content-Type: application/json"));
  auto json = nlohmann::json::parse(by_number.body);
  CHECK(json["count"] == 2);
  CHECK(json["recordings"][0]["recording_id"] == f.a.recording_id);
  CHECK(json["recordings"][1]["recording_id"] == f.b.recording_id);

  Reply window = Request(f.server->port(), "GET",
                         "/api/v1/recordings?from=2026-11-25T10:00:30Z&to=2026-11-25T10:05:00Z"
                         "&participant=nowak");
  CHECK(window.status == 200);
  auto rows = nlohmann::json::parse(window.body)["recordings"];
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["recording_id"] == f.c.recording_id);

  Reply csv = Request(f.server->port(), "GET", "/api/v1/recordings?format=csv&limit=1");
  CHECK(csv.status == 200);
  CHECK_THAT(csv.head, Catch::Contains("Content-Type: text/csv"));
  CHECK(csv.body.rfind("recording_id,start_utc,end_utc,duration_s,state,", 0) == 0);
  CHECK_THAT(csv.body, Catch::Contains(f.a.recording_id) && !Catch::Contains(f.b.recording_id));
}

TEST_CASE("http: GET /api/v1/recordings?verdict= finds the recordings judged so; an unknown verdict is a 400") {
  ApiFixture f;
  Reply one_way = Request(f.server->port(), "GET", "/api/v1/recordings?verdict=one-way");
  CHECK(one_way.status == 200);
  auto rows = nlohmann::json::parse(one_way.body)["recordings"];
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["recording_id"] == f.b.recording_id);
  CHECK(rows[0]["verdict"] == "one-way");
  Reply bad = Request(f.server->port(), "GET", "/api/v1/recordings?verdict=broken");
  CHECK(bad.status == 400);
  CHECK_THAT(nlohmann::json::parse(bad.body)["error"]["message"].get<std::string>(), Catch::StartsWith("verdict: "));
}

TEST_CASE("http: GET /api/v1/recordings/{id} returns the full record or a JSON 404") {
  ApiFixture f;
  Reply found = Request(f.server->port(), "GET", "/api/v1/recordings/" + f.b.recording_id);
  CHECK(found.status == 200);
  auto rec = nlohmann::json::parse(found.body);
  CHECK(rec["recording_id"] == f.b.recording_id);
  CHECK(rec["timeline"].size() == 3);
  CHECK(rec["participants"][0]["number_e164"] == "+48601234567");

  Reply missing = Request(f.server->port(), "GET", "/api/v1/recordings/01JDXNOSUCH0000000000000000");
  CHECK(missing.status == 404);
  auto error = nlohmann::json::parse(missing.body);
  CHECK(error["error"]["status"] == 404);
  CHECK_THAT(error["error"]["message"].get<std::string>(), Catch::Contains("01JDXNOSUCH"));
}

TEST_CASE("http: bad parameters, unknown paths and methods get JSON errors") {
  ApiFixture f;
  Reply bad_time = Request(f.server->port(), "GET", "/api/v1/recordings?from=yesterday");
  CHECK(bad_time.status == 400);
  CHECK_THAT(nlohmann::json::parse(bad_time.body)["error"]["message"].get<std::string>(),
             Catch::StartsWith("from: time 'yesterday'"));
  CHECK(Request(f.server->port(), "GET", "/api/v1/recordings?limit=0").status == 400);
  CHECK(Request(f.server->port(), "GET", "/api/v1/recordings?format=xml").status == 400);
  CHECK(Request(f.server->port(), "GET", "/nothing-here").status == 404);
  Reply post = Request(f.server->port(), "POST", "/api/v1/recordings");
  CHECK(post.status == 405);
  CHECK(nlohmann::json::parse(post.body)["error"]["status"] == 405);
}

TEST_CASE("http: /healthz and routes mounted by other modules share the server") {
  ApiFixture f;
  f.server->Route("GET", "/metrics", RouteAccess::Public(), [](const HttpRequest&) {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = "kronika_up 1\n";
    return r;
  });
  Reply health = Request(f.server->port(), "GET", "/healthz");
  CHECK(health.status == 200);
  auto json = nlohmann::json::parse(health.body);
  CHECK(json["status"] == "ok");
  CHECK(json["store"]["recordings"] == 3);
  Reply metrics = Request(f.server->port(), "GET", "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body == "kronika_up 1\n");
  CHECK_THAT(metrics.head, Catch::Contains("text/plain; version=0.0.4"));
}

TEST_CASE("http: /healthz answers 503 while the store's map is full") {
  TempDir tmp;
  StoreOptions options;
  options.map_size_bytes = 256 * 1024;
  options.max_map_size_bytes = 0;
  options.max_batch_delay = std::chrono::milliseconds(1);
  auto store = Store::Open(StoreDir(tmp.path()), options);
  REQUIRE(store.ok());
  for (int i = 0; i < 40; ++i) {
    RecordingRecord r = MakeRecording("01JDX00000000000000000X" + std::to_string(100 + i),
                                      kT0Ms + i, "+48601000000");
    // ~300 KB each: not even one fits the 256 KB map, however the writer batches them.
    r.metadata_xml_last.assign(300'000, 'x');
    REQUIRE((*store)->Enqueue(r));
  }
  REQUIRE_FALSE((*store)->Flush(std::chrono::milliseconds(300)).ok());
  HttpServerOptions http;
  http.port = 0;
  HttpServer server(http);
  RegisterRecordingApi(server, **store);
  OpenRecordingApiForTest(server);
  REQUIRE(server.Start().ok());
  Reply health = Request(server.port(), "GET", "/healthz");
  CHECK(health.status == 503);
  auto json = nlohmann::json::parse(health.body);
  CHECK(json["status"] == "unhealthy");
  CHECK(json["store"]["map_full"] == true);
  CHECK(json["store"]["queue_depth"] == 40);
}

TEST_CASE("http: routes fail closed: a route that does not say who may call it is never served") {
  TempDir tmp;
  auto store = Store::Open(StoreDir(tmp.path()), StoreOptions{});
  REQUIRE(store.ok());
  HttpServerOptions options;
  options.port = 0;

  // The recording API without the access module: it holds phone numbers, and nobody said
  // who may read them, so the server does not start (and binds nothing).
  HttpServer bare(options);
  RegisterRecordingApi(bare, **store);
  Status started = bare.Start();
  REQUIRE_FALSE(started.ok());
  CHECK(started.error().code == ErrorCode::kInternal);
  CHECK_THAT(started.error().message, Catch::Contains("GET /api/v1/recordings") &&
                                          Catch::Contains("does not declare who may call it"));
  CHECK(bare.port() == 0);

  // A role list that names no role is no declaration either.
  HttpServer empty_roles(options);
  empty_roles.Route("GET", "/x", RouteAccess::Roles({}), [](const HttpRequest&) { return HttpResponse{}; });
  REQUIRE_FALSE(empty_roles.Start().ok());

  // Registered after Start() without a declaration: answered 403, the handler never runs.
  HttpServer server(options);
  server.Route("GET", "/open", RouteAccess::Public(), [](const HttpRequest&) { return HttpResponse{}; });
  REQUIRE(server.Start().ok());
  std::atomic<bool> ran{false};
  server.Route("GET", "/late", RouteAccess::Undeclared(), [&ran](const HttpRequest&) {
    ran = true;
    return HttpResponse{};
  });
  Reply late = Request(server.port(), "GET", "/late");
  CHECK(late.status == 403);
  CHECK_FALSE(ran.load());
  CHECK(Request(server.port(), "GET", "/open").status == 200);

  // Every route is listed with its declaration.
  std::vector<RouteInfo> routes = server.Routes();
  REQUIRE(routes.size() == 2);
  CHECK(routes[0].pattern == "/late");
  CHECK(routes[0].access.kind == RouteAccess::Kind::kUndeclared);
  CHECK(routes[1].pattern == "/open");
  CHECK(routes[1].access.kind == RouteAccess::Kind::kPublic);
}

TEST_CASE("http: /readyz is 200 while every check passes, 503 naming the failing one, and a gauge each") {
  HttpServerOptions options;
  options.port = 0;
  HttpServer server(options);
  Metrics metrics;
  std::atomic<bool> disk_ok{true};
  RegisterReadinessRoute(server, metrics,
                         {{"store", [](std::string& detail) { detail = "writable"; return OkStatus(); }},
                          {"disk", [&disk_ok](std::string& detail) -> Status {
                             if (!disk_ok) return MakeError(ErrorCode::kUnavailable, "disk: 3 MiB free");
                             detail = "plenty";
                             return OkStatus();
                           }}});
  REQUIRE(server.Start().ok());

  Reply ready = Request(server.port(), "GET", "/readyz");
  CHECK(ready.status == 200);
  auto json = nlohmann::json::parse(ready.body);
  CHECK(json["status"] == "ready");
  CHECK(json["checks"]["store"] == nlohmann::json{{"ok", true}, {"detail", "writable"}});
  CHECK(json["checks"]["disk"]["ok"] == true);
  CHECK_THAT(metrics.Render(), Catch::Contains("kronika_ready{check=\"disk\"} 1"));

  disk_ok = false;
  Reply not_ready = Request(server.port(), "GET", "/readyz");
  CHECK(not_ready.status == 503);
  CHECK_THAT(not_ready.head, Catch::Contains("Retry-After"));
  json = nlohmann::json::parse(not_ready.body);
  CHECK(json["status"] == "not_ready");
  CHECK(json["checks"]["disk"] == nlohmann::json{{"ok", false}, {"detail", "disk: 3 MiB free"}});
  CHECK(json["checks"]["store"]["ok"] == true);
  const std::string text = metrics.Render();
  CHECK_THAT(text, Catch::Contains("kronika_ready{check=\"disk\"} 0"));
  CHECK_THAT(text, Catch::Contains("kronika_ready{check=\"store\"} 1"));
}

TEST_CASE("http: a taken port is reported with the address") {
  HttpServerOptions options;
  options.port = 0;
  HttpServer first(options);
  REQUIRE(first.Start().ok());
  options.port = first.port();
  HttpServer second(options);
  Status started = second.Start();
  REQUIRE_FALSE(started.ok());
  CHECK_THAT(started.error().message,
             Catch::Contains("127.0.0.1:" + std::to_string(first.port())));
}

}  // namespace
}  // namespace kronika::srs
