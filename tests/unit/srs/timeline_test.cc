// Session timeline: event names, order, UTC times and paused spans (SCOPE-5).
#include <catch2/catch.hpp>

#include <chrono>

#include "kronika/srs/core/timeline.h"

namespace kronika::srs {
namespace {

using std::chrono::milliseconds;
Clock::time_point At(int64_t ms) { return Clock::time_point{milliseconds(ms)}; }

TEST_CASE("event kinds have the names the store and API show") {
  CHECK(TimelineEventName(TimelineEventKind::kInvite) == "invite");
  CHECK(TimelineEventName(TimelineEventKind::kMetadataChange) == "metadata-change");
  CHECK(TimelineEventName(TimelineEventKind::kRtpTimeout) == "rtp-timeout");
  CHECK(TimelineEventName(TimelineEventKind::kSessionExpired) == "session-expired");
  CHECK(TimelineEventName(TimelineEventKind::kCancel) == "cancel");
}

TEST_CASE("UTC times have millisecond precision") {
  CHECK(FormatUtcTime(At(0)) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatUtcTime(At(1764076131123)) == "2025-11-25T13:08:51.123Z");
  CHECK(FormatUtcTime(At(-1)) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("events keep arrival order and detail") {
  Timeline t;
  CHECK(t.empty());
  t.Add(TimelineEventKind::kInvite, At(1000), "call-id abc");
  t.Add(TimelineEventKind::kAnswer, At(1010));
  t.Add(TimelineEventKind::kDtmf, At(5000), "*");
  t.Add(TimelineEventKind::kBye, At(9000), "by SRC");
  REQUIRE(t.events().size() == 4);
  CHECK(t.events()[0].detail == "call-id abc");
  CHECK(t.events()[2].kind == TimelineEventKind::kDtmf);
  CHECK(t.events()[2].detail == "*");
  CHECK(t.events()[3].time == At(9000));
}

TEST_CASE("paused spans pair each pause with the next resume (SCOPE-5)") {
  Timeline t;
  t.Add(TimelineEventKind::kAnswer, At(0));
  t.Add(TimelineEventKind::kResume, At(500));  // resume while not paused: ignored
  t.Add(TimelineEventKind::kPause, At(1000), "a=inactive");
  t.Add(TimelineEventKind::kPause, At(1500), "c=0.0.0.0");  // folded into the open span
  t.Add(TimelineEventKind::kResume, At(4000));
  CHECK_FALSE(t.paused());
  t.Add(TimelineEventKind::kPause, At(6000), "a=inactive");
  CHECK(t.paused());

  const std::vector<PausedSpan> spans = t.PausedSpans();
  REQUIRE(spans.size() == 2);
  CHECK(spans[0].start == At(1000));
  REQUIRE(spans[0].end.has_value());
  CHECK(*spans[0].end == At(4000));
  CHECK(spans[0].reason == "a=inactive");
  CHECK(spans[1].start == At(6000));
  CHECK_FALSE(spans[1].end.has_value());
}

}  // namespace
}  // namespace kronika::srs
