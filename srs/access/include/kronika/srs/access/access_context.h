// AccessContext: the access module's state in the daemon (issue 8): users and tokens, the
// playback workflow, the listening register, disclosures, restrictions, and encryption at
// rest (the encryption thread and recording destruction). No HTTP here: the API routes
// that serve it are srs/http's (access_routes.h), which authenticate each request
// against users() and count refusals with CountRefused(). docs/api.md lists every endpoint
// with its role; docs/compliance.md maps the requirement IDs (ACCESS-1..5, REG-1..3,
// DISC-1..3, SEC-1, RET-3, RIGHTS-3).
//
// Threads: every method may run on any thread concurrently (the parts it hands out are
// thread-safe themselves). The context borrows the store (and metrics) and must be
// destroyed after the HTTP server has stopped and before the store. The encryption thread
// is "kr-encrypt": a pass that throws is logged, counted in
// kronika_thread_faults_total{thread="kr-encrypt"} and skipped; the next pass runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "kronika/result.h"
#include "kronika/srs/access/access_disclosure.h"
#include "kronika/srs/access/office_documents.h"
#include "kronika/srs/access/ldap_directory.h"
#include "kronika/srs/access/lockout.h"
#include "kronika/srs/access/session_store.h"
#include "kronika/srs/core/metrics.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {

inline constexpr char kEncryptorThreadName[] = "kr-encrypt";  // thread_boundary.h

class AccessDb;
class DisclosureBook;
class ListeningRegister;
class ListeningSessions;
class PlaybackWorkflow;
class RecordingKeys;
class SignInService;
class UserDirectory;

struct AccessOptions {
  std::filesystem::path data_dir;  // storage.data_dir; access state in <data_dir>/access
  // Master key (KEK) file for encryption at rest; "" = take KRONIKA_MASTER_KEY_FILE from the
  // environment; when neither is set, recordings stay unencrypted (logged as a warning).
  std::filesystem::path master_key_file;
  // The daemon's data keys (borrowed; must outlive the context), used instead of loading a
  // master key: one RecordingKeys per process, so a master key rotated while the daemon
  // runs is the one playback and encryption use too (issue 15 item 5). Null: as above.
  RecordingKeys* shared_keys = nullptr;
  // Key file for signing export manifests (DISC-3): an Ed25519 PEM private key (`kronika
  // export keygen`), or a legacy HMAC key (32 bytes / 64 hex digits, receivers cannot check
  // it); outside the data directory. "" = KRONIKA_EXPORT_SIGNING_KEY_FILE or unsigned.
  std::filesystem::path export_signing_key_file;
  // How often finished recordings are looked for and encrypted (0 = never, e.g. in tests
  // that call EncryptPending() themselves).
  std::chrono::milliseconds encrypt_interval{1000};
  // A listening session with no audio request for this long is closed (listening_sessions.h;
  // tests shorten it). 0 = the default, kListeningIdle (2 min).
  std::chrono::milliseconds listening_idle{0};
  // Issue 7: asked by DestroyRecording before anything is destroyed; an error refuses the
  // deletion with its status. The daemon wires it to the policy db (one source of truth for
  // legal holds: kConflict while held, RET-2) which also logs the act (RET-4). Empty = only the
  // store's legal_hold flag is checked.
  std::function<Status(const RecordingRecord& record, std::string_view by, std::string_view reason)>
      deletion_guard;
  // Called once a recording is destroyed (the daemon subtracts it from the quota usage,
  // RET-5). May be empty.
  std::function<void(const RecordingRecord& record)> on_destroyed;
  // The office that issues the protocols (`[office]`: letterhead, place, language, time zone;
  // office_documents.h). issued_ms_utc is ignored: each document is dated when it is printed.
  DocumentSettings documents;
  // Sign-in (issue 16 item 4): sessions' idle timeout and lifetime, the lock-out rules,
  // LDAP (url "" = local passwords only) and the language of users who did not choose one.
  SessionOptions sessions;
  LockoutOptions lockout;
  LdapOptions ldap;
  std::string default_language = "pl";
  std::string time_zone = "Europe/Warsaw";  // [office] time_zone: times in people's messages
};

class AccessContext {
 public:
  // Opens <data_dir>/access (creating it), loads the master key when configured, starts the
  // encryption thread. Errors: unusable directory, unreadable master key, key file inside
  // the data directory. `store` is borrowed (deletions are queued on it); `metrics` may be
  // null.
  static Result<std::unique_ptr<AccessContext>> Open(const AccessOptions& options, Store& store,
                                                     Metrics* metrics);
  ~AccessContext();  // stops the encryption thread
  AccessContext(const AccessContext&) = delete;
  AccessContext& operator=(const AccessContext&) = delete;

  // Encrypts every finished (not .part) plaintext recording under <data_dir>/recordings;
  // returns how many were encrypted. A no-op without a master key.
  Result<size_t> EncryptPending();
  bool encryption_enabled() const;
  // Counts a recording sealed while it was recorded (kronika_recordings_encrypted_total
  // {how="sealed"}; EncryptPending counts how="after"). Thread-safe.
  void CountSealedRecording();

  // RET-3/RET-4/RIGHTS-2: destroys a recording for good: its data key is shredded, the
  // audio files (.kenc and any plaintext) are overwritten and unlinked, the store record is
  // deleted. kConflict when the recording is under legal hold, kNotFound unknown id. `by` and
  // `reason` go into the log (the content does not).
  Status DestroyRecording(std::string_view recording_id, std::string_view by,
                          std::string_view reason);

  // The parts the API serves (srs/http access_routes.h) and the store it reads; borrowed
  // from the context, valid while it lives.
  Store& store() const;
  AccessDb& db() const;
  UserDirectory& users() const;
  ListeningRegister& listening_register() const;
  // Audio requests grouped into listening sessions: one register entry each (issue 16).
  ListeningSessions& listening_sessions() const;
  PlaybackWorkflow& playback() const;
  DisclosureBook& disclosures() const;
  // Sign-in by password or LDAP, and the sessions it opens (issue 16 item 4).
  SignInService& sign_in() const;
  SessionStore& sessions() const;
  // A user's language, or the default for users who chose none ("pl" / "en").
  std::string LanguageOf(const User& user) const;
  const std::string& default_language() const;
  const std::string& time_zone() const;
  // The data keys; nullptr without a master key (recordings stay plaintext).
  const RecordingKeys* keys() const;
  // How export packages are signed (DISC-3).
  PackageSigning signing() const;
  // The office's document settings (AccessOptions::documents).
  const DocumentSettings& documents() const;
  const std::filesystem::path& data_dir() const;
  // Where a record's plaintext audio file is (or was): its file_path under data_dir.
  std::filesystem::path PlainPathOf(const RecordingRecord& record) const;

  // kronika_access_refused_total{reason} (unauthenticated, forbidden, not_approved,
  // restricted, csrf) and kronika_access_playbacks_total. Thread-safe; no-ops without metrics.
  void CountRefused(const std::string& reason);
  void CountPlayback();

  class Impl;

 private:
  explicit AccessContext(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kronika::srs
