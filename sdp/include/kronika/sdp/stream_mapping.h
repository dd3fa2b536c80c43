// MapStreams: which SDP m-line carries which participant, and which output channel it gets.
//
// Kronika writes one stereo file per recording: channel 0 (left) and 1 (right) hold one
// leg each. The SDP offer says nothing about people; the RFC 7865 metadata ties each
// <stream><label> to an SDP `a=label` and to its senders. SRCs get this wrong in
// practice (PROVENANCE.md: non-numeric labels a_leg/b_leg with metadata labels 1/2,
// Oracle m-lines labelled 16777227 and 1 with metadata describing only one of them,
// single mixed streams from Metaswitch and BroadWorks), so the mapping degrades to
// m-line order and says so instead of failing.
//
// Threading: pure function, any thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "kronika/sdp/recording_metadata.h"

namespace kronika::sdp {

inline constexpr int kChannelLeft = 0;
inline constexpr int kChannelRight = 1;
inline constexpr int kChannelMixedMono = -1;  // one stream carries everyone: both channels

struct StreamAssignment {
  size_t mline_index = 0;                    // 0-based position of the m-line in the SDP
  std::string label;                         // SDP a=label of this m-line ("" when absent)
  std::string stream_id;                     // metadata <stream> id matched to it, "" when none
  std::vector<std::string> participant_ids;  // senders on this stream (metadata order)
  int channel = kChannelMixedMono;           // kChannelLeft/Right/MixedMono
};

struct StreamMapping {
  std::vector<StreamAssignment> streams;  // one per m-line, in m-line order
  bool fallback_used = false;             // true when labels could not be matched one-to-one
  // Human-readable why, "; "-joined, e.g. "SDP label a_leg (m-line 1) not in metadata";
  // "" when fallback_used is false. Fit for a log line or the recording timeline.
  std::string fallback_reason;
  bool mixed_single_stream = false;  // one m-line carrying all participants (mono)
  // True when the metadata states no stream association at all (drachtio test UACs,
  // OpenSIPS) and participant_ids were filled from participant document order instead.
  // Independent of fallback_used, which is only about labels.
  bool senders_guessed = false;
};

// `sdp_labels`: the a=label value of each m-line, in m-line order ("" when missing).
// `metadata`: borrowed, may be nullptr (no metadata yet): pure m-line order then. Pass
// the merged view (MergeMetadata), not a bare partial update.
// Rules:
//  - every label matches exactly one metadata stream: senders come from the metadata.
//    Labels are compared as strings, so matching non-numeric labels (SEMS a_leg) map.
//  - otherwise (missing/unmatched/repeated labels, metadata describing fewer or more
//    streams): unmatched m-lines take the unmatched metadata streams in document order,
//    fallback_used = true and fallback_reason says what disagreed. An m-line left
//    without a metadata stream gets the participants whose <send> names a stream the
//    metadata does not describe (Oracle: second leg missing from <stream> list).
//  - a single m-line is mixed_single_stream with channel kChannelMixedMono; its
//    participant_ids also include senders of metadata streams absent from the SDP.
//  - no stream association anywhere in the metadata (not even an empty
//    <participantstreamassoc>, which Cisco sends for a=inactive): participants are
//    assigned to m-lines in document order when their count equals the m-line count
//    (all of them to a single m-line), senders_guessed = true.
//  - metadata == nullptr: m-line order, fallback_used = true, reason "no metadata".
//  - with two or more m-lines, m-line 0 -> left, m-line 1 -> right, later m-lines
//    kChannelMixedMono (mixed into both).
// Never fails.
StreamMapping MapStreams(const std::vector<std::string>& sdp_labels,
                         const RecordingMetadata* metadata);

}  // namespace kronika::sdp
