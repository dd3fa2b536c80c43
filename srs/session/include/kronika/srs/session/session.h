// Session: the state of one SIPREC recording session (one SIP dialog with an SRC).
//
// Created by the SIP layer when it accepts an INVITE, updated by re-INVITE / UPDATE /
// BYE / CANCEL and by media events, and finished when the media engine reports the file
// complete. Holds what the SRC told us (call id, RFC 7865 metadata), what we negotiated
// (streams, codecs, our SDP answer), and the event timeline. Snapshot() turns it into the
// store's RecordingRecord, which the SIP thread hands to Store::Enqueue() at start, at each
// change and at the end (never waiting for the disk).
//
// Threads: owned by the SIP thread; not synchronised. Snapshots are values for other threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kronika/media/completeness.h"
#include "kronika/media/recording_evidence.h"
#include "kronika/sdp/metadata_document.h"
#include "kronika/sdp/recording_metadata.h"
#include "kronika/sdp/sdp_answer.h"
#include "kronika/sdp/stream_mapping.h"
#include "kronika/srs/core/recording_record.h"
#include "kronika/srs/core/timeline.h"

namespace kronika::srs {

enum class SessionState {
  kAnswered,  // 200 OK sent, waiting for ACK
  kActive,    // ACK received, recording
  kEnding,    // BYE/CANCEL/shutdown seen; waiting for the media engine to finish the file
  kFinished,  // file complete (or failed); the final snapshot was handed to the store
};

// "answered", "active", "ending", "finished".
std::string_view SessionStateName(SessionState state);

class Session {
 public:
  Session(std::string recording_id, Clock::time_point start);

  const std::string& id() const { return id_; }
  Clock::time_point start() const { return start_; }
  SessionState state() const { return state_; }

  // --- What the SRC sent ---
  std::string call_id;
  std::string src_host;   // address of the SRC (Via received / Contact host)
  std::string from_uri;   // From header URI
  std::string to_uri;     // To header URI
  std::string site;       // configured site name
  std::string country_code;  // digits, for number normalisation in snapshots
  // Merged view of every metadata document (sdp::ApplyMetadataDocument); nullopt while no
  // document could be read (none sent, or unparsed).
  std::optional<sdp::RecordingMetadata> metadata;
  std::vector<sdp::MetadataIssue> metadata_issues;  // why the metadata is not complete
  std::string metadata_xml_last;      // last metadata document, as UTF-8 (the rendering)
  std::string metadata_xml_received;  // its bytes as received when they differ, else ""

  // --- What we negotiated ---
  sdp::Negotiation negotiation;  // local_port filled for accepted streams
  sdp::StreamMapping mapping;    // which m-line carries whom, channel per m-line
  uint64_t sdp_session_id = 0;   // o= session id of our answers
  uint64_t sdp_version = 0;      // o= version of the last answer
  std::string local_sdp;         // the last SDP answer (or offer) we sent
  std::vector<std::string> local_srtp_keys;  // our SDES key per m-line ("" = none)
  bool awaiting_answer = false;  // our 200 to an SDP-less re-INVITE carried an offer;
                                 // the SRC's answer comes in the ACK

  // --- Results ---
  Timeline timeline;
  std::filesystem::path file;  // Ogg Opus file (final name)
  double duration_s = 0;
  uint64_t file_bytes = 0;
  std::string failure;  // why the recording failed ("" = did not fail)
  // When it failed: the record says "failed" from then on and ends there, even while the
  // call (our dialog) goes on to its BYE (issue 12 item 5, SCOPE-4).
  std::optional<Clock::time_point> failed_at;
  std::optional<Clock::time_point> acked;            // the first ACK: media is due from here
  std::optional<media::RecordingEvidence> evidence;  // what the media engine saw (kFinished/kFailed)
  std::string verdict;                    // completeness verdict, set when finished ("" before)
  std::vector<media::Finding> findings;   // why the verdict

  // State changes; each appends the matching timeline event.
  void MarkActive();                                          // ACK
  void MarkEnding(TimelineEventKind why, Clock::time_point t, std::string detail);  // BYE/CANCEL/...
  void MarkFinished(Clock::time_point t);                     // media kFinished / kFailed
  std::optional<Clock::time_point> end() const { return end_; }

  // Replaces `mapping`, first noting the channel each participant of the old one was heard
  // on: a party a later metadata snapshot drops (metadata->departed) keeps, in the record,
  // the channel it was recorded on.
  void SetMapping(sdp::StreamMapping next);

  // Streams currently accepted and not paused.
  size_t RecordingStreams() const;

  // metadata_issues, plus kUnmappedStream when metadata was read but the stream mapping had
  // to fall back (labels and metadata streams disagree).
  std::vector<sdp::MetadataIssue> CurrentMetadataIssues() const;
  // complete / partial / unparsed, from `metadata` and CurrentMetadataIssues().
  sdp::MetadataStatus CurrentMetadataStatus() const;

  // Judges completeness (media::JudgeCompleteness) from `evidence`, the timeline's pauses,
  // the ACK and the end: sets verdict and findings. Without evidence (the media engine never
  // reported the file) the recording is "interrupted".
  void JudgeCompleteness(const media::CompletenessOptions& options);

  // The store's view: participants (numbers normalised with `country_code`, channel from
  // the stream mapping), timeline, state (active / completed / interrupted / failed; failed
  // as soon as `failure` is set, ending at failed_at),
  // metadata status and issues, verdict and evidence. Every text taken from the SRC is made
  // valid UTF-8 here.
  RecordingRecord Snapshot() const;

 private:
  std::string id_;
  Clock::time_point start_;
  std::optional<Clock::time_point> end_;
  SessionState state_ = SessionState::kAnswered;
  bool interrupted_ = false;  // ended by shutdown or session expiry rather than BYE
  std::map<std::string, int> last_channel_;  // participant id -> channel of a past mapping
};

}  // namespace kronika::srs
