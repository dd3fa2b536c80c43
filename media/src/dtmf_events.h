// DtmfEventTracker: RFC 4733 telephone-event packets -> one report per key press.
//
// A key press is a run of packets sharing one RTP timestamp (its start); the last three
// carry the E bit. The press is reported on the first E packet, or when a new press starts
// while the previous one never showed an E packet (all end packets lost).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace kronika::media {

struct KeyPress {
  uint32_t timestamp = 0;        // RTP timestamp of the start of the press
  char digit = 0;                // '0'-'9', '*', '#', 'A'-'D'
  uint32_t duration_ticks = 0;   // in RTP clock ticks
};

// '0'-'9', '*', '#', 'A'-'D' for events 0..15, 0 for other events (flash, fax tones).
char DtmfDigit(uint8_t event);

class DtmfEventTracker {
 public:
  // Result of one telephone-event payload.
  struct Outcome {
    bool malformed = false;           // payload shorter than 4 bytes
    std::array<KeyPress, 2> reports;  // presses to report now (each press once), in order
    size_t report_count = 0;
  };

  Outcome OnPacket(uint32_t timestamp, const uint8_t* payload, size_t size);

  // Forgets the current press (new SSRC). A pending press without E bit is returned.
  std::optional<KeyPress> Reset();

 private:
  bool AlreadyReported(uint32_t timestamp) const;
  void MarkReported(uint32_t timestamp);

  bool active_ = false;
  bool active_reported_ = false;
  KeyPress active_press_;
  std::array<uint32_t, 4> reported_{};  // timestamps of recent reports, against stragglers
  size_t reported_count_ = 0;
  size_t reported_next_ = 0;
};

}  // namespace kronika::media
