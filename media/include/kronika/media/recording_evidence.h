// RecordingEvidence: what the media engine saw of each leg of a recording, so that a
// completeness verdict (completeness.h) can be computed when the recording ends and a
// person can see why (issue 14 item 4).
//
// Collected by the recording's media worker at the cost of a few counters and compares per
// packet and one sum of squares per decoded packet; delivered once, with the recording's
// kFinished or kFailed MediaEvent (kFailed: what was seen up to the failure). Plain values,
// copied freely, no behaviour.
//
// Times: `*_ms` are milliseconds on the recording's timeline (0 = MediaEngine::Open, the
// first sample of the file); `*_unix_ms` are wall-clock milliseconds since the Unix epoch
// (UTC). Packet times are kernel receive times.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kronika::media {

// Longest gap list kept per leg; further gaps are only counted (gaps_omitted) and summed
// (gap_total_ms), so one broken call cannot grow the record without bound.
inline constexpr size_t kMaxGapsPerLeg = 32;
// Decoded audio whose level (RMS over one packet's audio) is below this is not signal:
// digital silence decodes to 0 (PCMU) or +-8 (PCMA, -72 dBFS), idle lines sit near
// -70 dBFS, speech at -35..-15 dBFS.
inline constexpr double kSignalFloorDbfs = -60.0;

enum class GapKind : uint8_t {
  kLoss,      // packets went missing: sequence numbers across it never arrived
  kSilence,   // nothing missing: the sender sent nothing and went on without saying why
  kDeclared,  // the sender said so: comfort noise before it, or a talkspurt marker after it
              // with nothing missing (RFC 3551 silence suppression, DTX)
  kStart,     // the stream's start to its first packet
  kEnd,       // the stream's last packet to its end (BYE, removal by a re-INVITE)
};

// A span of at least MediaConfig::gap_min_ms without packets on one leg.
struct Gap {
  GapKind kind = GapKind::kLoss;
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  uint32_t missing_packets = 0;  // sequence numbers missing across it (kLoss)
};

struct TimeSpan {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

// One received stream (one m-line for as long as it was negotiated).
struct LegEvidence {
  size_t mline_index = 0;
  std::string label;                // a=label
  int channel = -1;                 // 0 left, 1 right, -1 mixed
  int64_t active_from_ms = 0;       // negotiated from (Open, or the re-INVITE that added it)
  int64_t active_to_ms = 0;         // until (the end, or the re-INVITE that removed it)

  // Packets (RFC 3550 terms, summed over the SSRCs the leg latched).
  uint64_t packets_expected = 0;    // from the sequence numbers of the packets received
  uint64_t packets_received = 0;    // RTP packets taken (after SRTP), any payload type
  uint64_t packets_lost = 0;        // expected - received: never arrived
  uint64_t packets_late = 0;        // arrived after their place in the file was written
  uint64_t packets_duplicate = 0;
  uint64_t packets_foreign_source = 0;  // refused: another source than the latched one (or,
                                        // strict mode, not the SDP's host)
  uint64_t packets_wrong_ssrc = 0;  // refused: the latched source, another SSRC
  uint64_t packets_invalid = 0;     // refused: not RTP, a payload type not negotiated, SRTP
                                    // authentication failed, undecodable
  uint64_t comfort_noise_packets = 0;

  int64_t first_packet_ms = -1;     // -1: no packet at all
  int64_t last_packet_ms = -1;
  int64_t first_packet_unix_ms = 0;
  int64_t last_packet_unix_ms = 0;

  std::vector<Gap> gaps;            // in time order, at most kMaxGapsPerLeg
  uint32_t gaps_omitted = 0;        // gaps beyond the list
  int64_t gap_total_ms = 0;         // all gaps, listed or not
  std::vector<TimeSpan> pauses;     // muted by an SDP pause (a=inactive), SCOPE-5

  // Level of the decoded audio that went into the file (PLC included, pauses excluded).
  double rms_dbfs = -120;           // over all of it; -120 = nothing decoded
  double peak_dbfs = -120;
  int64_t audio_ms = 0;             // decoded audio placed on the timeline
  int64_t signal_ms = 0;            // of which packets at or above kSignalFloorDbfs

  std::vector<std::string> codecs;  // encodings decoded, in the order first seen ("PCMU")
  std::string latched_source;       // "192.0.2.1:4000" of the source recorded last; "" none
  std::string sdp_source;           // the SDP's address for the stream; "" none given
  uint32_t ssrc = 0;                // the SSRC recorded last
  uint32_t relatches = 0;           // moves to another source or SSRC after the first
};

struct RecordingEvidence {
  int64_t duration_ms = 0;          // the timeline's length: Open to the end of the file
  int64_t start_unix_ms = 0;        // wall clock of timeline 0
  std::vector<LegEvidence> legs;    // every stream the recording had, by m-line, then start
};

}  // namespace kronika::media
