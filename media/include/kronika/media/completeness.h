// Completeness verdict of a recording: is everything the SRC sent in the file, and was
// anything said at all? (issue 14 item 4)
//
// A pure function of the media evidence (recording_evidence.h), the pauses and the
// signalling facts the SIP layer knows. No clock, no I/O, no state: the same input always
// gives the same verdict, so a stored recording can be judged again with other thresholds.
// It lives in media/ rather than policy/ because it is a judgement about media evidence
// whose type this library defines, and policy/ sits below media/ in the dependency order
// (policy <- sdp <- media <- srs). Any thread; nothing throws.
//
// Verdicts, most severe first (the first that applies wins):
//   interrupted  the recording was cut off by a crash and recovered (SignallingFacts)
//   no-media     not one RTP packet on any leg that was expected to send
//   silent       packets, but no leg carried audio above the signal floor (only digital
//                silence or comfort noise)
//   one-way      at least one leg carried audio and at least one other carried none
//   partial      a leg has a gap of at least max_gap_ms that no pause and no declared
//                silence explains (lost packets, a sender that stopped, a leg that started
//                late against the others or stopped before the end), or the recording
//                stopped (a write failure) at least max_gap_ms before the call ended
//   complete     none of the above
// A leg paused for the whole time it was negotiated is not expected to send and is left
// out. Silence before the recording's first packet on any leg is not judged (the SRC may
// open the recording before the call is answered).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "kronika/media/recording_evidence.h"

namespace kronika::media {

enum class Verdict : uint8_t { kComplete, kPartial, kOneWay, kSilent, kNoMedia, kInterrupted };

// "complete", "partial", "one-way", "silent", "no-media", "interrupted" (stored, metric
// labels, `kronika query --verdict`).
std::string_view VerdictName(Verdict verdict);
// The inverse of VerdictName; nullopt for anything else.
std::optional<Verdict> ParseVerdict(std::string_view name);

struct CompletenessOptions {
  int64_t max_gap_ms = 1000;      // an unexplained gap this long (ms) makes a recording partial;
                                  // gaps shorter than MediaConfig::gap_min_ms are not in the evidence
  int64_t min_signal_ms = 1000;   // a leg with less audio above the signal floor (ms) carried none
};

struct SignallingFacts {
  bool interrupted = false;       // recovered after a crash: no evidence exists
  std::vector<TimeSpan> pauses;   // whole-recording pauses on the timeline (ms), from signalling
  int64_t media_due_ms = 0;       // when media was due (the ACK of the INVITE): earlier gaps are not judged
  int64_t ended_ms = -1;          // when the call ended (BYE) on the timeline; -1 = unknown. A
                                  // recording whose file stops earlier (a failure) is cut short
};

// Why a verdict was given: one line each, leg = index into RecordingEvidence::legs (-1 =
// the recording as a whole).
enum class FindingKind : uint8_t {
  kNoPackets,   // the leg received no RTP
  kNoSignal,    // the leg received RTP but carried no audio above the floor
  kGap,         // an unexplained gap [from_ms, to_ms) of the leg
  kGapsOmitted, // the leg had more gaps than the evidence lists, after from_ms
  kCutShort,    // the recording stopped at from_ms, the call went on to to_ms (leg -1)
};

struct Finding {
  FindingKind kind = FindingKind::kGap;
  int leg = -1;
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

struct Completeness {
  Verdict verdict = Verdict::kComplete;
  std::vector<Finding> findings;  // every leg's problems, whatever decided the verdict
};

// Stable lower-case names for records and JSON: "loss", "silence", "declared", "start",
// "end"; "no-packets", "no-signal", "gap", "gaps-omitted", "cut-short".
std::string_view GapKindName(GapKind kind);
std::string_view FindingKindName(FindingKind kind);

Completeness JudgeCompleteness(const RecordingEvidence& evidence, const SignallingFacts& facts,
                               const CompletenessOptions& options = {});

}  // namespace kronika::media
