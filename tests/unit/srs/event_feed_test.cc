// The pull feed of events (issue 17 item 4, event_feed.h) on a real outbox and a real
// HttpServer over TCP: parameters, pages, roles and the personal part, and long polling
// that answers on a commit while holding no worker (the server here has one).
#include "kronika/srs/http/event_feed.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <map>
#include <thread>

#include "kronika/srs/core/metrics.h"
#include "kronika/srs/store/database.h"
#include "http_test_client.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::TempDir;
using Clock = std::chrono::steady_clock;

constexpr int64_t kNowMs = 1'796'644'800'000;  // 2026-12-07T12:00:00Z

HttpRequest Query(std::vector<std::pair<std::string, std::string>> args) {
  HttpRequest r;
  r.method = "GET";
  r.path = "/api/v1/events";
  r.query = std::move(args);
  return r;
}

TEST_CASE("Event feed: after, limit and wait are checked, each error names its parameter", "[http][events]") {
  auto q = ParseEventFeedQuery(Query({}));
  REQUIRE(q.ok());
  CHECK(q->after == 0);
  CHECK(q->limit == 100);
  CHECK(q->wait == std::chrono::seconds(0));
  q = ParseEventFeedQuery(Query({{"after", "18446744073709551615"}, {"limit", "1000"}, {"wait", "60"}}));
  REQUIRE(q.ok());
  CHECK(q->after == UINT64_MAX);
  CHECK(q->limit == 1000);
  CHECK(q->wait == std::chrono::seconds(60));
  q = ParseEventFeedQuery(Query({{"wait", "3600"}}));  // capped, not refused
  REQUIRE(q.ok());
  CHECK(q->wait == kEventFeedMaxWait);
  q = ParseEventFeedQuery(Query({{"wait", "99999999999999999999999"}}));
  REQUIRE(q.ok());
  CHECK(q->wait == kEventFeedMaxWait);
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"after", "-1"}, {"after", "1e3"}, {"after", ""}, {"after", "18446744073709551616"}, {"limit", "0"},
           {"limit", "1001"}, {"limit", " 5"}, {"wait", "1.5"}, {"wait", "-1"}, {"wait", "x"}}) {
    INFO(name << "=" << value);
    auto bad = ParseEventFeedQuery(Query({{name, value}}));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::kInvalidInput);
    CHECK(bad.error().message.rfind(name + ": expected a whole number", 0) == 0);
  }
}

TEST_CASE("Event feed: who reads it, and who of them sees the personal part", "[http][events]") {
  const std::vector<Role>& readers = EventFeedReaders();
  auto reads = [&](Role r) { return std::find(readers.begin(), readers.end(), r) != readers.end(); };
  CHECK(reads(Role::kAdministrator));
  CHECK(reads(Role::kRecordsKeeper));
  CHECK(reads(Role::kDpo));
  CHECK(reads(Role::kAuditor));
  CHECK_FALSE(reads(Role::kListener));
  CHECK_FALSE(reads(Role::kApprover));
  auto user = [](Role r) { return User{"u", "N", "S", "P", {r}, false, 0, ""}; };
  CHECK_FALSE(SeesPersonalEventData(user(Role::kAdministrator)));
  CHECK(SeesPersonalEventData(user(Role::kRecordsKeeper)));
  CHECK(SeesPersonalEventData(user(Role::kDpo)));
  CHECK(SeesPersonalEventData(user(Role::kAuditor)));
}

struct Reply {
  int status = 0;
  nlohmann::json body;
};

// GET with a bearer token and Connection: close, read to EOF.
Reply Get(int port, const std::string& target, const std::string& token) {
  testing::RawHttpReply raw = testing::RawHttpRequest(port, "GET", target, "Authorization: Bearer " + token + "\r\n");
  return {raw.status, nlohmann::json::parse(raw.body, nullptr, false)};
}

struct Feed {
  Feed() {
    db = Database::Open(StoreDir(dir.path()), DatabaseOptions{}).value();
    store = Store::Open(db, StoreOptions{}).value();
    outbox = EventOutbox::Open(db, "kr1").value();
    AccessOptions access_options;
    access_options.data_dir = dir.path();
    access_options.encrypt_interval = std::chrono::milliseconds(0);
    access = AccessContext::Open(access_options, *store, &metrics).value();
    for (const auto& [name, role] : {std::pair{"keeper", Role::kRecordsKeeper}, {"admin", Role::kAdministrator}}) {
      REQUIRE(access->users().Add(User{name, "N", "S", "P", {role}, false, kNowMs, "order 1/2026"}).ok());
      tokens[role] = access->users().IssueToken(name, "test", kNowMs).value();
    }
    HttpServerOptions options;
    options.port = 0;
    options.workers = 1;  // a waiting call must not hold it
    server = std::make_unique<HttpServer>(options);
    MountEventFeed(*server, *access, outbox);
    REQUIRE(server->Start().ok());
  }
  ~Feed() { server->Stop(); }

  void Append(int count) {
    REQUIRE(db->Write([&](WriteTxn& txn) -> Status {
                  for (int i = 0; i < count; ++i) {
                    EventDraft d;
                    d.type = "recording.finished";
                    d.recording_id = "rec-" + std::to_string(i);
                    d.data = {{"verdict", "complete"}};
                    d.personal = {{"numbers", {"+48221234567"}}};
                    ASSIGN_OR_RETURN(Event e, outbox->AppendIn(txn, d, kNowMs));
                    (void)e;
                  }
                  return OkStatus();
                }).ok());
  }

  TempDir dir;
  Metrics metrics;
  std::shared_ptr<Database> db;
  std::unique_ptr<Store> store;
  std::shared_ptr<EventOutbox> outbox;
  std::unique_ptr<AccessContext> access;
  std::unique_ptr<HttpServer> server;
  std::map<Role, std::string> tokens;
};

std::vector<uint64_t> Seqs(const nlohmann::json& page) {
  std::vector<uint64_t> out;
  for (const auto& e : page["events"]) out.push_back(e["seq"].get<uint64_t>());
  return out;
}

TEST_CASE("Event feed: pages in sequence order with last_seq and next_after, the personal part by role",
          "[http][events]") {
  Feed f;
  f.Append(5);
  const std::string keeper = f.tokens[Role::kRecordsKeeper];
  Reply r = Get(f.server->port(), "/api/v1/events?after=1&limit=3", keeper);
  REQUIRE(r.status == 200);
  CHECK(Seqs(r.body) == std::vector<uint64_t>{2, 3, 4});
  CHECK(r.body["last_seq"] == 5);
  CHECK(r.body["next_after"] == 4);  // a full page: on from its last event
  CHECK(r.body["events"][0]["id"] == "kr1-2");
  CHECK(r.body["events"][0]["personal"]["numbers"][0] == "+48221234567");
  r = Get(f.server->port(), "/api/v1/events?after=4&limit=3", keeper);
  CHECK(Seqs(r.body) == std::vector<uint64_t>{5});
  CHECK(r.body["next_after"] == 5);
  r = Get(f.server->port(), "/api/v1/events?after=40", keeper);  // beyond the end: back to it
  CHECK(Seqs(r.body).empty());
  CHECK(r.body["next_after"] == 5);
  r = Get(f.server->port(), "/api/v1/events", f.tokens[Role::kAdministrator]);
  REQUIRE(r.status == 200);
  CHECK(Seqs(r.body).size() == 5);
  CHECK_FALSE(r.body["events"][0].contains("personal"));
  CHECK(r.body["events"][0]["data"]["verdict"] == "complete");
  r = Get(f.server->port(), "/api/v1/events?limit=5000", keeper);
  CHECK(r.status == 400);
  CHECK(r.body["error"]["message"].get<std::string>().rfind("limit:", 0) == 0);
}

TEST_CASE("Event feed: a long poll answers on the next commit and holds no worker meanwhile", "[http][events]") {
  Feed f;
  f.Append(1);
  const int port = f.server->port();
  const std::string keeper = f.tokens[Role::kRecordsKeeper];
  const auto t0 = Clock::now();
  std::vector<std::future<Reply>> polls;
  for (int i = 0; i < 3; ++i) {
    polls.push_back(std::async(std::launch::async, [&] { return Get(port, "/api/v1/events?after=1&wait=20", keeper); }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  // Three waiting calls and one worker: another route is still answered at once.
  const auto ping_start = Clock::now();
  Reply ping = Get(port, "/api/v1/events?after=0", keeper);
  CHECK(ping.status == 200);
  CHECK(Clock::now() - ping_start < std::chrono::milliseconds(500));
  CHECK(f.server->Stats().requests_parked == 3);
  for (auto& p : polls) CHECK(p.wait_for(std::chrono::seconds(0)) == std::future_status::timeout);

  f.Append(2);
  for (auto& p : polls) {
    REQUIRE(p.wait_for(std::chrono::seconds(3)) == std::future_status::ready);
    Reply r = p.get();
    CHECK(r.status == 200);
    CHECK(Seqs(r.body) == std::vector<uint64_t>{2, 3});
    CHECK(r.body["next_after"] == 3);
  }
  CHECK(Clock::now() - t0 < std::chrono::seconds(3));  // far from the 20 s asked for

  // Nothing committed: empty at the deadline.
  const auto t1 = Clock::now();
  Reply r = Get(port, "/api/v1/events?after=3&wait=1", keeper);
  const auto waited = Clock::now() - t1;
  CHECK(r.status == 200);
  CHECK(Seqs(r.body).empty());
  CHECK(r.body["next_after"] == 3);
  CHECK(waited >= std::chrono::milliseconds(950));
  CHECK(waited < std::chrono::milliseconds(1600));
}

TEST_CASE("Event feed: stopping the server answers the parked long polls at once", "[http][events]") {
  Feed f;
  const int port = f.server->port();
  const std::string keeper = f.tokens[Role::kRecordsKeeper];
  auto poll = std::async(std::launch::async, [&] { return Get(port, "/api/v1/events?wait=30", keeper); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto t0 = Clock::now();
  f.server->Stop();
  REQUIRE(poll.wait_for(std::chrono::seconds(3)) == std::future_status::ready);
  Reply r = poll.get();
  CHECK(r.status == 200);
  CHECK(Seqs(r.body).empty());
  CHECK(Clock::now() - t0 < std::chrono::seconds(2));
}

}  // namespace
}  // namespace kronika::srs
