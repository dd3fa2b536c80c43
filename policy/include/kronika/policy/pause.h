// Paused spans of one recording (SCOPE-5).
//
// Halinów §1.3.7: an employee must cut a private call short. SIPREC lets the SRC pause and
// resume recording (RFC 7866 §7.1.2: a re-INVITE with a=inactive, then a=sendonly/sendrecv).
// Audio of a paused span is not stored, and the recording's metadata says when and why
// it was paused. PauseTracker keeps that timeline for one recording: the SIP layer reports
// pause/resume acts, the media layer asks ShouldStore() per packet time, and Summary() gives
// the spans for the metadata.
//
// Repeated pauses (a session refresh re-sending a=inactive) and repeated resumes are
// accepted and change nothing. Acts out of time order are refused, so a late or
// reordered signal cannot rewrite the past.
//
// Threads: not synchronised; owned by the session (SIP thread). Copy it to share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/result.h"

namespace kronika::policy {

struct PausedSpan {
  int64_t start_ms_utc = 0;
  int64_t end_ms_utc = 0;  // == start while still open in a snapshot
  std::string reason;      // e.g. "src-pause (a=inactive)", "private call"
  bool open = false;       // the recording ended (or the snapshot was taken) while paused

  friend bool operator==(const PausedSpan&, const PausedSpan&) = default;
};

struct PauseSummary {
  std::vector<PausedSpan> paused;  // in time order, not overlapping
  int64_t recorded_ms = 0;         // stored time = total - paused
  int64_t paused_ms = 0;
  std::string text;                // "pause: 2 span(s), 95 s of 600 s not stored (SCOPE-5)"
};

class PauseTracker {
 public:
  explicit PauseTracker(int64_t start_ms_utc) : start_ms_utc_(start_ms_utc), last_ms_utc_(start_ms_utc) {}

  // Stops storing from `at_ms_utc`. Already paused: OK, nothing changes. Errors: 400 when
  // `at_ms_utc` is before the start or the previous act; 400 when `reason` is empty.
  Status Pause(int64_t at_ms_utc, std::string_view reason);

  // Stores again from `at_ms_utc`. Not paused: OK, nothing changes. Same time errors.
  Status Resume(int64_t at_ms_utc);

  bool paused() const { return open_.has_value(); }

  // Whether media captured at `at_ms_utc` belongs to a stored span: false inside a paused
  // span [pause, resume) and before the start; true otherwise.
  bool ShouldStore(int64_t at_ms_utc) const;

  // Spans and totals as of `end_ms_utc` (the recording end, or "now" for a live view).
  // An open pause is closed at `end_ms_utc` and marked open. REQUIRES: end >= last act.
  PauseSummary Summary(int64_t end_ms_utc) const;

 private:
  int64_t start_ms_utc_;
  int64_t last_ms_utc_;
  std::vector<PausedSpan> closed_;
  std::optional<PausedSpan> open_;
};

}  // namespace kronika::policy
