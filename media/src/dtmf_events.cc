#include "dtmf_events.h"

namespace kronika::media {

char DtmfDigit(uint8_t event) {
  static constexpr char kDigits[] = "0123456789*#ABCD";
  return event < 16 ? kDigits[event] : 0;
}

DtmfEventTracker::Outcome DtmfEventTracker::OnPacket(uint32_t timestamp, const uint8_t* payload,
                                                     size_t size) {
  Outcome outcome;
  if (size < 4) {
    outcome.malformed = true;
    return outcome;
  }
  const uint8_t event = payload[0];
  const bool end = payload[1] & 0x80;
  const uint32_t duration = (uint32_t{payload[2]} << 8) | payload[3];
  const char digit = DtmfDigit(event);
  if (digit == 0 || AlreadyReported(timestamp)) return outcome;

  if (!active_ || active_press_.timestamp != timestamp) {
    if (active_ && !active_reported_) {
      // The previous press lost all its end packets.
      outcome.reports[outcome.report_count++] = active_press_;
      MarkReported(active_press_.timestamp);
    }
    active_ = true;
    active_reported_ = false;
    active_press_ = KeyPress{timestamp, digit, duration};
  } else if (duration > active_press_.duration_ticks) {
    active_press_.duration_ticks = duration;
  }
  if (end && !active_reported_) {
    outcome.reports[outcome.report_count++] = active_press_;
    active_reported_ = true;
    MarkReported(timestamp);
  }
  return outcome;
}

std::optional<KeyPress> DtmfEventTracker::Reset() {
  std::optional<KeyPress> pending;
  if (active_ && !active_reported_) pending = active_press_;
  active_ = false;
  active_reported_ = false;
  reported_count_ = 0;
  return pending;
}

bool DtmfEventTracker::AlreadyReported(uint32_t timestamp) const {
  for (size_t i = 0; i < reported_count_; ++i) {
    if (reported_[i] == timestamp) return true;
  }
  return false;
}

void DtmfEventTracker::MarkReported(uint32_t timestamp) {
  reported_[reported_next_] = timestamp;
  reported_next_ = (reported_next_ + 1) % reported_.size();
  if (reported_count_ < reported_.size()) ++reported_count_;
}

}  // namespace kronika::media
