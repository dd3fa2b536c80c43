// AccessContext (see access_context.h): the access module's state, the encryption thread
// and recording destruction. The HTTP routes over it are srs/http's access_routes.cc.
#include "kronika/srs/access/access_context.h"

#include <prometheus/counter.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <thread>

#include "kronika/mutex.h"
#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/access_disclosure.h"
#include "kronika/srs/access/access_playback.h"
#include "kronika/srs/access/access_register.h"
#include "kronika/srs/access/listening_sessions.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/access/sign_in.h"
#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/atrest/recording_keys.h"
#include "kronika/srs/core/log.h"
#include "kronika/thread_annotations.h"
#include "kronika/thread_boundary.h"

namespace kronika::srs {
namespace {

constexpr char kMetricAccessRefused[] = "kronika_access_refused_total";
constexpr char kMetricPlaybacks[] = "kronika_access_playbacks_total";
constexpr char kMetricEncrypted[] = "kronika_recordings_encrypted_total";
constexpr char kMetricSessions[] = "kronika_access_sessions";

int64_t NowMsUtc() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

class AccessContext::Impl {
 public:
  AccessOptions options;
  Store* store = nullptr;
  std::unique_ptr<AccessDb> db;
  std::unique_ptr<UserDirectory> users;
  std::unique_ptr<ListeningRegister> reg;
  std::unique_ptr<ListeningSessions> listening;  // after reg: closes its sessions into it first
  std::unique_ptr<PlaybackWorkflow> playback;
  std::unique_ptr<DisclosureBook> disclosures;
  std::unique_ptr<SignInService> sign_in;
  // Shared with the metrics collector below, which the Metrics registry keeps (and may call
  // at a scrape) after this context is gone: it has no way to remove a collector.
  std::shared_ptr<SessionStore> sessions;
  std::unique_ptr<RecordingKeys> owned_keys;  // loaded here when no shared keys are given
  RecordingKeys* keys = nullptr;              // null without a master key
  std::unique_ptr<ExportSigner> signer;    // Ed25519 export signatures (DISC-3)
  std::optional<std::string> signing_key;  // legacy HMAC key, when the file is not PEM
  PackageSigning signing() const { return {signer.get(), signing_key}; }

  prometheus::Family<prometheus::Counter>* refused_family = nullptr;
  prometheus::Counter* playbacks = nullptr;
  prometheus::Counter* encrypted = nullptr;  // how="after"
  prometheus::Counter* sealed = nullptr;     // how="sealed"

  Mutex encrypt_mu;  // one EncryptPending() at a time (the files, not members)
  Mutex stop_mu;
  CondVar stop_cv;
  bool stopping GUARDED_BY(stop_mu) = false;
  std::thread encryptor;

  std::filesystem::path PlainPathOf(const RecordingRecord& r) const {
    std::filesystem::path p = r.file_path;
    if (p.empty()) {
      return options.data_dir / "recordings" / (r.recording_id + ".opus");
    }
    return p.is_relative() ? options.data_dir / p : p;
  }
};

AccessContext::AccessContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AccessContext::~AccessContext() {
  {
    MutexLock lock(impl_->stop_mu);
    impl_->stopping = true;
  }
  impl_->stop_cv.SignalAll();
  if (impl_->encryptor.joinable()) impl_->encryptor.join();
}

Result<std::unique_ptr<AccessContext>> AccessContext::Open(const AccessOptions& options,
                                                           Store& store, Metrics* metrics) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->store = &store;
  auto db = AccessDb::Open(store.database().shared_from_this(), options.data_dir);
  if (!db.ok()) return db.error();
  impl->db = std::move(*db);
  impl->users = std::make_unique<UserDirectory>(*impl->db);
  impl->reg = std::make_unique<ListeningRegister>(*impl->db,
                                                  ListeningRegister::DefaultPath(options.data_dir));
  impl->listening = std::make_unique<ListeningSessions>(
      *impl->reg, options.listening_idle.count() > 0 ? options.listening_idle : kListeningIdle);
  impl->playback = std::make_unique<PlaybackWorkflow>(*impl->db, store);
  impl->disclosures = std::make_unique<DisclosureBook>(*impl->db, store);
  impl->sessions = std::make_shared<SessionStore>(options.sessions);
  impl->sign_in = std::make_unique<SignInService>(
      *impl->users, options.lockout,
      options.ldap.enabled() ? std::make_unique<LdapDirectory>(options.ldap) : nullptr,
      metrics != nullptr ? &metrics->registry() : nullptr);
  std::filesystem::path key_file = options.master_key_file;
  if (key_file.empty()) {
    if (const char* env = std::getenv(kMasterKeyEnv); env && *env) key_file = env;
  }
  if (options.shared_keys != nullptr) {
    impl->keys = options.shared_keys;
    Logf(LogLevel::kInfo, "", "access: recordings are encrypted at rest (master key %s)",
         impl->keys->kek_id().c_str());
  } else if (!key_file.empty()) {
    auto kek = LoadMasterKey(key_file, options.data_dir);
    if (!kek.ok()) return kek.error();
    impl->owned_keys = std::make_unique<RecordingKeys>(RecordingKeys::DefaultDir(options.data_dir), *kek);
    impl->keys = impl->owned_keys.get();
    Logf(LogLevel::kInfo, "", "access: recordings are encrypted at rest (master key %s)",
         impl->keys->kek_id().c_str());
  } else {
    Logf(LogLevel::kWarn, "",
         "access: no master key (%s): recordings are NOT encrypted at rest (SEC-1)", kMasterKeyEnv);
  }
  std::filesystem::path signing_file = options.export_signing_key_file;
  if (signing_file.empty()) {
    if (const char* env = std::getenv(kExportSigningKeyEnv); env && *env) signing_file = env;
  }
  if (!signing_file.empty()) {
    std::ifstream probe(signing_file, std::ios::binary);
    std::string first_line;
    std::getline(probe, first_line);
    if (first_line.rfind("-----BEGIN", 0) == 0) {
      auto signer = ExportSigner::Load(signing_file, options.data_dir);
      if (!signer.ok()) return signer.error();
      impl->signer = std::move(*signer);
      Logf(LogLevel::kInfo, "", "access: export packages are signed with Ed25519 key %s",
           impl->signer->fingerprint().c_str());
    } else {
      auto key = LoadMasterKey(signing_file, options.data_dir);
      if (!key.ok()) return key.error();
      impl->signing_key = *key;
      Logf(LogLevel::kWarn, "",
           "access: %s holds an HMAC key: receivers cannot verify export packages; make an "
           "Ed25519 key with `kronika export keygen` (DISC-3)",
           signing_file.c_str());
    }
  }
  if (metrics) {
    auto& registry = metrics->registry();
    impl->refused_family = &prometheus::BuildCounter()
                                .Name(kMetricAccessRefused)
                                .Help(
                                    "API calls refused: reason unauthenticated, forbidden (role), "
                                    "not_approved, restricted")
                                .Register(registry);
    impl->refused_family->Add({{"reason", "unauthenticated"}});
    impl->refused_family->Add({{"reason", "forbidden"}});
    impl->refused_family->Add({{"reason", "not_approved"}});
    impl->refused_family->Add({{"reason", "csrf"}});
    metrics->AddCollector([sessions = impl->sessions] {
      prometheus::MetricFamily family;
      family.name = kMetricSessions;
      family.help = "Web UI sessions signed in now (in memory; a restart signs everyone out)";
      family.type = prometheus::MetricType::Gauge;
      prometheus::ClientMetric m;
      m.gauge.value = static_cast<double>(sessions->Count(NowMsUtc()));
      family.metric.push_back(m);
      return std::vector<prometheus::MetricFamily>{family};
    });
    impl->playbacks = &prometheus::BuildCounter()
                           .Name(kMetricPlaybacks)
                           .Help("Audio responses served (each within a listening session that has its register entry)")
                           .Register(registry)
                           .Add({});
    // SEC-1: how="sealed" recordings sealed from their first byte while recorded (KENC0002),
    // how="after" plaintext recordings encrypted after the fact by EncryptPending (KENC0001).
    auto& encrypted = prometheus::BuildCounter()
                          .Name(kMetricEncrypted)
                          .Help(
                              "Recordings encrypted at rest: how=sealed while recorded, how=after "
                              "finished plaintext recordings encrypted later")
                          .Register(registry);
    impl->sealed = &encrypted.Add({{"how", "sealed"}});
    impl->encrypted = &encrypted.Add({{"how", "after"}});
  }
  std::unique_ptr<AccessContext> context(new AccessContext(std::move(impl)));
  Impl* raw = context->impl_.get();
  if (raw->keys && options.encrypt_interval.count() > 0) {
    AccessContext* self = context.get();
    raw->encryptor = std::thread([self, raw] {
      NameCurrentThread(kEncryptorThreadName);
      for (;;) {
        {
          MutexLock lock(raw->stop_mu);
          if (raw->stopping) break;
        }
        // The boundary (issue 13 item 4): a pass that throws is skipped; the next one, a
        // second later, starts over (a file half encrypted stays .opus until it succeeds).
        RunGuarded(kEncryptorThreadName, FaultEffect::kRecovered, [&] {
          Result<size_t> n = self->EncryptPending();
          if (!n.ok())
            Logf(LogLevel::kError, "", "access: encryption pass failed: %s", n.error().message.c_str());
        });
        MutexLock lock(raw->stop_mu);
        raw->stop_cv.WaitFor(raw->stop_mu, raw->options.encrypt_interval,
                             [raw]() REQUIRES(raw->stop_mu) { return raw->stopping; });
      }
    });
  }
  return context;
}

bool AccessContext::encryption_enabled() const { return impl_->keys != nullptr; }

void AccessContext::CountSealedRecording() {
  if (impl_->sealed) impl_->sealed->Increment();
}

Result<size_t> AccessContext::EncryptPending() {
  if (!impl_->keys) return size_t{0};
  MutexLock lock(impl_->encrypt_mu);
  const std::filesystem::path dir = impl_->options.data_dir / "recordings";
  std::error_code ec;
  std::vector<std::filesystem::path> todo;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".opus") todo.push_back(it->path());
  }
  size_t n = 0;
  for (const auto& path : todo) {
    const std::string id = path.stem().string();
    Status s = EncryptFinishedRecording(*impl_->keys, id, path);
    if (!s.ok()) {
      Logf(LogLevel::kError, id.c_str(), "access: cannot encrypt %s: %s", path.c_str(),
           s.error().message.c_str());
      continue;
    }
    ++n;
    if (impl_->encrypted) impl_->encrypted->Increment();
    Logf(LogLevel::kDebug, id.c_str(), "access: encrypted %s", path.c_str());
  }
  return n;
}

Status AccessContext::DestroyRecording(std::string_view recording_id, std::string_view by,
                                       std::string_view reason) {
  const std::string id(recording_id);
  auto record = impl_->store->Get(id);
  if (!record.ok()) return record.error();
  if (!record->has_value()) return MakeError(ErrorCode::kNotFound, "no recording " + id);
  if ((*record)->legal_hold && !impl_->options.deletion_guard)
    return MakeError(ErrorCode::kConflict, "recording " + id + " is under legal hold (RET-2); lift it first");
  if ((*record)->state == RecordingState::kActive)
    return MakeError(ErrorCode::kConflict, "recording " + id + " is still being recorded");
  // Issue 7: the policy db is the one source of truth for holds (the store flag mirrors
  // it); the guard refuses a held recording naming its cases and logs the act (RET-2/4).
  if (impl_->options.deletion_guard) {
    if (Status s = impl_->options.deletion_guard(**record, by, reason); !s.ok()) return s;
  }
  const std::filesystem::path plain = impl_->PlainPathOf(**record);
  if (impl_->keys) {
    if (Status s = impl_->keys->Shred(id); !s.ok()) return s;
  }
  if (Status s = OverwriteAndUnlink(EncryptedPathOf(plain)); !s.ok()) return s;
  if (Status s = OverwriteAndUnlink(plain); !s.ok()) return s;
  if (!impl_->store->EnqueueDelete(id))
    return MakeError(ErrorCode::kUnavailable, "store: deletion of " + id + " could not be queued");
  Logf(LogLevel::kInfo, id.c_str(),
       "access: recording destroyed by %s: %s (key shredded, files overwritten)",
       std::string(by).c_str(), std::string(reason).c_str());
  if (impl_->options.on_destroyed) impl_->options.on_destroyed(**record);
  return OkStatus();
}

Store& AccessContext::store() const { return *impl_->store; }
AccessDb& AccessContext::db() const { return *impl_->db; }
UserDirectory& AccessContext::users() const { return *impl_->users; }
ListeningRegister& AccessContext::listening_register() const { return *impl_->reg; }
ListeningSessions& AccessContext::listening_sessions() const { return *impl_->listening; }
PlaybackWorkflow& AccessContext::playback() const { return *impl_->playback; }
DisclosureBook& AccessContext::disclosures() const { return *impl_->disclosures; }
SignInService& AccessContext::sign_in() const { return *impl_->sign_in; }
SessionStore& AccessContext::sessions() const { return *impl_->sessions; }
const std::string& AccessContext::default_language() const { return impl_->options.default_language; }
const std::string& AccessContext::time_zone() const { return impl_->options.time_zone; }
std::string AccessContext::LanguageOf(const User& user) const {
  return user.language.empty() ? impl_->options.default_language : user.language;
}
const RecordingKeys* AccessContext::keys() const { return impl_->keys; }
PackageSigning AccessContext::signing() const { return impl_->signing(); }
const DocumentSettings& AccessContext::documents() const { return impl_->options.documents; }
const std::filesystem::path& AccessContext::data_dir() const { return impl_->options.data_dir; }

std::filesystem::path AccessContext::PlainPathOf(const RecordingRecord& record) const {
  return impl_->PlainPathOf(record);
}

void AccessContext::CountRefused(const std::string& reason) {
  if (impl_->refused_family) impl_->refused_family->Add({{"reason", reason}}).Increment();
}

void AccessContext::CountPlayback() {
  if (impl_->playbacks) impl_->playbacks->Increment();
}

}  // namespace kronika::srs
