// RecordingRecord: what the store keeps about one recording.
//
// A plain value type owned by the store module, deliberately independent of the SDP /
// metadata parser types so the on-disk schema does not move when the parser does. The
// daemon (SIP thread) builds a snapshot of a session and hands a copy to
// Store::Enqueue(); readers get copies back from Store::Get()/Query(). No locking: a
// record is a value, copy it between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/srs/core/completeness_record.h"

namespace kronika::srs {

// Version of the record layout written by this build (see store.h for migrations).
// 1: the first layout. 2: metadata status and issues, the received metadata bytes (issue 14).
// 3: + the completeness verdict and its evidence (issue 14 item 4).
inline constexpr int kRecordingSchemaVersion = 3;

struct ParticipantRecord {
  std::string participant_id;   // RFC 7865 participant_id (base64 as received)
  std::string name;             // display name, may be empty
  std::string aor;              // e.g. "sip:+48221234567@pbx.example.pl"
  std::string number_e164;      // "+48221234567" when the caller could normalise, else ""
  std::string number_original;  // number as it appeared (user part / tel URI), may be ""
  int channel = -1;             // Ogg channel carrying this participant: 0, 1, or -1 (none)

  friend bool operator==(const ParticipantRecord&, const ParticipantRecord&) = default;
};

struct TimelineEvent {
  int64_t time_ms_utc = 0;  // milliseconds since the Unix epoch, UTC
  std::string kind;         // invite, answer, pause, resume, update, metadata, dtmf,
                            // rtp-timeout, bye, interrupted ...
  std::string detail;       // free text, may be empty

  friend bool operator==(const TimelineEvent&, const TimelineEvent&) = default;
};

// Why a recording's metadata is not complete (issue 14): one reason keyword and one line.
struct MetadataIssueRecord {
  std::string reason;  // stable keyword, e.g. empty_id, duplicate_id, too_large, xml_error,
                       // invalid_bytes, unknown_encoding, not_recording, too_deep, missing,
                       // unmapped_stream (sdp::MetadataDefectName; docs/query.md)
  std::string detail;  // UTF-8, e.g. "the 1st <participant> has no participant_id (sip:...)"

  friend bool operator==(const MetadataIssueRecord&, const MetadataIssueRecord&) = default;
};

enum class RecordingState { kActive, kCompleted, kInterrupted, kFailed };

// "active", "completed", "interrupted", "failed" (stable: used in the CLI, API and CSV).
constexpr std::string_view RecordingStateName(RecordingState state) {
  switch (state) {
    case RecordingState::kActive: return "active";
    case RecordingState::kCompleted: return "completed";
    case RecordingState::kInterrupted: return "interrupted";
    case RecordingState::kFailed: return "failed";
  }
  return "unknown";
}

// Inverse of RecordingStateName(); nullopt for any other text.
constexpr std::optional<RecordingState> ParseRecordingState(std::string_view name) {
  if (name == "active") return RecordingState::kActive;
  if (name == "completed") return RecordingState::kCompleted;
  if (name == "interrupted") return RecordingState::kInterrupted;
  if (name == "failed") return RecordingState::kFailed;
  return std::nullopt;
}

struct RecordingRecord {
  std::string recording_id;  // 26-char time-sortable id (ULID-like), made by the daemon; key
  std::string sip_call_id;
  std::string src_host;      // SRC (SBC) address the INVITE came from
  std::string site;          // configured site name, may be empty
  int64_t start_ms_utc = 0;  // recording start, ms since epoch UTC (indexed)
  int64_t end_ms_utc = 0;    // 0 while active
  RecordingState state = RecordingState::kActive;
  std::string file_path;     // Ogg Opus file, absolute or relative to data_dir
  uint64_t file_bytes = 0;
  double duration_s = 0.0;
  std::string codec;         // e.g. "opus/48000/2 from PCMU"
  // Completeness verdict (kVerdictNames) computed when the recording ended; "" while
  // active and for records stored before schema 2. Its evidence and findings beside it.
  std::string verdict;
  CompletenessRecord completeness;
  std::vector<ParticipantRecord> participants;
  std::vector<TimelineEvent> timeline;
  // The last RFC 7865 metadata document, as UTF-8: decoded per its charset/encoding
  // declaration, undecodable bytes U+FFFD, the declaration saying UTF-8 (schema 1 records:
  // the bytes as received).
  std::string metadata_xml_last;
  // The same document's bytes as received when they differ from metadata_xml_last (another
  // encoding, bytes replaced, a byte order mark); "" when they are the same (for audits).
  std::string metadata_xml_received;
  // "complete", "partial" or "unparsed" (sdp::MetadataStatusName); "" for records written
  // before schema 2, whose metadata was never judged.
  std::string metadata_status;
  std::vector<MetadataIssueRecord> metadata_issues;  // why not complete, oldest first
  int64_t retention_expiry_ms_utc = 0;  // 0 = not set; filled by policy (issue 7), indexed
  bool legal_hold = false;              // indexed
  int schema_version = kRecordingSchemaVersion;  // set by the store on write

  friend bool operator==(const RecordingRecord&, const RecordingRecord&) = default;
};

}  // namespace kronika::srs
