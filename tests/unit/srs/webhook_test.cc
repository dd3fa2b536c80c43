// Webhooks (issue 17 item 3) without a receiver: the signature against RFC 4231's HMAC-SHA256
// vectors, the retry delays, and the deliverer on a real LMDB outbox against endpoints that
// refuse or never answer - events it does not want move its cursor without a POST, a failing
// event is retried and then parked (cursor past it, a webhook.parked event in the outbox),
// and Stop() does not wait for a hanging POST. Pruning keeps the newest event and says what
// it deleted. The HTTPS path itself is tested end to end in tests/integration/events.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "kronika/srs/core/metrics.h"
#include "kronika/srs/core/data_layout.h"
#include "kronika/srs/store/database.h"
#include "kronika/srs/store/event_outbox.h"
#include "kronika/srs/webhook/event_pruner.h"
#include "kronika/srs/webhook/retry_delay.h"
#include "kronika/srs/webhook/webhook_deliverer.h"
#include "kronika/srs/webhook/webhook_metrics.h"
#include "kronika/srs/webhook/webhook_signature.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_CASE("Webhook signature: HMAC-SHA256 as RFC 4231 gives it, over timestamp.body") {
  // RFC 4231 test case 2 and test case 1 (key 20 x 0x0b, "Hi There").
  CHECK(HmacSha256Hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(HmacSha256Hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // The header value: "v1=" + HMAC(secret, "<timestamp>.<body>").
  CHECK(WebhookSignature("Jefe", 1796644800, "{}") == "v1=" + HmacSha256Hex("Jefe", "1796644800.{}"));
  CHECK(WebhookSignature("Jefe", 1796644800, "{}") != WebhookSignature("Jefe", 1796644801, "{}"));
  CHECK(WebhookSignature("Jefe", 1796644800, "{}").size() == 3 + 64);
}

TEST_CASE("Webhook retries: full jitter under a ceiling that doubles from 1 s to 5 min") {
  CHECK(RetryCeiling(1) == 1000ms);
  CHECK(RetryCeiling(2) == 2000ms);
  CHECK(RetryCeiling(4) == 8000ms);
  CHECK(RetryCeiling(9) == 256000ms);
  CHECK(RetryCeiling(10) == 300000ms);  // capped
  CHECK(RetryCeiling(1000) == 300000ms);
  CHECK(RetryDelay(3, 0.0) == kMinRetryDelay);  // never a hot loop
  CHECK(RetryDelay(3, 0.5) == 2000ms);
  CHECK(RetryDelay(3, 0.999999) <= 4000ms);
  CHECK(RetryDelay(3, 0.999999) > 3990ms);
  CHECK(RetryDelay(50, 0.5) == 150000ms);
  CHECK(RetryDelay(2, 0.5, 10ms, 15ms) == kMinRetryDelay);  // test-sized windows stay >= the floor
  // Spread: 1000 draws after the 6th failure cover the window (32 s), not one point.
  std::chrono::milliseconds lo = 1h, hi = 0ms;
  for (int i = 0; i < 1000; ++i) {
    const auto d = RetryDelay(6, (i + 0.5) / 1000.0);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  CHECK(lo < 1000ms);
  CHECK(hi > 31000ms);
  CHECK(hi <= 32000ms);
}

struct Fixture {
  TempDir dir;
  std::shared_ptr<Database> db = Database::Open(StoreDir(dir.path()), DatabaseOptions{}).value();
  std::shared_ptr<EventOutbox> outbox = EventOutbox::Open(db, "kr1").value();
  Metrics metrics;
  WebhookMetrics webhook_metrics{metrics.registry()};

  uint64_t Append(const std::string& type, int64_t time_ms, const std::string& recording = "rec-1") {
    uint64_t seq = 0;
    EventDraft d;
    d.type = type;
    d.recording_id = recording;
    REQUIRE(db->Write([&](WriteTxn& txn) -> Status {
                ASSIGN_OR_RETURN(Event e, outbox->AppendIn(txn, d, time_ms));
                seq = e.seq;
                return OkStatus();
              }).ok());
    return seq;
  }
  double Metric(const std::string& name, const std::string& endpoint) {
    const std::string text = metrics.Render();
    const std::string key = name + "{endpoint=\"" + endpoint + "\"} ";
    const size_t at = text.find(key);
    return at == std::string::npos ? -1 : std::stod(text.substr(at + key.size()));
  }
};

WebhookEndpoint Endpoint(const std::string& url, std::chrono::milliseconds max_age) {
  WebhookEndpoint e;
  e.name = "dead";
  e.url = url;
  e.secret = "0123456789abcdef";
  e.max_age = max_age;
  e.timeout = 2000ms;
  return e;
}

// A loopback port nothing listens on (bound, then closed): connections are refused.
int RefusingPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

template <typename Pred>
bool WaitUntil(Pred pred, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

TEST_CASE("Webhook deliverer: events an endpoint does not want move its cursor without a POST") {
  Fixture f;
  for (int i = 0; i < 3; ++i) f.Append("recording.started", NowMs());
  WebhookEndpoint e = Endpoint("https://127.0.0.1:" + std::to_string(RefusingPort()) + "/", 24h);
  e.types = {"hold.placed"};
  WebhookDeliverer deliverer(f.outbox, {e}, &f.webhook_metrics);
  deliverer.Start();
  CHECK(WaitUntil([&] { return f.outbox->CursorOf(WebhookConsumer("dead")).value() == 3; }));
  deliverer.Stop();
  CHECK(f.Metric(kMetricWebhookFailures, "dead") == 0);
  CHECK(f.Metric(kMetricWebhookDelivered, "dead") == 0);
}

TEST_CASE("Webhook deliverer: a cursor row that does not decode starts the endpoint over, not never") {
  Fixture f;
  for (int i = 0; i < 2; ++i) f.Append("recording.started", NowMs());
  REQUIRE(f.db->Write([&](WriteTxn& txn) {
                return txn.Put(f.outbox->cursors_table(), WebhookConsumer("dead"), std::string("\x01", 1));
              }).ok());
  WebhookEndpoint e = Endpoint("https://127.0.0.1:" + std::to_string(RefusingPort()) + "/", 24h);
  e.types = {"hold.placed"};  // nothing to send: the cursor is rewritten past both events
  WebhookDeliverer deliverer(f.outbox, {e}, &f.webhook_metrics);
  deliverer.Start();
  CHECK(WaitUntil([&] {
    Result<uint64_t> cursor = f.outbox->CursorOf(WebhookConsumer("dead"));
    return cursor.ok() && *cursor == 2;
  }));
}

TEST_CASE("Webhook deliverer: a failing event is retried until max_age, then parked and reported") {
  Fixture f;
  const uint64_t seq = f.Append("recording.finished", NowMs());
  WebhookDelivererOptions options;
  options.first_retry = 100ms;
  options.max_retry = 200ms;
  WebhookDeliverer deliverer(f.outbox, {Endpoint("https://127.0.0.1:" + std::to_string(RefusingPort()) + "/", 1500ms)},
                             &f.webhook_metrics, options);
  deliverer.Start();
  CHECK(WaitUntil([&] { return f.Metric(kMetricWebhookFailures, "dead") >= 2; }));
  CHECK(deliverer.States().at(0).retrying);
  CHECK(deliverer.States().at(0).oldest_undelivered_ms_utc > 0);
  CHECK(f.outbox->CursorOf(WebhookConsumer("dead")).value() == 0);  // not yet given up
  REQUIRE(WaitUntil([&] { return f.Metric(kMetricWebhookParked, "dead") == 1; }));
  CHECK(WaitUntil([&] { return f.outbox->CursorOf(WebhookConsumer("dead")).value() >= seq; }));
  // The webhook.parked event names what was given up; the endpoint then tries that one too
  // (it wants every type), and a parked webhook.parked adds no further event.
  auto events = f.outbox->ReadAfter(seq, 10).value();
  REQUIRE(events.size() >= 1);
  CHECK(events[0].type == "webhook.parked");
  CHECK(events[0].recording_id == "rec-1");
  const nlohmann::json data = EventJson(events[0], false)["data"];
  CHECK(data["endpoint"] == "dead");
  CHECK(data["event_id"] == "kr1-" + std::to_string(seq));
  CHECK(data["event_type"] == "recording.finished");
  CHECK(data["attempts"].get<int>() >= 2);
  CHECK(data["last_error"].get<std::string>().starts_with("curl: "));
  CHECK(WaitUntil([&] { return f.Metric(kMetricWebhookParked, "dead") == 2; }));
  std::this_thread::sleep_for(300ms);
  CHECK(f.outbox->LastSeq().value() == seq + 1);
  CHECK(f.outbox->CursorOf(WebhookConsumer("dead")).value() == seq + 1);
  CHECK_FALSE(deliverer.States().at(0).retrying);
  CHECK(WaitUntil([&] { return deliverer.States().at(0).oldest_undelivered_ms_utc == 0; }));
}

TEST_CASE("Webhook deliverer: Stop() does not wait for an endpoint that never answers") {
  Fixture f;
  f.Append("recording.finished", NowMs());
  // Listens (the kernel completes the TCP handshake) and never reads: TLS never starts.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(fd, 8) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  WebhookEndpoint e = Endpoint("https://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/", 24h);
  e.timeout = 60s;
  auto deliverer = std::make_unique<WebhookDeliverer>(f.outbox, std::vector<WebhookEndpoint>{e}, &f.webhook_metrics);
  deliverer->Start();
  std::this_thread::sleep_for(500ms);  // the POST is under way
  CHECK(deliverer->States().at(0).oldest_undelivered_ms_utc > 0);
  const auto before = std::chrono::steady_clock::now();
  deliverer->Stop();
  CHECK(std::chrono::steady_clock::now() - before < 2500ms);
  CHECK(f.outbox->CursorOf(WebhookConsumer("dead")).value() == 0);  // sent again at the next start
  ::close(fd);
}

TEST_CASE("Event pruning: old events go, the newest stays, an events.pruned event says how many") {
  Fixture f;
  const int64_t now = NowMs();
  const int64_t day = 24LL * 3600 * 1000;
  for (int i = 0; i < 5; ++i) f.Append("recording.finished", now - 40 * day + i);
  f.Append("recording.finished", now - 1 * day);
  Result<PruneResult> pruned = PruneEvents(*f.outbox, now - 30 * day, now, 3);
  REQUIRE(pruned.ok());
  CHECK(pruned->deleted == 3);
  CHECK(pruned->through_seq == 3);
  pruned = PruneEvents(*f.outbox, now - 30 * day, now);
  REQUIRE(pruned.ok());
  CHECK(pruned->deleted == 2);
  CHECK(pruned->through_seq == 5);
  auto left = f.outbox->ReadAfter(0, 100).value();
  REQUIRE(left.size() == 3);
  CHECK(left[0].seq == 6);
  CHECK(left[1].type == "events.pruned");
  CHECK(EventJson(left[1], false)["data"]["count"] == 3);
  CHECK(EventJson(left[2], false)["data"]["through_seq"] == 5);
  CHECK(PruneEvents(*f.outbox, now - 30 * day, now)->deleted == 0);
  // Everything old, even the newest: the newest stays so the numbering carries on.
  pruned = PruneEvents(*f.outbox, now + day, now);
  CHECK(pruned->deleted == 2);
  CHECK(f.outbox->ReadAfter(0, 100)->size() == 2);
  CHECK(f.outbox->LastSeq().value() == 9);
}

}  // namespace
}  // namespace kronika::srs
