// The composition root (see daemon.h).
#include "kronika/srs/app/daemon.h"

#include <string.h>  // explicit_bzero
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "crash_recovery.h"
#include "disk_metrics.h"
#include "kronika/media/media_engine.h"
#include "kronika/srs/access/access_context.h"
#include "kronika/srs/admin/admin_socket.h"
#include "kronika/srs/admin/local_admin_ops.h"
#include "kronika/srs/atrest/key_file_syncer.h"
#include "kronika/srs/atrest/recording_keys.h"
#include "kronika/srs/cli/document_settings.h"
#include "kronika/srs/config/config_changes.h"
#include "kronika/srs/config/site_config.h"
#include "kronika/srs/core/heap_reclaimer.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/core/metrics.h"
#include "kronika/srs/core/version.h"
#include "kronika/srs/http/access_routes.h"
#include "kronika/srs/http/session_routes.h"
#include "signin_settings.h"
#include "kronika/srs/http/event_feed.h"
#include "kronika/srs/http/http_server.h"
#include "kronika/srs/http/metrics_route.h"
#include "kronika/srs/http/readiness_route.h"
#include "kronika/srs/http/recording_api.h"
#include "kronika/srs/http/records_routes.h"
#include "kronika/srs/http/ui_page.h"
#include "kronika/srs/rules/deletions.h"
#include "kronika/srs/rules/retention_sweeper.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/rules/rules_gate.h"
#include "kronika/srs/rules/rules_metrics.h"
#include "kronika/srs/sip/sip_server.h"
#include "kronika/srs/store/data_dir_lock.h"
#include "kronika/srs/store/database.h"
#include "kronika/srs/store/event_outbox.h"
#include "kronika/srs/store/store.h"
#include "kronika/srs/store/store_metrics.h"
#include "kronika/srs/webhook/event_pruner.h"
#include "kronika/srs/webhook/webhook_deliverer.h"
#include "kronika/srs/webhook/webhook_metrics.h"
#include "media_metrics.h"
#include "readiness_checks.h"
#include "records_actions.h"

namespace kronika::srs {
namespace {

// Recording keys whose wrapping is checked at start (StartKeys): a key file's header is
// read in microseconds, so a year of calls at a large site stays well under a second.
constexpr size_t kKeysCheckedAtStart = 100000;

media::MediaConfig MediaConfigFrom(const Config& config) {
  media::MediaConfig m;
  m.bind_ip = config.media.bind_ip;
  m.rtp_port_min = static_cast<uint16_t>(config.media.rtp_port_min);
  m.rtp_port_max = static_cast<uint16_t>(config.media.rtp_port_max);
  m.workers = config.media.workers;
  m.opus_bitrate_bps = config.media.opus_bitrate;
  m.opus_complexity = config.media.opus_complexity;
  m.opus_packet_ms = config.media.opus_packet_ms;
  m.opus_dual_mono = config.media.opus_dual_mono;
  m.stereo = config.media.stereo;
  m.rtp_timeout_ms = config.media.rtp_timeout_ms;
  m.source_check = config.media.source_check == "strict" ? media::SourceCheck::kStrict : media::SourceCheck::kLatch;
  m.latch_source_silence_ms = config.media.latch_source_silence_ms;
  m.ssrc_silence_ms = config.media.ssrc_silence_ms;
  m.no_rtp_warning_ms = config.media.no_rtp_warning_ms;
  m.gap_min_ms = config.media.gap_min_ms;
  m.recordings_dir = config.RecordingsDir();
  m.min_free_disk_bytes = static_cast<uint64_t>(config.media.min_free_disk_mb) << 20;
  return m;
}

// Logs `what: <message>` (the operator sees which option or component failed) and hands
// the error back with the same message.
Error Failed(const char* what, Error error) {
  if (what[0] == '\0') {
    Logf(LogLevel::kError, "", "%s", error.message.c_str());
  } else {
    Logf(LogLevel::kError, "", "%s: %s", what, error.message.c_str());
  }
  return error;
}

// The HTTPS certificate and key files: http.tls_cert / http.tls_key, or the environment's
// KRONIKA_HTTP_TLS_CERT / KRONIKA_HTTP_TLS_KEY, which win (read at start and at each reload).
struct HttpTlsFiles {
  std::string certificate;
  std::string key;
};
HttpTlsFiles HttpTlsFilesOf(const Config& config) {
  HttpTlsFiles files{config.http.tls_cert, config.http.tls_key};
  if (const char* cert = std::getenv("KRONIKA_HTTP_TLS_CERT"); cert && *cert) files.certificate = cert;
  if (const char* key = std::getenv("KRONIKA_HTTP_TLS_KEY"); key && *key) files.key = key;
  return files;
}

int64_t NowMsUtc() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// Declared in start order; Stop() releases them in the reverse order explicitly.
struct Daemon::Components {
  Metrics metrics;  // first and last: every component may register series on it
  prometheus::Family<prometheus::Counter>& reloads =
      prometheus::BuildCounter()
          .Name("kronika_config_reloads_total")
          .Help("SIGHUP reloads by result: applied (the site policies, log level and HTTPS certificate taken "
                "over), failed (a site policy file or the HTTPS certificate did not load; what was in use stays)")
          .Register(metrics.registry());

  // 1. store: the data directory's lock and database, the recordings on it
  std::shared_ptr<DataDirLock> lock;
  std::shared_ptr<Database> database;
  std::unique_ptr<Store> store;
  // 2. keys (SEC-1); both null when encryption at rest is off
  std::unique_ptr<RecordingKeys> recording_keys;
  std::optional<KeyFileSyncer> key_syncer;  // the SIP thread's key pool: no disk I/O there
  // 3. rules (issue 7)
  SitePolicies sites;
  std::unique_ptr<RulesDb> rules_db;
  std::unique_ptr<RulesMetrics> rules_metrics;
  std::unique_ptr<RulesGate> rules_gate;
  std::unique_ptr<RetentionSweeper> sweeper;
  // 4. media
  std::unique_ptr<media::MediaEngine> media;
  // 5. http (and the access module it serves)
  std::unique_ptr<AccessContext> access;
  std::unique_ptr<HttpServer> http;
  std::unique_ptr<LocalAdminOps> admin_ops;  // the CLI's writes, over the admin socket
  std::unique_ptr<AdminServer> admin;
  // 5b. events (issue 17): the outbox's pruning and the webhooks, each on its own threads.
  // `outbox` is the database's one outbox (EventOutbox::Of), opened in step 1 under
  // [events] node before any module appends to it; the pull feed of step 5 reads it too.
  std::shared_ptr<EventOutbox> outbox;
  std::unique_ptr<WebhookMetrics> webhook_metrics;
  std::unique_ptr<EventPruner> event_pruner;
  std::unique_ptr<WebhookDeliverer> webhooks;
  // 6. sip
  std::unique_ptr<SipServer> sip;
  // /readyz "sip": set once the SIP socket is bound, cleared by RequestStop() (a stopping
  // node takes no new calls, so balancers drain it while it ends the current ones).
  std::atomic<bool> sip_bound{false};
  // READY=1 was sent to systemd (Type=notify), so Stop() sends STOPPING=1.
  bool notified_ready = false;
};

Daemon::Daemon(Config config)
    : config_(std::move(config)), c_(std::make_unique<Components>()), applied_(config_) {}

Daemon::~Daemon() { Stop(); }

Status Daemon::Start() {
  RETURN_IF_ERROR(StartStore());
  RETURN_IF_ERROR(StartKeys());
  RETURN_IF_ERROR(StartRules());
  RETURN_IF_ERROR(StartMedia());
  RETURN_IF_ERROR(StartHttp());
  RETURN_IF_ERROR(StartAdmin());
  RETURN_IF_ERROR(StartEvents());
  RETURN_IF_ERROR(StartSip());
  Logf(LogLevel::kInfo, "", "kronika serving: SIP %s, HTTP %s, RTP %d-%d, data %s", config_.sip.listen.c_str(),
       config_.http.listen.c_str(), config_.media.rtp_port_min, config_.media.rtp_port_max,
       config_.storage.data_dir.c_str());
  // systemd (Type=notify, packaging/kronika.service): ready once every step is up and the
  // SIP socket bound. Does nothing without $NOTIFY_SOCKET (not started by systemd).
  if (int r = sd_notifyf(0, "READY=1\nSTATUS=serving: SIP %s, HTTP %s", config_.sip.listen.c_str(),
                         config_.http.listen.c_str());
      r < 0) {
    Logf(LogLevel::kWarn, "", "systemd: cannot send READY=1 to $NOTIFY_SOCKET: %s", std::strerror(-r));
  }
  c_->notified_ready = true;
  EmitNodeEvent("node.ready");
  return OkStatus();
}

void Daemon::EmitNodeEvent(const char* type) {
  if (c_->outbox == nullptr) return;
  const int64_t now_ms_utc = NowMsUtc();
  const EventDraft draft{type, "", {{"version", kKronikaVersion}}, nlohmann::json::object()};
  Status written = c_->database->Write([&](WriteTxn& txn) -> Status {
    Result<Event> e = c_->outbox->AppendIn(txn, draft, now_ms_utc);
    return e.ok() ? OkStatus() : Status(e.error());
  });
  if (!written.ok()) Logf(LogLevel::kError, "", "events: %s not written: %s", type, written.error().message.c_str());
}

Status Daemon::StartStore() {
  std::error_code ec;
  std::filesystem::create_directories(config_.RecordingsDir(), ec);
  if (!ec) std::filesystem::create_directories(config_.DatabaseDir(), ec);
  if (ec) {
    return Failed("storage.data_dir",
                  Error{ErrorCode::kIo, "cannot create " + config_.storage.data_dir + ": " + ec.message()});
  }
  // One owner per data directory (issue 15): a second serve, or a CLI command writing
  // without asking us, is refused with our PID.
  Result<std::shared_ptr<DataDirLock>> lock = DataDirLock::Acquire(config_.storage.data_dir, "kronika serve");
  if (!lock.ok()) return Failed("storage.data_dir", std::move(lock).error());
  c_->lock = std::move(*lock);
  // One LMDB environment for every table (database.h): recordings, rules and access.
  DatabaseOptions db_options;
  db_options.map_size_bytes = static_cast<uint64_t>(config_.storage.lmdb_map_size_mb) << 20;
  Result<std::shared_ptr<Database>> db = Database::Open(StoreDir(config_.storage.data_dir), db_options);
  if (!db.ok()) return Failed("store", std::move(db).error());
  c_->database = std::move(*db);
  // The events outbox (issue 17), tables of the same environment, opened before any module
  // appends to it so that every event of this node carries its name: written by the store,
  // rules and access modules, read by the pull feed (step 5), pruned and delivered to
  // webhooks (step 5b).
  if (!config_.events.node.empty()) {
    if (Status named = EventOutbox::SetNode(*c_->database, config_.events.node); !named.ok()) {
      return Failed("events.node", named.error());
    }
  }
  Result<std::shared_ptr<EventOutbox>> events = EventOutbox::Of(c_->database);
  if (!events.ok()) return Failed("store", std::move(events).error());
  c_->outbox = std::move(*events);
  Result<std::unique_ptr<Store>> store = Store::Open(c_->database, StoreOptions{});
  if (!store.ok()) return Failed("store", std::move(store).error());
  c_->store = std::move(*store);
  c_->metrics.AddCollector([db = c_->database.get()] { return BadRowFamilies(*db); });
  return OkStatus();
}

Status Daemon::StartKeys() {
  // SEC-1: with a master key every recording is sealed while it is recorded under its own
  // data key; the same keys repair sealed .part files after a crash (step 4).
  Result<std::unique_ptr<RecordingKeys>> keys = OpenRecordingKeys(config_.storage.data_dir);
  if (!keys.ok()) return Failed("access", std::move(keys).error());
  c_->recording_keys = std::move(*keys);
  if (c_->recording_keys != nullptr) {
    // A master key that does not open the keys on disk would record new calls under a key
    // the old recordings do not share, and play none of them: most often
    // KRONIKA_MASTER_KEY_FILE still names the old file after `kronika key rotate`. Refuse.
    Result<RecordingKeys::WrapCheck> check = c_->recording_keys->CheckWrapping(kKeysCheckedAtStart);
    if (!check.ok()) return Failed("access", std::move(check).error());
    if (check->foreign > 0) {
      return Failed(
          "master key",
          Error{ErrorCode::kPermissionDenied,
                std::string(kMasterKeyEnv) + " names master key " + c_->recording_keys->kek_id() + ", but " +
                    std::to_string(check->foreign) + " of " + std::to_string(check->checked) +
                    " recording keys checked in " + RecordingKeys::DefaultDir(config_.storage.data_dir).string() +
                    " are wrapped by another master key (" + check->first_foreign_kek_id + ", e.g. recording " +
                    check->first_foreign_id +
                    "). Not starting: after `kronika key rotate` point it at the new key file; if a rotation "
                    "was interrupted, run it again to finish it (`kronika key status` counts the keys each "
                    "master key opens)"});
    }
    c_->key_syncer.emplace(*c_->recording_keys);
    c_->metrics.AddCollector([syncer = &*c_->key_syncer] {
      return std::vector<prometheus::MetricFamily>{
          CounterFamily("kronika_data_key_pool_misses_total",
                        "SEC-1 data keys made on the SIP thread (in memory, no disk) because the pool kr-keysync "
                        "refills was empty; 0 from the start",
                        static_cast<double>(syncer->pool_misses()))};
    });
  }
  return OkStatus();
}

Status Daemon::StartRules() {
  // Recording policy (issue 7): site files, rules db, INVITE gate, retention sweeper.
  Result<SitePolicies> sites = SitePolicies::Load(config_.policy.site_files);
  if (!sites.ok()) return Failed("", Error{ErrorCode::kUsage, std::move(sites).error().message});
  c_->sites = std::move(*sites);
  Result<std::unique_ptr<RulesDb>> db = RulesDb::Open(c_->database, config_.storage.data_dir);
  if (!db.ok()) return Failed("", std::move(db).error());
  c_->rules_db = std::move(*db);
  c_->rules_metrics = std::make_unique<RulesMetrics>(c_->metrics.registry());
  c_->rules_gate = std::make_unique<RulesGate>(&c_->sites, config_.site.name, c_->rules_db.get(),
                                               c_->rules_metrics.get(), config_.media.bind_ip);
  RulesGate* gate = c_->rules_gate.get();
  c_->sweeper = std::make_unique<RetentionSweeper>(
      c_->store.get(), c_->rules_db.get(), &c_->sites, c_->rules_metrics.get(),
      SweepOptions{config_.storage.data_dir, config_.policy.overwrite_on_delete, 1000},
      [gate](const std::string& site, const policy::QuotaPlan& plan) { gate->SetQuotaPlan(site, plan); });
  RetentionSweeper* sweeper = c_->sweeper.get();
  gate->SetEvictWaker([sweeper] { sweeper->Wake(); });  // RET-5: evict at once at the limit
  if (!c_->sites.empty()) sweeper->Start(std::chrono::seconds(config_.policy.sweep_interval_s));
  return OkStatus();
}

Status Daemon::StartMedia() {
  media::MediaConfig media_config = MediaConfigFrom(config_);
  if (c_->key_syncer.has_value()) {  // SEC-1: no sealed audio on disk before its key file is
    KeyFileSyncer* syncer = &*c_->key_syncer;
    media_config.at_rest_key_stored = [syncer](const std::string& id) { return syncer->KeyStored(id); };
  }
  const std::vector<media::RepairedRecording> recovered =
      RecoverInterruptedRecordings(media_config, c_->recording_keys.get());
  if (!recovered.empty()) {
    Logf(LogLevel::kWarn, "", "media: repaired %zu recordings interrupted by a crash", recovered.size());
    RecordRecoveredRecordings(*c_->store, recovered, &c_->metrics);
    // Committed before the API serves: a client asking right after start sees "interrupted",
    // not the "active" a dead process left behind.
    if (Status flushed = c_->store->Flush(); !flushed.ok()) {
      Logf(LogLevel::kError, "", "store: recovered recordings not marked interrupted yet: %s",
           flushed.error().message.c_str());
    }
  }
  Result<std::unique_ptr<media::MediaEngine>> media = media::MediaEngine::Start(media_config);
  if (!media.ok()) return Failed("media", std::move(media).error());
  c_->media = std::move(*media);
  media::MediaEngine* engine = c_->media.get();
  c_->metrics.AddCollector([engine] { return MediaFamilies(engine->Stats()); });
  c_->metrics.AddCollector([dir = config_.RecordingsDir()] { return DiskFamilies(dir); });
  c_->metrics.AddCollector([store = c_->store.get()] { return StoreFamilies(*store); });
  c_->metrics.AddCollector([] { return HeapFamilies(); });
  return OkStatus();
}

Status Daemon::StartHttp() {
  AccessOptions access_options;
  access_options.data_dir = config_.storage.data_dir;
  // One RecordingKeys for the process: playback and late encryption follow an online
  // master key rotation (issue 15 item 5).
  access_options.shared_keys = c_->recording_keys.get();
  access_options.documents = OfficeDocumentSettings(config_.office);
  // Issue 7: the access DELETE asks the rules db (legal holds, RET-2; logged, RET-4) and
  // tells the quota usage (RET-5); both are up since step 3.
  access_options.deletion_guard = [db = c_->rules_db.get()](const RecordingRecord& r, std::string_view by,
                                                             std::string_view reason) -> Status {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    return AuthorizeEarlyDeletion(*db, r, by, reason, now_ms);
  };
  access_options.on_destroyed = [gate = c_->rules_gate.get()](const RecordingRecord& r) {
    gate->OnDeleted(r.site, r.file_bytes);
  };
  {
    Result<SignInSettings> signin = SignInSettingsOf(config_);
    if (!signin.ok()) return Failed("access", std::move(signin).error());
    access_options.sessions = signin->sessions;
    access_options.lockout = signin->lockout;
    access_options.ldap = std::move(signin->ldap);
    access_options.default_language = config_.office.language;
    access_options.time_zone = config_.office.time_zone;
    if (access_options.ldap.enabled()) {
      Logf(LogLevel::kInfo, "", "access: sign-in by LDAP bind at %s (%zu groups mapped to roles)",
           access_options.ldap.url.c_str(), access_options.ldap.group_roles.size());
    }
  }
  Result<std::unique_ptr<AccessContext>> access = AccessContext::Open(access_options, *c_->store, &c_->metrics);
  if (!access.ok()) return Failed("access", std::move(access).error());
  c_->access = std::move(*access);

  const HostPort listen = *ParseHostPort(config_.http.listen);
  HttpServerOptions options;
  options.listen_address = listen.host;
  options.port = listen.port;
  // Access module (issue 8): HTTPS when http.tls_cert (or KRONIKA_HTTP_TLS_CERT, which wins)
  // names a PEM with the cert chain and the key, or the key in http.tls_key /
  // KRONIKA_HTTP_TLS_KEY; SEC-1, docs/api.md "HTTPS".
  const HttpTlsFiles tls = HttpTlsFilesOf(config_);
  options.tls_certificate = tls.certificate;
  options.tls_private_key = tls.key;
  c_->http = std::make_unique<HttpServer>(options);
  RegisterRecordingApi(*c_->http, *c_->store);
  MountAccessApi(*c_->http, *c_->access);
  // The records keeper's routes (issue 16 item 3): holds, erasure and restriction from the
  // browser are done by this process's own admin operations, as the CLI's over the socket.
  RecordsRoutesOptions records;
  records.time_zone = config_.office.time_zone;
  records.language = config_.office.language;
  records.actions = MakeRecordsActions(RecordsActionDeps{
      c_->store.get(), c_->rules_db.get(), &c_->access->db(),
      std::make_shared<LocalAdminOps>(AdminDeps("the daemon's web API (PID " + std::to_string(::getpid()) + ")"))});
  MountRecordsApi(*c_->http, *c_->access, std::move(records));
  // The web page (issue 16 item 3), in the office's language and time zone.
  MountUiPage(*c_->http, UiSettings{config_.office.language, config_.office.time_zone});
  // Sign-in sessions for the web UI (issue 16 item 4); the cookie is Secure on HTTPS.
  MountSessionApi(*c_->http, *c_->access, SessionRouteOptions{!tls.certificate.empty()});
  // The pull feed of events (issue 17 item 4) reads the outbox opened with the store.
  MountEventFeed(*c_->http, *c_->access, c_->outbox);
  RegisterMetricsRoute(*c_->http, c_->metrics);
  ReadinessSources ready;
  ready.store = c_->store.get();
  ready.media = c_->media.get();
  ready.recordings_dir = config_.RecordingsDir();
  ready.min_free_disk_bytes = static_cast<uint64_t>(config_.media.min_free_disk_mb) << 20;
  ready.sip_bound = &c_->sip_bound;
  ready.sip_listen = config_.sip.listen;
  RegisterReadinessRoute(*c_->http, c_->metrics, DaemonReadinessChecks(ready));
  if (Status s = c_->http->Start(); !s.ok()) return Failed("http.listen", std::move(s).error());
  return OkStatus();
}

LocalAdminDeps Daemon::AdminDeps(std::string performer) const {
  LocalAdminDeps deps;
  deps.store = c_->store.get();
  deps.rules = c_->rules_db.get();
  deps.access = &c_->access->db();
  deps.sites = &c_->sites;
  deps.deletions = DeleteOptions{config_.storage.data_dir, config_.policy.overwrite_on_delete, true};
  deps.sweeper = c_->sweeper.get();
  deps.recording_keys = c_->recording_keys.get();  // `kronika key rotate` while running (issue 15 item 5)
  deps.performer = std::move(performer);
  return deps;
}

Status Daemon::StartAdmin() {
  LocalAdminDeps deps = AdminDeps("the daemon (PID " + std::to_string(::getpid()) + ")");
  c_->admin_ops = std::make_unique<LocalAdminOps>(std::move(deps));
  Result<std::unique_ptr<AdminServer>> admin = AdminServer::Start(config_.storage.data_dir, *c_->admin_ops);
  if (!admin.ok()) return Failed("admin socket", std::move(admin).error());
  c_->admin = std::move(*admin);
  return OkStatus();
}

Status Daemon::StartEvents() {
  prometheus::Counter& pruned = prometheus::BuildCounter()
                                    .Name(kMetricEventsPruned)
                                    .Help("Events deleted from the outbox after events.keep_days")
                                    .Register(c_->metrics.registry())
                                    .Add({});
  c_->event_pruner = std::make_unique<EventPruner>(c_->outbox, config_.events.keep_days,
                                                   [counter = &pruned](uint64_t n) { counter->Increment(static_cast<double>(n)); });
  c_->event_pruner->Start();
  std::vector<WebhookEndpoint> endpoints;
  for (const WebhookConfig& w : config_.webhooks) {
    Result<WebhookEndpoint> endpoint = WebhookEndpointFrom(w);
    if (!endpoint.ok()) return Failed("", Error{ErrorCode::kUsage, std::move(endpoint).error().message});
    endpoints.push_back(std::move(*endpoint));
  }
  if (endpoints.empty()) return OkStatus();
  c_->webhook_metrics = std::make_unique<WebhookMetrics>(c_->metrics.registry());
  c_->webhooks = std::make_unique<WebhookDeliverer>(c_->outbox, std::move(endpoints), c_->webhook_metrics.get());
  c_->metrics.AddCollector(
      [webhooks = c_->webhooks.get()] { return WebhookGaugeFamilies(webhooks->States(), NowMsUtc()); });
  c_->webhooks->Start();
  Logf(LogLevel::kInfo, "", "events: %zu webhook endpoint(s), outbox kept %d days", config_.webhooks.size(),
       config_.events.keep_days);
  return OkStatus();
}

Status Daemon::StartSip() {
  SipServerDeps deps;
  deps.media = c_->media.get();
  deps.metrics = &c_->metrics;
  // Issue 7: with site policies the gate admits each INVITE and stamps every snapshot
  // (RET-1, CONSENT-1/2) before it is queued on the store.
  RulesGate* gate = c_->sites.empty() ? nullptr : c_->rules_gate.get();
  deps.snapshots = [store = c_->store.get(), gate](RecordingRecord r) {
    if (gate != nullptr) gate->Stamp(r);
    return store->Enqueue(std::move(r));
  };
  deps.store_healthy = [store = c_->store.get()] { return store->Healthy(); };
  if (gate != nullptr) deps.admit = [gate](const RecordingRecord& r) { return gate->Admit(r); };
  if (c_->key_syncer.has_value()) {  // SEC-1: the file is sealed from its first byte
    KeyFileSyncer* syncer = &*c_->key_syncer;
    deps.create_recording_key = [syncer](const std::string& id) { return syncer->Create(id); };
    deps.drop_recording_key = [syncer](const std::string& id) { syncer->Discard(id); };
    deps.sealed_recording_finished = [access = c_->access.get()] { access->CountSealedRecording(); };
  }
  Result<std::unique_ptr<SipServer>> sip = SipServer::Create(config_, std::move(deps));
  if (!sip.ok()) return Failed("sip.listen", std::move(sip).error());
  c_->sip = std::move(*sip);
  c_->sip_bound.store(true, std::memory_order_release);  // Create() bound the socket
  return OkStatus();
}

Status Daemon::Run() { return c_->sip->Run(); }

void Daemon::RequestStop() {
  if (c_ == nullptr) return;
  c_->sip_bound.store(false, std::memory_order_release);  // lock-free: async-signal-safe
  if (c_->sip != nullptr) c_->sip->RequestStop();
}

Status Daemon::Reload(const Config& next) {
  MutexLock lock(reload_mu_);
  std::vector<std::string> waiting;  // changed settings a running daemon cannot take over
  for (const ConfigChange& change : ChangedSettings(applied_, next)) {
    if (!ReloadableSetting(change.key)) waiting.push_back(change.key);
  }
  if (!waiting.empty()) {
    std::string keys;
    for (const std::string& key : waiting) keys += (keys.empty() ? "" : ", ") + key;
    Logf(LogLevel::kWarn, "", "reload: changed, takes effect after a restart: %s", keys.c_str());
  }

  if (next.log.level != applied_.log.level) {
    SetLogLevel(ParseLogLevel(next.log.level));
    Logf(LogLevel::kInfo, "", "reload: log.level %s -> %s", applied_.log.level.c_str(), next.log.level.c_str());
    applied_.log.level = next.log.level;
  }

  // The site files are read again even when their list is the same: editing a file and
  // sending SIGHUP is how an office changes its rules (new calls, the next sweep).
  Result<SitePolicies> sites = SitePolicies::Load(next.policy.site_files);
  if (!sites.ok()) {
    c_->reloads.Add({{"result", "failed"}}).Increment();
    Logf(LogLevel::kError, "", "reload: %s; the site policies in use stay", sites.error().message.c_str());
    return MakeError(ErrorCode::kInvalidInput, sites.error().message);
  }
  if (sites->empty() != c_->sites.empty()) {
    // The rules gate and the sweeper exist only with sites (StartRules); adding the first
    // site or removing the last is a restart.
    Logf(LogLevel::kWarn, "", "reload: policy.site_files: %s needs a restart; the site policies in use stay",
         sites->empty() ? "removing every site" : "adding sites to a server without any");
  } else {
    c_->sites.Replace(*sites);
    applied_.policy.site_files = next.policy.site_files;
    std::string ids;
    for (const policy::SitePolicy& site : sites->all()) ids += (ids.empty() ? "" : ", ") + site.site_id;
    Logf(LogLevel::kInfo, "", "reload: site policies read again: %s", ids.empty() ? "none" : ids.c_str());
  }
  ReloadMasterKey();
  if (Status tls = ReloadHttpTls(next); !tls.ok()) {
    c_->reloads.Add({{"result", "failed"}}).Increment();
    return tls;
  }
  c_->reloads.Add({{"result", "applied"}}).Increment();
  return OkStatus();
}

void Daemon::ReloadMasterKey() {
  // Issue 15 item 5, SEC-1. The usual rotation goes through the daemon (`kronika key rotate`
  // over the admin socket), after which the file named by KRONIKA_MASTER_KEY_FILE is pointed
  // at the new key: that key is the one in use, nothing to do. A key that is not in use is
  // taken over only if it wraps every recording key on disk (a rotation done without this
  // daemon); any other key would leave recordings unplayable, so the one in use stays.
  if (c_->recording_keys == nullptr) return;  // started without one: a restart turns it on
  const char* file = std::getenv(kMasterKeyEnv);
  if (file == nullptr || *file == '\0') return;
  Result<std::string> kek = LoadMasterKey(file, config_.storage.data_dir);
  if (!kek.ok()) {
    Logf(LogLevel::kError, "", "reload: %s; the master key in use (%s) stays", kek.error().message.c_str(),
         c_->recording_keys->kek_id().c_str());
    return;
  }
  const std::string in_use = c_->recording_keys->kek_id();
  const std::string in_file = RecordingKeys::KekId(*kek);
  if (in_file != in_use) {
    if (Status adopted = c_->recording_keys->Adopt(*kek); adopted.ok()) {
      Logf(LogLevel::kInfo, "", "reload: master key %s -> %s (from %s): every recording key on disk is wrapped by it",
           in_use.c_str(), in_file.c_str(), file);
    } else {
      Logf(LogLevel::kWarn, "", "reload: %s holds master key %s, which is not the one in use (%s): %s; the master "
           "key in use stays (rotate with `kronika key rotate`)", file, in_file.c_str(), in_use.c_str(),
           adopted.error().message.c_str());
    }
  }
  explicit_bzero(kek->data(), kek->size());
}

Status Daemon::ReloadHttpTls(const Config& next) {
  // Issue 15 item 5: the files are read again even when their names are the same (renewing
  // a certificate in place and sending SIGHUP is the usual way); HttpServer compares bytes.
  const HttpTlsFiles started = HttpTlsFilesOf(config_);
  const HttpTlsFiles files = HttpTlsFilesOf(next);
  if (started.certificate.empty() || files.certificate.empty()) {
    if (started.certificate.empty() != files.certificate.empty()) {
      Logf(LogLevel::kWarn, "", "reload: http.tls_cert: %s needs a restart",
           files.certificate.empty() ? "going from HTTPS to plain HTTP" : "going from plain HTTP to HTTPS");
    }
    return OkStatus();
  }
  Result<TlsReloadOutcome> outcome = c_->http->ReloadTls(files.certificate, files.key);
  if (!outcome.ok()) {
    Logf(LogLevel::kError, "", "reload: %s; the HTTPS certificate in use stays", outcome.error().message.c_str());
    return MakeError(ErrorCode::kInvalidInput, outcome.error().message);
  }
  applied_.http.tls_cert = next.http.tls_cert;
  applied_.http.tls_key = next.http.tls_key;
  if (outcome->changed) {
    Logf(LogLevel::kInfo, "", "reload: http TLS certificate reloaded from %s: subject %s, not after %s",
         files.certificate.c_str(), outcome->subject.c_str(), outcome->not_after.c_str());
  }
  return OkStatus();
}

void Daemon::ReloadFailed(std::string_view why) {
  c_->reloads.Add({{"result", "failed"}}).Increment();
  Logf(LogLevel::kError, "", "reload: %.*s; nothing changed", static_cast<int>(why.size()), why.data());
}

void Daemon::Stop() {
  if (c_ == nullptr) return;
  if (c_->notified_ready) {  // systemd: stopping; the components' shutdown follows
    sd_notify(0, "STOPPING=1");
    c_->notified_ready = false;
    EmitNodeEvent("node.draining");  // the node takes no new calls from here on
  }
  c_->sip_bound.store(false, std::memory_order_release);
  c_->sip.reset();  // 6. SIP stack gone: no new work for media or store
  if (c_->webhooks != nullptr) c_->webhooks->Stop();  // 5b. a POST under way is abandoned (sent again at start)
  if (c_->event_pruner != nullptr) c_->event_pruner->Stop();
  c_->admin.reset();  // 5. a CLI request in progress finishes first
  c_->admin_ops.reset();
  if (c_->http != nullptr) c_->http->Stop();  // 5. handlers borrow the store and the access module
  c_->http.reset();
  c_->access.reset();  // its encryption thread stops before the media and the store go
  c_->media.reset();   // 4. finishes every open file
  if (c_->sweeper != nullptr) c_->sweeper->Stop();  // 3. no deletion while the store shuts down
  c_->sweeper.reset();
  c_->rules_gate.reset();
  c_->rules_metrics.reset();
  c_->rules_db.reset();
  c_->key_syncer.reset();  // 2. queued key files written and synced
  c_->recording_keys.reset();
  if (c_->store != nullptr) {  // 1. last: everything queued is committed
    if (Status flushed = c_->store->Flush(); !flushed.ok()) {
      Logf(LogLevel::kError, "", "store: final flush failed: %s", flushed.error().message.c_str());
    }
    c_->store.reset();
  }
  c_->webhooks.reset();  // the metrics collector that reads them goes with `metrics`, last
  c_->event_pruner.reset();
  c_->outbox.reset();
  c_->database.reset();
  c_->lock.reset();  // the data directory is free for the next owner
}

}  // namespace kronika::srs
