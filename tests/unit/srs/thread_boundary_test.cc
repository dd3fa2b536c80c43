// Thread boundaries of the daemon's threads (issue 13 item 4): a throw injected into each
// thread's work through the boundary's test seam (kronika/fault_injection.h) is survived.
// What an ops engineer sees is checked: the error line naming the thread, the counter
// kronika_thread_faults_total{thread} in the metrics page, and - for the store writer,
// whose fault stops the storing of calls - kronika_thread_failed{thread} 1 and the /readyz
// "threads" check failing until the writer commits again. Then the thread does its next
// piece of work as usual. (Media workers and the file finisher: tests/unit/media.)
#include "kronika/thread_boundary.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kronika/fault_injection.h"
#include "kronika/media/media_engine.h"
#include "kronika/policy/retention.h"
#include "kronika/srs/access/access_context.h"
#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/atrest/key_file_syncer.h"
#include "kronika/srs/atrest/recording_keys.h"
#include "kronika/srs/core/metrics.h"
#include "kronika/srs/http/http_server.h"
#include "kronika/srs/http/metrics_route.h"
#include "kronika/srs/rules/retention_sweeper.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/sip/sip_server.h"
#include "kronika/srs/store/store.h"
#include "readiness_checks.h"
#include "http_test_client.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::kT0Ms;
using testing::MakeRecording;
using testing::TempDir;
using Clock = std::chrono::steady_clock;

// The boundary's log lines while the test runs.
class LogCapture {
 public:
  LogCapture() {
    ThreadFaults::Process().SetLogSink([this](std::string_view line) {
      std::lock_guard lock(mu_);
      lines_.emplace_back(line);
    });
  }
  ~LogCapture() { ThreadFaults::Process().SetLogSink(nullptr); }
  std::string Find(std::string_view text) const {
    std::lock_guard lock(mu_);
    for (const std::string& l : lines_) {
      if (l.find(text) != std::string::npos) return l;
    }
    return "";
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// Polls `done` every 5 ms for up to `limit`.
template <typename F>
bool WaitFor(F done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

// The sample line of `name{thread="<thread>"}` in a metrics page, e.g.
// `kronika_thread_faults_total{thread="kr-sweeper"} 1`, or "".
std::string Sample(const std::string& page, const std::string& name, const std::string& thread) {
  const std::string head = name + "{thread=\"" + thread + "\"} ";
  const size_t at = page.find(head);
  if (at == std::string::npos) return "";
  return page.substr(at, page.find('\n', at) - at);
}

std::string Expected(const std::string& name, const std::string& thread, uint64_t value) {
  return name + "{thread=\"" + thread + "\"} " + std::to_string(value);
}

TEST_CASE("store writer kr-store-wr: a throw while committing fails visibly, then the batch is committed") {
  LogCapture log;
  TempDir dir;
  StoreOptions options;
  options.retry_interval = std::chrono::milliseconds(2000);  // long enough to look at the failure
  auto store = Store::Open(StoreDir(dir.path()), options);
  REQUIRE(store.ok());
  Metrics metrics;
  ReadinessSources sources;
  sources.store = store->get();
  std::vector<ReadinessCheck> checks = DaemonReadinessChecks(sources);
  auto threads_check =
      std::find_if(checks.begin(), checks.end(), [](const ReadinessCheck& c) { return c.name == "threads"; });
  REQUIRE(threads_check != checks.end());
  std::string detail;
  REQUIRE(threads_check->probe(detail).ok());
  const uint64_t before = ThreadFaults::Process().FaultsOf(kStoreWriterThreadName);

  kronika::testing::ArmFault(kStoreWriterThreadName, 1);
  REQUIRE((*store)->Enqueue(MakeRecording("TB-STORE-1", kT0Ms, "+48601234567")));
  REQUIRE(WaitFor([&] { return !(*store)->Healthy(); }));
  // What the ops engineer sees while the writer is failed.
  CHECK(ThreadFaults::Process().FaultsOf(kStoreWriterThreadName) == before + 1);
  const std::string line = log.Find("kr-store-wr");
  CHECK_THAT(line, Catch::Contains("injected fault") && Catch::Contains("failed"));
  const std::string page = metrics.Render();
  CHECK(Sample(page, kMetricThreadFaults, "kr-store-wr") == Expected(kMetricThreadFaults, "kr-store-wr", before + 1));
  CHECK(Sample(page, kMetricThreadFailed, "kr-store-wr") == Expected(kMetricThreadFailed, "kr-store-wr", 1));
  Status readiness = threads_check->probe(detail);
  REQUIRE_FALSE(readiness.ok());
  CHECK_THAT(readiness.error().message, Catch::Contains("kr-store-wr") && Catch::Contains("injected fault"));

  // The kept batch is committed at the retry; the writer is well again.
  REQUIRE((*store)->Flush(std::chrono::seconds(15)).ok());
  CHECK((*store)->Get("TB-STORE-1")->has_value());
  CHECK((*store)->Healthy());
  CHECK(threads_check->probe(detail).ok());
  CHECK(Sample(metrics.Render(), kMetricThreadFailed, "kr-store-wr") ==
        Expected(kMetricThreadFailed, "kr-store-wr", 0));
}

policy::SitePolicy ThreeMonths() {
  policy::SitePolicy p;
  p.site_id = "waw1";
  p.retention.months = 3;
  Result<policy::SitePolicy> valid = policy::ValidateSitePolicy(p);
  REQUIRE(valid.ok());
  return *valid;
}

TEST_CASE("sweeper kr-sweeper: a pass that throws is skipped, the next pass deletes what expired") {
  LogCapture log;
  TempDir dir;
  auto store = Store::Open(StoreDir(dir.path()), StoreOptions{});
  REQUIRE(store.ok());
  auto db = RulesDb::Open(dir.path());
  REQUIRE(db.ok());
  SitePolicies sites;
  sites.Add(ThreeMonths());
  const int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto add = [&](const std::string& id, int64_t start_ms) {
    RecordingRecord r = MakeRecording(id, start_ms, "+48601234567");
    r.retention_expiry_ms_utc = policy::StampRetention(*sites.Find("waw1"), start_ms).expires_at_ms_utc;
    r.file_path = "recordings/" + id + ".opus";
    r.file_bytes = 1000;
    std::filesystem::create_directories(dir.path() / "recordings");
    std::ofstream(dir.path() / r.file_path) << std::string(1000, 'A');
    REQUIRE((*store)->Enqueue(r));
  };
  add("TB-OLD", now - 200LL * 86'400'000);  // expired months ago
  add("TB-NEW", now - 60'000);              // a fresh one keeps the clock guard satisfied
  REQUIRE((*store)->Flush().ok());
  const uint64_t before = ThreadFaults::Process().FaultsOf(kSweeperThreadName);

  kronika::testing::ArmFault(kSweeperThreadName, 1);
  RetentionSweeper sweeper(store->get(), db->get(), &sites, nullptr, SweepOptions{dir.path(), true, 10});
  sweeper.Start(std::chrono::milliseconds(50));
  REQUIRE(WaitFor([&] { return !(*store)->Get("TB-OLD")->has_value(); }));
  sweeper.Stop();
  CHECK((*store)->Get("TB-NEW")->has_value());
  CHECK(ThreadFaults::Process().FaultsOf(kSweeperThreadName) == before + 1);
  CHECK_THAT(log.Find("kr-sweeper"), Catch::Contains("injected fault") && Catch::Contains("recovered"));
  Metrics metrics;
  CHECK(Sample(metrics.Render(), kMetricThreadFaults, "kr-sweeper") ==
        Expected(kMetricThreadFaults, "kr-sweeper", before + 1));
}

TEST_CASE("key syncer kr-keysync: a key whose shred throws is skipped, the next key is shredded") {
  LogCapture log;
  TempDir dir;
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), RandomBytes(kAesKeyBytes));
  REQUIRE(keys.Create("TB-K1").ok());
  REQUIRE(keys.Create("TB-K2").ok());
  const uint64_t before = ThreadFaults::Process().FaultsOf(kKeySyncerThreadName);
  {
    KeyFileSyncer syncer(keys);
    kronika::testing::ArmFault(kKeySyncerThreadName, 1);
    syncer.Discard("TB-K1");
    syncer.Discard("TB-K2");
    REQUIRE(WaitFor([&] { return !keys.Has("TB-K2"); }));
  }
  CHECK(keys.Has("TB-K1"));  // skipped, not lost: a later shred or the erasure paths remove it
  CHECK(ThreadFaults::Process().FaultsOf(kKeySyncerThreadName) == before + 1);
  CHECK_THAT(log.Find("kr-keysync"), Catch::Contains("injected fault"));
  Metrics metrics;
  CHECK(Sample(metrics.Render(), kMetricThreadFaults, "kr-keysync") ==
        Expected(kMetricThreadFaults, "kr-keysync", before + 1));
}

TEST_CASE("encryptor kr-encrypt: a pass that throws is skipped, the next pass encrypts the recording") {
  LogCapture log;
  TempDir dir;
  TempDir key_dir;  // the master key must not sit in the data directory
  const std::filesystem::path key_file = key_dir.path() / "master.key";
  std::ofstream(key_file) << std::string(64, 'a') << "\n";
  auto store = Store::Open(StoreDir(dir.path()), StoreOptions{});
  REQUIRE(store.ok());
  std::filesystem::create_directories(dir.path() / "recordings");
  const std::filesystem::path plain = dir.path() / "recordings" / "TB-E1.opus";
  std::ofstream(plain) << std::string(5000, 'O');
  const uint64_t before = ThreadFaults::Process().FaultsOf(kEncryptorThreadName);

  kronika::testing::ArmFault(kEncryptorThreadName, 1);
  Metrics metrics;
  AccessOptions options;
  options.data_dir = dir.path();
  options.master_key_file = key_file;
  options.encrypt_interval = std::chrono::milliseconds(50);
  auto context = AccessContext::Open(options, **store, &metrics);
  REQUIRE(context.ok());
  REQUIRE(WaitFor([&] { return std::filesystem::exists(EncryptedPathOf(plain)) && !std::filesystem::exists(plain); }));
  context->reset();
  CHECK(ThreadFaults::Process().FaultsOf(kEncryptorThreadName) == before + 1);
  CHECK_THAT(log.Find("kr-encrypt"), Catch::Contains("injected fault") && Catch::Contains("recovered"));
  CHECK(Sample(metrics.Render(), kMetricThreadFaults, "kr-encrypt") ==
        Expected(kMetricThreadFaults, "kr-encrypt", before + 1));
}

// One HTTP/1.1 GET with Connection: close; returns the status code and the body.
std::pair<int, std::string> Get(int port, const std::string& target) {
  testing::RawHttpReply reply = testing::RawHttpRequest(port, "GET", target);
  return {reply.status, reply.body};
}

TEST_CASE("HTTP workers kr-http-w<N>: a handler that throws answers 500, the next request is served") {
  LogCapture log;
  Metrics metrics;
  HttpServerOptions options;
  options.port = 0;
  options.workers = 2;
  HttpServer server(options);
  server.Route("GET", "/api/v1/echo", RouteAccess::Public(), [](const HttpRequest&) {
    HttpResponse r;
    r.body = R"({"ok":true})";
    return r;
  });
  RegisterMetricsRoute(server, metrics);
  REQUIRE(server.Start().ok());
  auto worker_faults = [] {
    return ThreadFaults::Process().FaultsOf("kr-http-w0") + ThreadFaults::Process().FaultsOf("kr-http-w1");
  };
  const uint64_t before = worker_faults();

  kronika::testing::ArmFault(kHttpWorkerThreadPrefix, 1);
  const auto [failed_status, failed_body] = Get(server.port(), "/api/v1/echo");
  CHECK(failed_status == 500);
  CHECK_THAT(failed_body, Catch::Contains("internal error"));
  CHECK_THAT(failed_body, !Catch::Contains("injected"));  // what threw stays in the log
  const auto [status, body] = Get(server.port(), "/api/v1/echo");
  CHECK(status == 200);
  CHECK(body == R"({"ok":true})");
  CHECK(worker_faults() == before + 1);
  CHECK_THAT(log.Find("kr-http-w"), Catch::Contains("injected fault"));
  const auto [metrics_status, page] = Get(server.port(), "/metrics");
  CHECK(metrics_status == 200);
  const uint64_t w0 = ThreadFaults::Process().FaultsOf("kr-http-w0");
  const uint64_t w1 = ThreadFaults::Process().FaultsOf("kr-http-w1");
  CHECK(Sample(page, kMetricThreadFaults, "kr-http-w0") == Expected(kMetricThreadFaults, "kr-http-w0", w0));
  CHECK(Sample(page, kMetricThreadFaults, "kr-http-w1") == Expected(kMetricThreadFaults, "kr-http-w1", w1));
  server.Stop();
}

// One OPTIONS over UDP from 127.0.0.1 to `port`; the status line of the answer within 2 s,
// or "" when none came.
std::string SipOptions(int port) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
  socklen_t len = sizeof local;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0);
  const std::string lport = std::to_string(ntohs(local.sin_port));
  const std::string target = "sip:127.0.0.1:" + std::to_string(port);
  const std::string request = "OPTIONS " + target +
                              " SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 127.0.0.1:" +
                              lport + ";branch=z9hG4bK-tb-" + lport +
                              ";rport\r\n"
                              "Max-Forwards: 70\r\n"
                              "From: <sip:probe@127.0.0.1>;tag=tb1\r\n"
                              "To: <" +
                              target +
                              ">\r\n"
                              "Call-ID: tb-" +
                              lport +
                              "@127.0.0.1\r\n"
                              "CSeq: 1 OPTIONS\r\n"
                              "Content-Length: 0\r\n\r\n";
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::sendto(fd, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
          static_cast<ssize_t>(request.size()));
  std::string status;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 2000) == 1) {
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      const std::string answer(buf, static_cast<size_t>(n));
      status = answer.substr(0, answer.find("\r\n"));
    }
  }
  ::close(fd);
  return status;
}

TEST_CASE("SIP thread kr-sip: a callback that throws drops its event, the SIP thread goes on") {
  LogCapture log;
  TempDir dir;
  media::MediaConfig media_config;
  media_config.recordings_dir = dir.path() / "recordings";
  std::filesystem::create_directories(media_config.recordings_dir);
  media_config.rtp_port_min = 36300;
  media_config.rtp_port_max = 36399;
  media_config.workers = 1;
  media_config.min_free_disk_bytes = 0;
  auto engine = media::MediaEngine::Start(media_config);
  REQUIRE(engine.ok());
  Metrics metrics;
  constexpr int kSipPort = 36290;
  Config config;
  config.sip.listen = "127.0.0.1:" + std::to_string(kSipPort);
  const uint64_t before = ThreadFaults::Process().FaultsOf(kSipThreadName);

  std::atomic<SipServer*> running{nullptr};
  std::string create_error;
  std::thread sip([&] {  // Create() and Run() on one thread: it becomes the SIP thread
    SipServerDeps deps;
    deps.media = engine->get();
    deps.metrics = &metrics;
    auto server = SipServer::Create(config, std::move(deps));
    if (!server.ok()) {
      create_error = server.error().message;
      running = reinterpret_cast<SipServer*>(1);
      return;
    }
    running = server->get();
    (void)(*server)->Run();
  });
  REQUIRE(WaitFor([&] { return running.load() != nullptr; }));
  INFO(create_error);
  REQUIRE(create_error.empty());

  // The next callback on the SIP thread throws: the 1 s tick at the latest.
  kronika::testing::ArmFault(kSipThreadName, 1);
  CHECK(WaitFor([&] { return ThreadFaults::Process().FaultsOf(kSipThreadName) == before + 1; }));
  // It goes on: an OPTIONS is answered (retried as an SRC would, in case the armed fault
  // dropped the first).
  std::string status = SipOptions(kSipPort);
  if (status.empty()) status = SipOptions(kSipPort);
  CHECK(status == "SIP/2.0 200 OK");
  running.load()->RequestStop();
  sip.join();
  CHECK(ThreadFaults::Process().FaultsOf(kSipThreadName) == before + 1);
  CHECK_THAT(log.Find("kr-sip"), Catch::Contains("injected fault") && Catch::Contains("recovered"));
  CHECK(Sample(metrics.Render(), kMetricThreadFaults, "kr-sip") == Expected(kMetricThreadFaults, "kr-sip", before + 1));
}

}  // namespace
}  // namespace kronika::srs
