// SessionManager: the SIPREC logic of the SIP thread, without any sofia-sip type.
//
// The SIP adapter (sip_server.cc) turns each request into a SipRequestInfo, calls one of
// the On*() methods and sends back the SipReply it gets. Everything between - body split,
// metadata parse and merge, SDP offer/answer, RTP ports from the media engine, session
// timeline, store snapshots, overload refusal - lives here and is unit-tested with a fake
// media engine (tests/unit/srs/session_test.cc).
//
// Threads: SIP thread only, checked at every entry point (ThreadRole). Never blocks: the media engine and the store take work
// through queues (MediaEngine::Open binds sockets, microseconds; Store::Enqueue pushes).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kronika/media/media_engine.h"
#include "kronika/sdp/sdp_answer.h"
#include "kronika/srs/core/recording_id.h"
#include "kronika/srs/core/recording_record.h"
#include "kronika/srs/session/session.h"
#include "kronika/thread_role.h"

namespace kronika::srs {

class Metrics;

struct SipRequestInfo {
  std::string method;        // "INVITE", "UPDATE", "ACK"
  std::string content_type;  // full Content-Type value with parameters; "" = no body
  std::string content_encoding;  // Content-Encoding value ("gzip"); "" = none
  std::string body;              // as received (still encoded when content_encoding is set)
  // The request says it is SIPREC even if its metadata is missing: `Require: siprec`
  // (RFC 7866 6.1.1) or a Contact with +sip.src (or the pre-standard `src` parameter).
  bool siprec_signalled = false;
  std::string call_id;
  std::string from_uri;
  std::string to_uri;
  std::string src_host;
  // The address the request came from (the packet's source, not a header): what
  // max_sessions_per_source counts. "" when unknown (not counted).
  std::string source_address;
};

struct SipReply {
  int status = 200;
  std::string warning;       // text for `Warning: 399 <host> "<text>"`; "" = none
  std::string content_type;  // "" = no body
  std::string body;
  int retry_after_s = 0;     // > 0: add Retry-After
  std::string accept_encoding;  // non-empty: add Accept-Encoding (a 415 for Content-Encoding)
  std::string reason_key;    // metrics keyword for refusals (overload, bad_sdp ...)
};

// The recording policy's answer for a new session (SCOPE-1/2/5, CONSENT-3, RET-5).
struct AdmitDecision {
  enum class Action {
    kRecord,       // answer and record
    kRefuse,       // send `refusal` instead of an answer; nothing kept
    kAnswerAndDrop,  // answer 200 like a recording (streams on `discard_port`), open no
                     // media, store nothing, follow the dialog until it ends (SCOPE-4)
  };
  Action action = Action::kRecord;
  SipReply refusal;            // kRefuse
  uint16_t discard_port = 0;   // kAnswerAndDrop: a UDP port bound and never read; 0 = none,
                               // then the streams are answered a=inactive (port 9)
};

struct SessionManagerOptions {
  int max_sessions = 1000;
  // Bounds on one peer (issue 12, docs/operations.md "Limits"): streams recorded per session
  // (an offer that would record more is answered 488 and nothing is opened) and live
  // sessions per source address (the next INVITE from it gets 503 + Retry-After).
  int max_streams = 8;
  int max_sessions_per_source = 500;
  bool accept_non_siprec = false;
  int retry_after_s = 30;
  std::string local_ip = "127.0.0.1";  // advertised in c= of our SDP
  sdp::CodecPreferences codecs;
  bool stereo = true;
  std::string site;
  std::string country_code = "48";
  std::chrono::seconds finish_timeout{30};  // ending session without kFinished -> failed
  media::CompletenessOptions completeness;   // thresholds of the verdict computed at the end
  // Encryption at rest (SEC-1, kronika/srs/atrest/key_file_syncer.h): gives the data key of
  // a new recording just before its media is opened (SIP thread, must not touch the disk:
  // the daemon's takes it from an in-memory pool and has the key file written elsewhere);
  // the media engine seals the file with it from the first byte. An error refuses the
  // session: with encryption on, nothing is recorded in plaintext. `drop_recording_key`
  // removes the key of a recording whose media could not be opened (must not block).
  // Empty = recordings are written in plaintext.
  std::function<Result<std::string>(const std::string& recording_id)> create_recording_key;
  std::function<void(const std::string& recording_id)> drop_recording_key;
  // Called (SIP thread, must not block) when a recording sealed from its first byte is
  // finished with audio on disk; with create_recording_key set, that is every such one.
  std::function<void()> sealed_recording_finished;
  // Recording policy (issue 7, kronika/srs/rules/rules_gate.h): asked once per initial INVITE with
  // the session's first snapshot, after the metadata is parsed and before any media is
  // opened. Empty = record every call. Must not block (SIP thread).
  std::function<AdmitDecision(const RecordingRecord&)> admit;
};

// Receives each snapshot for the store; returns false when it could not be queued.
using SnapshotSink = std::function<bool(RecordingRecord)>;

class SessionManager {
 public:
  // `media` is borrowed and must outlive the manager. `store_healthy` may be empty
  // (always healthy); `metrics` may be null.
  SessionManager(SessionManagerOptions options, media::MediaEngine* media, SnapshotSink sink,
                 std::function<bool()> store_healthy, Metrics* metrics);
  ~SessionManager();

  struct InviteOutcome {
    SipReply reply;
    Session* session = nullptr;  // set when a session was created (reply 200)
  };

  // A new dialog's INVITE. On success the session is created and the reply carries our
  // SDP answer; on refusal nothing is kept (4xx/5xx reply with a Warning).
  InviteOutcome OnInitialInvite(const SipRequestInfo& request, Clock::time_point now);
  // re-INVITE on an existing session: with SDP -> new answer (pause/resume/update);
  // without SDP -> our fresh offer (the answer comes in the ACK). Metadata merged if any.
  SipReply OnReInvite(Session& session, const SipRequestInfo& request, Clock::time_point now);
  // UPDATE: with SDP as re-INVITE; metadata-only -> merged, 200 without body.
  SipReply OnUpdate(Session& session, const SipRequestInfo& request, Clock::time_point now);
  // ACK; `request.body` is the SRC's answer when our 200 carried an offer.
  void OnAck(Session& session, const SipRequestInfo& request, Clock::time_point now);
  // BYE, CANCEL, session expiry, shutdown: closes the media; the session stays until the
  // engine reports the file finished (or finish_timeout passes).
  void End(Session& session, TimelineEventKind why, std::string detail, Clock::time_point now);
  // Ends every session (shutdown).
  void EndAll(TimelineEventKind why, std::string detail, Clock::time_point now);

  // Media engine events (dtmf, rtp-timeout, finished, failed) into the timelines.
  void OnMediaEvents(const std::vector<media::MediaEvent>& events, Clock::time_point now);
  // Periodic housekeeping: sessions ending for longer than finish_timeout are finished.
  void Tick(Clock::time_point now);

  Session* Find(const std::string& recording_id);
  size_t live_sessions() const;  // answered or active (counted against max_sessions)
  // Live sessions whose INVITE came from `source_address` (max_sessions_per_source).
  size_t live_sessions_from(const std::string& source_address) const;
  size_t total_sessions() const { return sessions_.size(); }

 private:
  SipReply Refuse(int status, std::string warning, std::string reason_key);
  SipReply RefuseFromError(const Error& error, std::string reason_key);
  SipReply ApplyOffer(Session& session, const std::string& sdp_text, Clock::time_point now,
                      bool is_answer_to_our_offer);
  // Reads one metadata document into the session's view (never refuses: issue 14), adds
  // the timeline event (for the INVITE's own document only when it has defects) and counts
  // the defects it has.
  void ApplyMetadata(Session& session, const std::string& raw, const std::string& charset,
                     Clock::time_point now, bool initial);
  // The request's body with its Content-Encoding undone; refusals for the SRC.
  Result<std::string> DecodedBody(const SipRequestInfo& request) const;
  SipReply RefuseBody(const Error& error);
  media::RecordingSpec SpecFor(const Session& session) const;
  void Persist(const Session& session);
  void Finish(Session& session, Clock::time_point now);

  SessionManagerOptions options_;
  media::MediaEngine* media_;
  SnapshotSink sink_;
  std::function<bool()> store_healthy_;
  // Every public entry point checks it (debug builds abort off the SIP thread).
  ThreadRole sip_thread_{"the SIP thread's SessionManager"};
  Metrics* metrics_;
  RecordingIdGenerator ids_;
  std::map<std::string, std::unique_ptr<Session>> sessions_;  // by recording id
  std::map<std::string, std::vector<std::string>> srtp_keys_;  // our SDES keys per session
  // Answer-and-drop sessions (issue 7): recording id -> discard port. Such a session is in
  // sessions_ (the dialog is followed) but has no media, no snapshot, no log of numbers.
  std::map<std::string, uint16_t> dropped_;
  // Source address of each session's INVITE (SipRequestInfo::source_address), by recording id.
  std::map<std::string, std::string> source_of_;
};

// A fresh base64 SDES master key + salt (30 random bytes), for our a=crypto lines.
std::string NewSrtpKeyBase64();

}  // namespace kronika::srs
