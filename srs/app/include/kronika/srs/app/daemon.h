// Daemon: the composition root of `kronika serve`. It owns every component of the running
// server and is the one place that wires the layers together (docs/architecture.md,
// "Layers"): the SIP layer gets the store and the recording rules only as the narrow
// functions of SipServerDeps, the access module gets the rules db as its deletion guard.
//
// Start() brings the components up in dependency order, each step only once the steps it
// needs are up, so no component ever sees another half-made:
//   1. store   the data directory's lock (one owner: a second serve refuses, naming this
//              PID), then its one LMDB environment (<data_dir>/db: recordings, rules and
//              access tables), read-write, with the recordings writer thread
//   2. keys    the data keys of encryption at rest (SEC-1) and their fsync thread
//   3. rules   site policies, the rules db, the INVITE gate and the retention sweeper
//   4. media   crash recovery of interrupted recordings, then the media engine
//   5. http    the access module and the HTTP API (recordings, access, /metrics, /ui),
//              then the admin socket (<data_dir>/admin.sock: the CLI's writes, admin_socket.h)
//   5b. events the outbox's pruning thread and the webhook deliverers (issue 17), one thread
//              per endpoint; nothing on the SIP, media or store path waits for them
//   6. sip     the SIPREC UAS, bound to its listeners
// Stop() takes them down in the reverse order: SIP first (no new work), the admin socket
// and the HTTP API, the media engine (finishes every open file), the rules (sweeper
// stopped), the keys (queued key files synced), the store last (final flush, then the
// lock is released).
//
// Reload() (SIGHUP) takes over what can change while calls run: the site policies (read
// again from their files), the log level and the HTTPS certificate and key (read again;
// new connections get a changed one, issue 15 item 5) and the master key when the file
// holds one that wraps every recording key on disk; it logs every other changed setting as waiting
// for a restart (docs/operations.md, "Reloading the configuration").
//
// Threads: Start(), Run() and Stop() on one thread (the main thread, which becomes the
// SIP thread in Run()); RequestStop() from any thread or a signal handler; Reload() from one
// other thread (the signal waiter) while Run() runs.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "kronika/mutex.h"
#include "kronika/result.h"
#include "kronika/srs/config/config.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs {

struct LocalAdminDeps;  // local_admin_ops.h

class Daemon {
 public:
  // `config` must have passed ValidateConfig(); nothing is opened yet.
  explicit Daemon(Config config);
  ~Daemon();  // Stop()
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Starts steps 1-6. Each failure is logged with the option or component it concerns
  // ("store: ...", "sip.listen: ...") and returned; the steps already up are stopped again.
  // Error code kUsage: a site policy file is wrong (a configuration error); any other code:
  // the component could not start (port taken, store unusable, bad master key ...).
  // On success tells systemd READY=1 (sd_notify; nothing without $NOTIFY_SOCKET).
  Status Start();

  // Runs the SIP event loop until RequestStop(). REQUIRES: Start() succeeded.
  Status Run();

  // Asks Run() to return. Async-signal-safe; any thread, any number of times.
  void RequestStop();

  // Stops what is running, in reverse start order; first tells systemd STOPPING=1 when
  // Start() had told it READY=1. Idempotent.
  void Stop();

  // Takes over `next` (already validated) as far as a running daemon can, and logs what
  // it applied and what needs a restart. Error (kInvalidInput) when a site policy file no
  // longer loads (the site policies in use stay) or the HTTPS certificate or key does not
  // (the certificate in use stays). REQUIRES: Start() succeeded.
  Status Reload(const Config& next);
  // A reload that did not get as far as Reload(): the file is missing or invalid. Logged
  // with `why`, counted as failed; nothing changes.
  void ReloadFailed(std::string_view why);

 private:
  struct Components;
  Status StartStore();
  Status StartKeys();
  Status StartRules();
  Status StartMedia();
  Status StartHttp();
  Status StartAdmin();
  // The admin operations' dependencies on this daemon's parts (admin socket, web API).
  LocalAdminDeps AdminDeps(std::string performer) const;
  Status StartEvents();
  Status StartSip();
  // Appends node.ready / node.draining (data {version}) in a write of its own; logged, never
  // fatal, when it cannot.
  void EmitNodeEvent(const char* type);
  // Reload()'s HTTPS part: serves the certificate and key files' identity if it changed.
  Status ReloadHttpTls(const Config& next) REQUIRES(reload_mu_);
  // Reload()'s master key part: takes over the key in KRONIKA_MASTER_KEY_FILE only when it
  // wraps every recording key on disk; logs and keeps the key in use otherwise.
  void ReloadMasterKey() REQUIRES(reload_mu_);

  Config config_;  // as started; read by the components' threads, never changed
  std::unique_ptr<Components> c_;
  Mutex reload_mu_;
  Config applied_ GUARDED_BY(reload_mu_);  // the configuration the last Reload() compared against
};

}  // namespace kronika::srs
