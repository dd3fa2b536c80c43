// SipServer: Kronika's SIPREC UAS (RFC 7866) on sofia-sip.
//
// Listens on sip.listen (UDP + TCP) and, when configured, sip.tls_listen (TLS, sips:).
// Answers SIPREC INVITEs (multipart SDP + RFC 7865 metadata) with an SDP answer whose RTP
// ports come from the media engine, follows re-INVITE / UPDATE (pause, resume, stream and
// metadata changes), BYE, CANCEL, session timers (RFC 4028, the SRC refreshes) and
// OPTIONS, refuses bad input with 400/415/488 + Warning, and overload (sip.max_sessions,
// no RTP port, disk or store trouble) with a fast 503 + Retry-After (SCOPE-4: the recorder
// refuses fast, never holds a call). Every session's snapshot goes to the store queue at
// start, at each change and at the end.
//
// Threads: Create() and Run() must be called on the same thread, which becomes the SIP
// thread: it alone owns every dialog and session. RequestStop() may be called from any
// thread or a signal handler. No sofia-sip type appears in this header. A throw from the
// work of a sofia callback is caught there (the event is dropped), logged and counted as
// kronika_thread_faults_total{thread="kr-sip"}; the SIP thread keeps the process's name.
// While Run() serves, the SIP thread does no disk or LMDB I/O (issue 13 item 4): every
// SipServerDeps function it calls must not either; Run() marks the thread so that debug
// builds abort on an LMDB transaction or a key file write (thread_role.h DiskIoForbidden).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "kronika/media/media_engine.h"
#include "kronika/result.h"
#include "kronika/srs/config/config.h"
#include "kronika/srs/session/session_manager.h"

namespace kronika::srs {

inline constexpr char kSipThreadName[] = "kr-sip";  // the faults' label (thread_boundary.h)

class Metrics;

// What the SIP layer needs from the rest of the daemon, as narrow interfaces: the SIP
// layer knows neither the store nor the recording rules (srs/sip/include_rules.toml);
// the composition root (srs/app) wires these to them.
struct SipServerDeps {
  media::MediaEngine* media = nullptr;  // required; borrowed, must outlive the server
  Metrics* metrics = nullptr;           // optional; borrowed
  // Optional: receives every session snapshot (SessionManager's SnapshotSink; the daemon
  // stamps it with the recording rules and queues it on the store, never blocking).
  // Empty = snapshots dropped.
  SnapshotSink snapshots;
  // Optional: false while the store cannot take snapshots (new INVITEs get 503). Empty =
  // always healthy.
  std::function<bool()> store_healthy;
  // Optional (issue 7): the recording policy's answer for a new session; see
  // SessionManagerOptions::admit. Empty = record every call.
  std::function<AdmitDecision(const RecordingRecord&)> admit;
  // Optional (SEC-1): data key of each new recording, made before its media is opened;
  // see SessionManagerOptions::create_recording_key. Empty = recordings in plaintext.
  std::function<Result<std::string>(const std::string& recording_id)> create_recording_key;
  std::function<void(const std::string& recording_id)> drop_recording_key;
  // Optional: see SessionManagerOptions::sealed_recording_finished (counted in metrics).
  std::function<void()> sealed_recording_finished;
};

class SipServer {
 public:
  // Creates the sofia-sip stack and binds the listeners. Errors name the address
  // ("sip: cannot listen on sip:127.0.0.1:5060 (address in use?)").
  static Result<std::unique_ptr<SipServer>> Create(const Config& config, SipServerDeps deps);
  ~SipServer();
  SipServer(const SipServer&) = delete;
  SipServer& operator=(const SipServer&) = delete;

  // Runs the SIP event loop until RequestStop(); then ends every session (BYE to the SRCs,
  // media files finished, final snapshots queued), waiting at most ~5 s, and returns.
  Status Run();

  // Asks Run() to return. Async-signal-safe; callable from any thread, any number of times.
  void RequestStop();

  class Impl;

 private:
  explicit SipServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kronika::srs
