// SCOPE-5: paused spans are not stored; the recording says when and why it was paused.
#include "kronika/policy/pause.h"

#include <catch2/catch.hpp>

namespace kronika::policy {

namespace {
constexpr int64_t kT0 = 1773133200000;  // 2026-03-10T09:00:00Z
constexpr int64_t kS = 1000;
}  // namespace

TEST_CASE("SCOPE-5 a private call paused and resumed leaves one unstored span with its reason") {
  PauseTracker t(kT0);
  REQUIRE(t.Pause(kT0 + 60 * kS, "src-pause (a=inactive)").ok());
  CHECK(t.paused());
  REQUIRE(t.Resume(kT0 + 155 * kS).ok());
  CHECK_FALSE(t.paused());
  CHECK(t.ShouldStore(kT0));
  CHECK(t.ShouldStore(kT0 + 60 * kS - 1));
  CHECK_FALSE(t.ShouldStore(kT0 + 60 * kS));
  CHECK_FALSE(t.ShouldStore(kT0 + 155 * kS - 1));
  CHECK(t.ShouldStore(kT0 + 155 * kS));
  CHECK_FALSE(t.ShouldStore(kT0 - 1));  // before the recording
  const PauseSummary s = t.Summary(kT0 + 600 * kS);
  REQUIRE(s.paused.size() == 1);
  CHECK(s.paused[0] == PausedSpan{kT0 + 60 * kS, kT0 + 155 * kS, "src-pause (a=inactive)", false});
  CHECK(s.paused_ms == 95 * kS);
  CHECK(s.recorded_ms == 505 * kS);
  CHECK(s.text == "pause: 1 span(s), 95 s of 600 s not stored (SCOPE-5)");
}

TEST_CASE("SCOPE-5 repeated pause and resume signals change nothing, reordered ones are refused") {
  PauseTracker t(kT0);
  REQUIRE(t.Resume(kT0 + 1 * kS).ok());  // resume while recording: nothing to end
  REQUIRE(t.Pause(kT0 + 10 * kS, "private call").ok());
  REQUIRE(t.Pause(kT0 + 20 * kS, "src-pause (a=inactive)").ok());  // session refresh re-sends it
  REQUIRE(t.Resume(kT0 + 30 * kS).ok());
  REQUIRE(t.Resume(kT0 + 40 * kS).ok());
  const PauseSummary s = t.Summary(kT0 + 60 * kS);
  REQUIRE(s.paused.size() == 1);
  CHECK(s.paused[0].start_ms_utc == kT0 + 10 * kS);  // the first pause counts
  CHECK(s.paused[0].reason == "private call");
  CHECK(s.paused_ms == 20 * kS);

  const Status late = t.Pause(kT0 + 35 * kS, "private call");
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().message == "pause: act at " + std::to_string(kT0 + 35 * kS) +
                                    " ms is before the previous act at " +
                                    std::to_string(kT0 + 40 * kS) + " ms (SCOPE-5)");
  CHECK_FALSE(t.paused());
  CHECK(t.Pause(kT0 + 50 * kS, "").error().message == "pause: reason is empty (SCOPE-5)");
  CHECK(t.Resume(kT0 - 1).error().code == ErrorCode::kInvalidInput);
}

TEST_CASE("SCOPE-5 a recording that ends while paused reports the open span up to its end") {
  PauseTracker t(kT0);
  REQUIRE(t.Pause(kT0 + 5 * kS, "src-pause (a=inactive)").ok());
  REQUIRE(t.Resume(kT0 + 7 * kS).ok());
  REQUIRE(t.Pause(kT0 + 100 * kS, "src-pause (a=inactive)").ok());
  CHECK_FALSE(t.ShouldStore(kT0 + 10'000 * kS));
  const PauseSummary s = t.Summary(kT0 + 130 * kS);
  REQUIRE(s.paused.size() == 2);
  CHECK(s.paused[1].open);
  CHECK(s.paused[1].end_ms_utc == kT0 + 130 * kS);
  CHECK(s.paused_ms == 32 * kS);
  CHECK(s.recorded_ms == 98 * kS);
  // A pause and resume at the same instant leaves no span.
  PauseTracker z(kT0);
  REQUIRE(z.Pause(kT0 + kS, "x").ok());
  REQUIRE(z.Resume(kT0 + kS).ok());
  CHECK(z.Summary(kT0 + 2 * kS).paused.empty());
}

}  // namespace kronika::policy
