// The long-poll parking thread (srs/http/src/parked_requests.h): each parked request is
// answered exactly once - when its poll answers, at its deadline, at Stop(), or at once when
// parked after Stop() - and a poll that throws or gives no answer at its deadline is a 500.
#include "parked_requests.h"

#include <catch2/catch.hpp>
#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <stdexcept>

namespace kronika::srs::http_internal {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

HttpResponse Ok(std::string body) {
  HttpResponse r;
  r.body = std::move(body);
  return r;
}

struct Answers {
  std::promise<HttpResponse> promise;
  std::future<HttpResponse> future = promise.get_future();
  std::atomic<int> calls{0};
  ParkedRequests::Answer Callback() {
    return [this](HttpResponse r) {
      if (calls.fetch_add(1) == 0) promise.set_value(std::move(r));
    };
  }
};

TEST_CASE("Parked requests: answered when the poll answers, or empty at the deadline", "[http]") {
  ParkedRequests parked;
  parked.Start(milliseconds(10));
  std::atomic<bool> ready{false};
  Answers a, b;
  parked.Park("GET /a", [&](bool expired) -> std::optional<HttpResponse> {
    if (ready) return Ok("ready");
    return expired ? std::optional<HttpResponse>(Ok("expired")) : std::nullopt;
  }, Clock::now() + std::chrono::seconds(30), a.Callback());
  const auto t0 = Clock::now();
  parked.Park("GET /b", [](bool expired) -> std::optional<HttpResponse> {
    return expired ? std::optional<HttpResponse>(Ok("expired")) : std::nullopt;
  }, t0 + milliseconds(200), b.Callback());
  REQUIRE(b.future.wait_for(std::chrono::seconds(2)) == std::future_status::ready);
  CHECK(b.future.get().body == "expired");
  CHECK(Clock::now() - t0 >= milliseconds(200));
  CHECK(a.future.wait_for(milliseconds(0)) == std::future_status::timeout);
  // The count drops once the round that answered b ends, just after b's answer: wait for it.
  const auto counted_by = Clock::now() + std::chrono::seconds(2);
  while (parked.parked() != 1 && Clock::now() < counted_by) std::this_thread::sleep_for(milliseconds(1));
  CHECK(parked.parked() == 1);
  ready = true;
  REQUIRE(a.future.wait_for(std::chrono::seconds(2)) == std::future_status::ready);
  CHECK(a.future.get().body == "ready");
  parked.Stop();
  CHECK(a.calls == 1);
  CHECK(b.calls == 1);
}

TEST_CASE("Parked requests: a poll that throws, or has no answer at its deadline, is a 500", "[http]") {
  ParkedRequests parked;
  parked.Start(milliseconds(10));
  Answers threw, silent;
  parked.Park("GET /throws", [](bool) -> std::optional<HttpResponse> { throw std::runtime_error("boom"); },
              Clock::now() + std::chrono::seconds(30), threw.Callback());
  parked.Park("GET /silent", [](bool) -> std::optional<HttpResponse> { return std::nullopt; },
              Clock::now() + milliseconds(50), silent.Callback());
  REQUIRE(threw.future.wait_for(std::chrono::seconds(2)) == std::future_status::ready);
  CHECK(threw.future.get().status == 500);
  REQUIRE(silent.future.wait_for(std::chrono::seconds(2)) == std::future_status::ready);
  CHECK(silent.future.get().status == 500);
}

TEST_CASE("Parked requests: Stop() answers every parked request as expired, and later ones at once", "[http]") {
  ParkedRequests parked;
  parked.Start(milliseconds(10));
  auto poll = [](bool expired) -> std::optional<HttpResponse> {
    return expired ? std::optional<HttpResponse>(Ok("expired")) : std::nullopt;
  };
  Answers a, later;
  parked.Park("GET /a", poll, Clock::now() + std::chrono::seconds(60), a.Callback());
  const auto t0 = Clock::now();
  parked.Stop();
  REQUIRE(a.future.wait_for(milliseconds(0)) == std::future_status::ready);
  CHECK(a.future.get().body == "expired");
  CHECK(Clock::now() - t0 < std::chrono::seconds(1));
  parked.Park("GET /later", poll, Clock::now() + std::chrono::seconds(60), later.Callback());
  REQUIRE(later.future.wait_for(milliseconds(0)) == std::future_status::ready);
  CHECK(later.future.get().body == "expired");
  CHECK(parked.parked() == 0);
}

}  // namespace
}  // namespace kronika::srs::http_internal
