// A recording session's event timeline: what happened to the recording and when (UTC).
//
// The SIP thread appends events as the SRC signals them (invite, answer, pause, resume,
// update, metadata-change, bye, cancel ...) and as the media engine reports them (dtmf,
// rtp-timeout). The store persists the timeline with the session snapshot; SCOPE-5 asks
// that the metadata says when and why recording was paused, which PausedSpans() derives.
//
// Threads: a Timeline is a plain value, owned by its Session on the SIP thread; copies go
// to the store.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kronika::srs {

using Clock = std::chrono::system_clock;

enum class TimelineEventKind {
  kInvite,          // initial INVITE received
  kAnswer,          // 200 OK sent, recording started
  kPause,           // SRC paused recording (a=inactive or c=0.0.0.0), SCOPE-5
  kResume,          // SRC resumed recording
  kUpdate,          // streams added/removed, port or codec changed
  kMetadataChange,  // new RFC 7865 metadata merged (re-INVITE or UPDATE)
  kDtmf,            // RFC 4733 digit seen by the media engine (CONSENT-2); detail = digit
  kRtpTimeout,      // no RTP for media.rtp_timeout_ms
  kRtpResumed,      // RTP back after a timeout
  kBye,             // session ended by BYE (detail says which side)
  kCancel,          // INVITE cancelled before the answer
  kSessionExpired,  // RFC 4028 session timer ran out
  kError,           // recorder-side failure (detail says what); the call is unaffected
  kShutdown,        // the server stopped while the session was active
};

// "invite", "answer", "pause", "resume", "update", "metadata-change", "dtmf",
// "rtp-timeout", "rtp-resumed", "bye", "cancel", "session-expired", "error", "shutdown".
std::string_view TimelineEventName(TimelineEventKind kind);

struct TimelineEntry {
  TimelineEventKind kind;
  Clock::time_point time;
  std::string detail;  // free text: a reason, a digit, the stream label ...
};

struct PausedSpan {
  Clock::time_point start;
  std::optional<Clock::time_point> end;  // nullopt: still paused (or ended while paused)
  std::string reason;                    // the pause event's detail
};

class Timeline {
 public:
  void Add(TimelineEventKind kind, Clock::time_point time, std::string detail = {});
  const std::vector<TimelineEntry>& events() const { return events_; }
  bool empty() const { return events_.empty(); }

  // Spans between each pause and the next resume (a pause while paused is folded into the
  // open span; a resume while not paused is ignored).
  std::vector<PausedSpan> PausedSpans() const;
  bool paused() const;  // true after a pause without a later resume

 private:
  std::vector<TimelineEntry> events_;
};

// "2026-11-25T13:08:51.123Z" (UTC, millisecond precision).
std::string FormatUtcTime(Clock::time_point time);

}  // namespace kronika::srs
