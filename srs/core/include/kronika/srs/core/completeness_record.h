// CompletenessRecord: what the store keeps about whether a recording is complete (issue 14
// item 4): the verdict computed when it ended and the media evidence behind it.
//
// A copy of media::RecordingEvidence / media::Completeness in the store's own plain types
// (this layer includes nothing but common/), so the on-disk schema does not move when the
// media library does; srs/session converts. Values, no behaviour beyond the name tables.
// Times: `*_ms` on the recording's media timeline (0 = the first sample of the file).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kronika::srs {

// Verdict names, stored, used as metric labels, in `kronika query --verdict` and the API
// (the same words as media::VerdictName; a test keeps the two lists equal). "" = not judged:
// still active, or stored before verdicts existed.
inline constexpr std::array<std::string_view, 6> kVerdictNames = {"complete", "partial",     "one-way",
                                                                  "silent",   "no-media",    "interrupted"};
inline constexpr std::string_view kVerdictInterrupted = "interrupted";
constexpr bool IsVerdictName(std::string_view name) {
  for (std::string_view v : kVerdictNames) {
    if (v == name) return true;
  }
  return false;
}

struct GapRecord {
  std::string kind;               // loss, silence, declared, start, end (media::GapKind)
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  uint32_t missing_packets = 0;   // sequence numbers missing across it

  friend bool operator==(const GapRecord&, const GapRecord&) = default;
};

struct SpanRecord {
  int64_t from_ms = 0;
  int64_t to_ms = 0;

  friend bool operator==(const SpanRecord&, const SpanRecord&) = default;
};

// One received stream (media::LegEvidence).
struct LegEvidenceRecord {
  uint32_t mline_index = 0;
  std::string label;
  int channel = -1;
  int64_t active_from_ms = 0;
  int64_t active_to_ms = 0;
  uint64_t packets_expected = 0;
  uint64_t packets_received = 0;
  uint64_t packets_lost = 0;
  uint64_t packets_late = 0;
  uint64_t packets_duplicate = 0;
  uint64_t packets_foreign_source = 0;
  uint64_t packets_wrong_ssrc = 0;
  uint64_t packets_invalid = 0;
  uint64_t comfort_noise_packets = 0;
  int64_t first_packet_ms = -1;   // -1: no packet
  int64_t last_packet_ms = -1;
  std::vector<GapRecord> gaps;
  uint32_t gaps_omitted = 0;
  int64_t gap_total_ms = 0;
  std::vector<SpanRecord> pauses;
  double rms_dbfs = -120;
  double peak_dbfs = -120;
  int64_t audio_ms = 0;
  int64_t signal_ms = 0;
  std::vector<std::string> codecs;
  std::string latched_source;
  std::string sdp_source;
  uint32_t ssrc = 0;
  uint32_t relatches = 0;

  friend bool operator==(const LegEvidenceRecord&, const LegEvidenceRecord&) = default;
};

// Why the verdict is what it is (media::Finding).
struct FindingRecord {
  std::string kind;   // no-packets, no-signal, gap, gaps-omitted, cut-short
  int leg = -1;       // index into CompletenessRecord::legs; -1 = the recording
  int64_t from_ms = 0;
  int64_t to_ms = 0;

  friend bool operator==(const FindingRecord&, const FindingRecord&) = default;
};

struct CompletenessRecord {
  int64_t media_start_ms_utc = 0;  // wall clock of the media timeline's 0; 0 = no evidence
  int64_t duration_ms = 0;         // the timeline's length
  std::vector<LegEvidenceRecord> legs;
  std::vector<FindingRecord> findings;

  friend bool operator==(const CompletenessRecord&, const CompletenessRecord&) = default;
};

}  // namespace kronika::srs
