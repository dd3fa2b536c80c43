// The SIP edge guard (srs/sip/src/request_guard.h): sip.allowed_sources and
// sip.max_message_bytes, and its log rate limit.
#include "request_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>

namespace kronika::srs {
namespace {

sockaddr_in V4(const char* text) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  REQUIRE(inet_pton(AF_INET, text, &a.sin_addr) == 1);
  return a;
}

TEST_CASE("the SIP edge guard refuses foreign sources with 403 and large messages with 513", "[sip]") {
  const RequestGuard guard(DefaultAllowedSources(), 131072);
  CHECK_FALSE(guard.open());
  const sockaddr_in lan = V4("192.168.1.20");
  CHECK_FALSE(guard.Check(reinterpret_cast<const sockaddr*>(&lan), 2000).has_value());

  const sockaddr_in internet = V4("203.0.113.9");
  std::optional<GuardRefusal> refusal = guard.Check(reinterpret_cast<const sockaddr*>(&internet), 2000);
  REQUIRE(refusal.has_value());
  CHECK(refusal->status == 403);
  CHECK(refusal->warning == "source 203.0.113.9 is not in sip.allowed_sources");
  CHECK(refusal->reason == "source_not_allowed");

  refusal = guard.Check(reinterpret_cast<const sockaddr*>(&lan), 131073);
  REQUIRE(refusal.has_value());
  CHECK(refusal->status == 513);
  CHECK(refusal->warning == "body of 131073 bytes, over the 131072-byte limit (sip.max_message_bytes)");
  CHECK(refusal->reason == "too_large");
  CHECK_FALSE(guard.Check(reinterpret_cast<const sockaddr*>(&lan), 131072).has_value());

  CHECK(RequestGuard({"0.0.0.0/0", "::/0"}, 131072).open());
  CHECK_FALSE(RequestGuard({"0.0.0.0/0"}, 131072).open());  // IPv6 still restricted
}

TEST_CASE("refusal log lines are limited to a burst per second, the rest counted", "[sip]") {
  RequestGuard guard(DefaultAllowedSources(), 131072);
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  size_t suppressed = 0;
  for (size_t i = 0; i < RequestGuard::kLogBurst; ++i) CHECK(guard.ShouldLog(t0, suppressed));
  CHECK(suppressed == 0);
  for (int i = 0; i < 500; ++i) CHECK_FALSE(guard.ShouldLog(t0 + std::chrono::milliseconds(10), suppressed));
  CHECK(guard.ShouldLog(t0 + std::chrono::seconds(1), suppressed));
  CHECK(suppressed == 500);  // the next line says how many were left out
}

}  // namespace
}  // namespace kronika::srs
