#include "kronika/srs/core/timeline.h"

#include <chrono>

#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {

std::string_view TimelineEventName(TimelineEventKind kind) {
  switch (kind) {
    case TimelineEventKind::kInvite: return "invite";
    case TimelineEventKind::kAnswer: return "answer";
    case TimelineEventKind::kPause: return "pause";
    case TimelineEventKind::kResume: return "resume";
    case TimelineEventKind::kUpdate: return "update";
    case TimelineEventKind::kMetadataChange: return "metadata-change";
    case TimelineEventKind::kDtmf: return "dtmf";
    case TimelineEventKind::kRtpTimeout: return "rtp-timeout";
    case TimelineEventKind::kRtpResumed: return "rtp-resumed";
    case TimelineEventKind::kBye: return "bye";
    case TimelineEventKind::kCancel: return "cancel";
    case TimelineEventKind::kSessionExpired: return "session-expired";
    case TimelineEventKind::kError: return "error";
    case TimelineEventKind::kShutdown: return "shutdown";
  }
  return "unknown";
}

void Timeline::Add(TimelineEventKind kind, Clock::time_point time, std::string detail) {
  events_.push_back(TimelineEntry{kind, time, std::move(detail)});
}

std::vector<PausedSpan> Timeline::PausedSpans() const {
  std::vector<PausedSpan> spans;
  bool open = false;
  for (const TimelineEntry& event : events_) {
    if (event.kind == TimelineEventKind::kPause && !open) {
      spans.push_back(PausedSpan{event.time, std::nullopt, event.detail});
      open = true;
    } else if (event.kind == TimelineEventKind::kResume && open) {
      spans.back().end = event.time;
      open = false;
    }
  }
  return spans;
}

bool Timeline::paused() const {
  std::vector<PausedSpan> spans = PausedSpans();
  return !spans.empty() && !spans.back().end.has_value();
}

std::string FormatUtcTime(Clock::time_point time) {
  return FormatUtcTimeMs(
      std::chrono::floor<std::chrono::milliseconds>(time.time_since_epoch()).count());
}

}  // namespace kronika::srs
