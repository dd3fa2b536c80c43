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
  size_t mline_index = 0;  // 0-based position of the m-line in the SDP
  std::string label;       // SDP a=label of this m-line ("" when absent)
  std::string stream_id;   // metadata <stream> id matched to it, "" when none
  std::vector<std::string> participant_ids;  // senders on this stream (metadata order)
  int channel = kChannelMixedMono;           // kChannelLeft/Right/MixedMono
};

struct StreamMapping {
  std::vector<StreamAssignment> streams;  // one per m-line, in m-line order
  bool fallback_used = false;    // true when labels could not be matched one-to-one
  std::string fallback_reason;   // human-readable why, e.g. "SDP label a_leg not in metadata"
  bool mixed_single_stream = false;  // one m-line carrying all participants (mono)
};

// `sdp_labels`: the a=label value of each m-line, in m-line order ("" when missing).
// `metadata`: borrowed, may be nullptr (no metadata yet): pure m-line order then.
// Rules:
//  - every label matches exactly one metadata stream: senders come from the metadata.
//  - otherwise (missing/unmatched labels, metadata describing fewer or more streams):
//    metadata streams are taken in document order for m-lines in order,
//    fallback_used = true and fallback_reason says what disagreed.
//  - a single m-line is mixed_single_stream with channel kChannelMixedMono.
//  - with two or more m-lines, m-line 0 -> left, m-line 1 -> right, later m-lines
//    kChannelMixedMono (mixed into both).
// Never fails.
StreamMapping MapStreams(const std::vector<std::string>& sdp_labels,
                         const RecordingMetadata* metadata);

}  // namespace kronika::sdp
