#include "kronika/policy/pause.h"

#include <algorithm>

namespace kronika::policy {
namespace {

constexpr int64_t kMsPerSecond = 1000;

}  // namespace

Status PauseTracker::Pause(int64_t at_ms_utc, std::string_view reason) {
  if (reason.empty()) return MakeError(400, "pause: reason is empty (SCOPE-5)");
  if (at_ms_utc < last_ms_utc_) {
    return MakeError(400, "pause: act at " + std::to_string(at_ms_utc) +
                              " ms is before the previous act at " + std::to_string(last_ms_utc_) +
                              " ms (SCOPE-5)");
  }
  last_ms_utc_ = at_ms_utc;
  if (open_) return OkStatus();  // repeated a=inactive: still the same pause
  open_ = PausedSpan{at_ms_utc, at_ms_utc, std::string(reason), true};
  return OkStatus();
}

Status PauseTracker::Resume(int64_t at_ms_utc) {
  if (at_ms_utc < last_ms_utc_) {
    return MakeError(400, "resume: act at " + std::to_string(at_ms_utc) +
                              " ms is before the previous act at " + std::to_string(last_ms_utc_) +
                              " ms (SCOPE-5)");
  }
  last_ms_utc_ = at_ms_utc;
  if (!open_) return OkStatus();
  PausedSpan span = std::move(*open_);
  open_.reset();
  span.end_ms_utc = at_ms_utc;
  span.open = false;
  if (span.end_ms_utc > span.start_ms_utc) closed_.push_back(std::move(span));
  return OkStatus();
}

bool PauseTracker::ShouldStore(int64_t at_ms_utc) const {
  if (at_ms_utc < start_ms_utc_) return false;
  if (open_ && at_ms_utc >= open_->start_ms_utc) return false;
  // Closed spans are sorted and disjoint: find the last span starting at or before t.
  auto it = std::upper_bound(
      closed_.begin(), closed_.end(), at_ms_utc,
      [](int64_t t, const PausedSpan& s) { return t < s.start_ms_utc; });
  if (it == closed_.begin()) return true;
  --it;
  return at_ms_utc >= it->end_ms_utc;
}

PauseSummary PauseTracker::Summary(int64_t end_ms_utc) const {
  PauseSummary out;
  out.paused = closed_;
  if (open_) {
    PausedSpan span = *open_;
    span.end_ms_utc = std::max(end_ms_utc, span.start_ms_utc);
    out.paused.push_back(std::move(span));
  }
  for (const PausedSpan& s : out.paused) out.paused_ms += s.end_ms_utc - s.start_ms_utc;
  const int64_t total = std::max<int64_t>(end_ms_utc - start_ms_utc_, 0);
  out.recorded_ms = std::max<int64_t>(total - out.paused_ms, 0);
  out.text = "pause: " + std::to_string(out.paused.size()) + " span(s), " +
             std::to_string(out.paused_ms / kMsPerSecond) + " s of " +
             std::to_string(total / kMsPerSecond) + " s not stored (SCOPE-5)";
  return out;
}

}  // namespace kronika::policy
