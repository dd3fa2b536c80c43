// `kronika serve`: load and check the configuration, start store, media engine, HTTP API
// and the SIP UAS, run until SIGINT/SIGTERM, then shut down in order (SIP sessions ended,
// media files finished, store flushed).
#include "serve.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "access_keys.h"
#include "crash_recovery.h"
#include "disk_metrics.h"
#include "kronika/media/media_engine.h"
#include "kronika/srs/cli.h"
#include "kronika/srs/access_api.h"
#include "kronika/srs/config.h"
#include "kronika/srs/http_server.h"
#include "kronika/srs/log.h"
#include "kronika/srs/metrics.h"
#include "store_metrics.h"
#include "kronika/srs/recording_api.h"
#include "kronika/srs/sip_server.h"
#include "kronika/srs/store.h"
#include "media_metrics.h"
#include "policy_db.h"
#include "policy_delete.h"
#include "policy_gate.h"
#include "policy_metrics.h"
#include "retention_sweeper.h"
#include "site_config.h"

namespace kronika::srs {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

constexpr char kServeUsage[] =
    "usage: kronika serve [--config FILE] [--data-dir DIR] [--sip ADDR:PORT] [--http ADDR:PORT]\n"
    "                     [--rtp-ports MIN-MAX] [--log-level error|warn|info|debug] [--check-config]\n"
    "                     [--version] [--help]\n"
    "\n"
    "Runs the SIPREC recording server. Without --config the built-in defaults apply\n"
    "(config/kronika.toml documents them); the options above override the file.\n"
    "  --check-config   print the effective configuration and exit (0 valid, 2 invalid)\n";

struct ServeArgs {
  std::string config_file;
  ConfigOverrides overrides;
  bool check_config = false;
  bool help = false;
  bool version = false;
};

std::optional<ServeArgs> ParseServeArgs(int argc, char** argv, std::string& error) {
  ServeArgs args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string& out) {
      const size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        out = arg.substr(eq + 1);
        return true;
      }
      if (i + 1 >= argc) {
        error = arg + ": missing value";
        return false;
      }
      out = argv[++i];
      return true;
    };
    const std::string name = arg.substr(0, arg.find('='));
    bool ok = true;
    if (name == "--config") {
      ok = value(args.config_file);
    } else if (name == "--data-dir") {
      ok = value(args.overrides.data_dir);
    } else if (name == "--sip") {
      ok = value(args.overrides.sip);
    } else if (name == "--http") {
      ok = value(args.overrides.http);
    } else if (name == "--rtp-ports") {
      ok = value(args.overrides.rtp_ports);
    } else if (name == "--log-level") {
      ok = value(args.overrides.log_level);
    } else if (arg == "--check-config") {
      args.check_config = true;
    } else if (arg == "--help" || arg == "-h") {
      args.help = true;
    } else if (arg == "--version") {
      args.version = true;
    } else {
      error = "unknown option '" + arg + "'";
      return std::nullopt;
    }
    if (!ok) return std::nullopt;
  }
  return args;
}

void RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;  // two RTP sockets per recording (platform facts)
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

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
  m.recordings_dir = config.RecordingsDir();
  m.min_free_disk_bytes = static_cast<uint64_t>(config.media.min_free_disk_mb) << 20;
  return m;
}

// Recordings cut off by a crash: their files were repaired by the media engine; their
// store records (still "active") become "interrupted".
void MarkInterrupted(Store& store, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    Result<std::optional<RecordingRecord>> record = store.Get(id);
    if (!record.ok() || !record->has_value()) continue;
    RecordingRecord r = std::move(**record);
    if (r.state != RecordingState::kActive) continue;
    r.state = RecordingState::kInterrupted;
    r.timeline.push_back(TimelineEvent{r.end_ms_utc, "interrupted", "server stopped unexpectedly; file repaired at start"});
    store.Enqueue(std::move(r));
  }
}

}  // namespace

int RunServeCommand(int argc, char** argv) {
  std::string error;
  std::optional<ServeArgs> args = ParseServeArgs(argc, argv, error);
  if (!args) {
    std::fprintf(stderr, "kronika serve: %s\n%s", error.c_str(), kServeUsage);
    return kExitUsage;
  }
  if (args->help) {
    std::fputs(kServeUsage, stdout);
    return kExitOk;
  }
  if (args->version) {
    std::printf("kronika %s\n", kKronikaVersion);
    return kExitOk;
  }

  Config config;
  if (!args->config_file.empty()) {
    Result<Config> loaded = LoadConfigFile(args->config_file);
    if (!loaded.ok()) {
      std::fprintf(stderr, "kronika: %s\n", loaded.error().message.c_str());
      return kExitUsage;
    }
    config = std::move(*loaded);
  }
  if (Status s = ApplyOverrides(args->overrides, config); !s.ok()) {
    std::fprintf(stderr, "kronika serve: %s\n", s.error().message.c_str());
    return kExitUsage;
  }
  const std::vector<std::string> problems = ConfigProblems(config);
  if (args->check_config) {
    std::fputs(FormatConfig(config).c_str(), stdout);
    for (const std::string& problem : problems) std::fprintf(stderr, "kronika: %s\n", problem.c_str());
    return problems.empty() ? kExitOk : kExitUsage;
  }
  if (!problems.empty()) {
    for (const std::string& problem : problems) std::fprintf(stderr, "kronika: %s\n", problem.c_str());
    return kExitUsage;
  }
  SetLogLevel(ParseLogLevel(config.log.level));

  // Signals go to one waiting thread, never interrupt the SIP or media threads.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  RaiseFileLimit();

  std::error_code ec;
  std::filesystem::create_directories(config.RecordingsDir(), ec);
  if (!ec) std::filesystem::create_directories(config.DatabaseDir(), ec);
  if (ec) {
    Logf(LogLevel::kError, "", "storage.data_dir: cannot create %s: %s", config.storage.data_dir.c_str(),
         ec.message().c_str());
    return kExitRuntime;
  }

  StoreOptions store_options;
  store_options.map_size_bytes = static_cast<uint64_t>(config.storage.lmdb_map_size_mb) << 20;
  Result<std::unique_ptr<Store>> store = Store::Open(StoreDir(config.storage.data_dir), store_options);
  if (!store.ok()) {
    Logf(LogLevel::kError, "", "store: %s", store.error().message.c_str());
    return kExitRuntime;
  }

  // SEC-1: with a master key every recording is sealed while it is recorded under its own
  // data key; the same keys repair sealed .part files after a crash.
  Result<std::unique_ptr<RecordingKeys>> at_rest = OpenRecordingKeys(config.storage.data_dir);
  if (!at_rest.ok()) {
    Logf(LogLevel::kError, "", "access: %s", at_rest.error().message.c_str());
    return kExitRuntime;
  }
  RecordingKeys* const recording_keys = at_rest->get();
  const media::MediaConfig media_config = MediaConfigFrom(config);
  const std::vector<std::string> recovered = RecoverInterruptedRecordings(media_config, recording_keys);
  if (!recovered.empty()) {
    Logf(LogLevel::kWarn, "", "media: repaired %zu recordings interrupted by a crash", recovered.size());
    MarkInterrupted(**store, recovered);
  }
  Result<std::unique_ptr<media::MediaEngine>> media = media::MediaEngine::Start(media_config);
  if (!media.ok()) {
    Logf(LogLevel::kError, "", "media: %s", media.error().message.c_str());
    return kExitRuntime;
  }

  Metrics metrics;
  media::MediaEngine* media_engine = media->get();
  metrics.AddCollector([media_engine] { return MediaFamilies(media_engine->Stats()); });
  metrics.AddCollector([dir = config.RecordingsDir()] { return DiskFamilies(dir); });
  metrics.AddCollector([store_ptr = store->get()] { return StoreFamilies(*store_ptr); });

  const HostPort http_listen = *ParseHostPort(config.http.listen);
  HttpServerOptions http_options;
  http_options.listen_address = http_listen.host;
  http_options.port = http_listen.port;
  // Access module (issue 8): HTTPS when http.tls_cert (or KRONIKA_HTTP_TLS_CERT, which wins)
  // names a PEM with the cert chain and the key, or the key in http.tls_key /
  // KRONIKA_HTTP_TLS_KEY; SEC-1, docs/api.md "HTTPS".
  http_options.tls_certificate = config.http.tls_cert;
  http_options.tls_private_key = config.http.tls_key;
  if (const char* cert = std::getenv("KRONIKA_HTTP_TLS_CERT"); cert && *cert) http_options.tls_certificate = cert;
  if (const char* key = std::getenv("KRONIKA_HTTP_TLS_KEY"); key && *key) http_options.tls_private_key = key;
  HttpServer http(http_options);
  RegisterRecordingApi(http, **store);
  AccessOptions access_options;
  access_options.data_dir = config.storage.data_dir;
  // Issue 7: the access DELETE asks the policy db (legal holds, RET-2; logged, RET-4) and
  // tells the quota usage (RET-5); both open below, before SIP starts.
  std::atomic<PolicyDb*> access_policy_db{nullptr};
  std::atomic<PolicyGate*> access_policy_gate{nullptr};
  access_options.deletion_guard = [&access_policy_db](const RecordingRecord& r, std::string_view by,
                                                      std::string_view reason) -> Status {
    PolicyDb* db = access_policy_db.load();
    if (db == nullptr) return MakeError(503, "policy: database not open yet");
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    return AuthorizeEarlyDeletion(*db, r, by, reason, now_ms);
  };
  access_options.on_destroyed = [&access_policy_gate](const RecordingRecord& r) {
    if (PolicyGate* gate = access_policy_gate.load()) gate->OnDeleted(r.site, r.file_bytes);
  };
  Result<std::unique_ptr<AccessContext>> access = AccessContext::Open(access_options, **store, &metrics);
  if (!access.ok()) {
    Logf(LogLevel::kError, "", "access: %s", access.error().message.c_str());
    return kExitRuntime;
  }
  MountAccessApi(http, **access);
  http.Route("GET", "/metrics", [&metrics](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics.Render();
    return response;
  });
  if (Status s = http.Start(); !s.ok()) {
    Logf(LogLevel::kError, "", "http.listen: %s", s.error().message.c_str());
    return kExitRuntime;
  }

  // Recording policy (issue 7): site files, policy db, INVITE gate, retention sweeper.
  Result<SitePolicies> sites = SitePolicies::Load(config.policy.site_files);
  if (!sites.ok()) {
    Logf(LogLevel::kError, "", "%s", sites.error().message.c_str());
    http.Stop();
    return kExitUsage;
  }
  Result<std::unique_ptr<PolicyDb>> policy_db = PolicyDb::Open(config.storage.data_dir);
  if (!policy_db.ok()) {
    Logf(LogLevel::kError, "", "%s", policy_db.error().message.c_str());
    http.Stop();
    return kExitRuntime;
  }
  PolicyMetrics policy_metrics(metrics.registry());
  PolicyGate policy_gate(&*sites, config.site.name, policy_db->get(), &policy_metrics, config.media.bind_ip);
  RetentionSweeper sweeper(store->get(), policy_db->get(), &*sites, &policy_metrics,
                           SweepOptions{config.storage.data_dir, config.policy.overwrite_on_delete, 1000},
                           [&policy_gate](const std::string& site, const policy::QuotaPlan& plan) {
                             policy_gate.SetQuotaPlan(site, plan);
                           });
  policy_gate.SetEvictWaker([&sweeper] { sweeper.Wake(); });  // RET-5: evict at once at the limit
  access_policy_db = policy_db->get();
  access_policy_gate = &policy_gate;
  if (!sites->empty()) sweeper.Start(std::chrono::seconds(config.policy.sweep_interval_s));

  SipServerDeps deps;
  deps.media = media_engine;
  deps.store = store->get();
  std::optional<KeyFileSyncer> key_syncer;  // SEC-1: no fsync on the SIP thread
  if (recording_keys != nullptr) {  // SEC-1: the file is sealed from its first byte
    KeyFileSyncer* syncer = &key_syncer.emplace(*recording_keys);
    deps.create_recording_key = [syncer](const std::string& id) { return syncer->Create(id); };
    deps.drop_recording_key = [syncer](const std::string& id) { syncer->Discard(id); };
    deps.sealed_recording_finished = [access_context = access->get()] { access_context->CountSealedRecording(); };
  }
  deps.metrics = &metrics;
  deps.policy = sites->empty() ? nullptr : &policy_gate;
  Result<std::unique_ptr<SipServer>> sip = SipServer::Create(config, deps);
  if (!sip.ok()) {
    Logf(LogLevel::kError, "", "sip.listen: %s", sip.error().message.c_str());
    http.Stop();
    return kExitRuntime;
  }
  SipServer* sip_server = sip->get();

  std::thread signal_waiter([&stop_signals, sip_server] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    Logf(LogLevel::kInfo, "", "received %s, stopping", strsignal(signal_number));
    sip_server->RequestStop();
  });

  Logf(LogLevel::kInfo, "", "kronika serving: SIP %s, HTTP %s, RTP %d-%d, data %s", config.sip.listen.c_str(),
       config.http.listen.c_str(), config.media.rtp_port_min, config.media.rtp_port_max,
       config.storage.data_dir.c_str());
  Status run = sip_server->Run();

  // Wake the signal thread if Run() ended without a signal.
  pthread_kill(signal_waiter.native_handle(), SIGTERM);
  signal_waiter.join();

  sip->reset();  // SIP stack gone: no new work for media or store
  sweeper.Stop();  // issue 7: no deletion while the store shuts down
  http.Stop();   // handlers borrow the store and the media engine
  access->reset();  // access handlers are gone; stop its encryption thread before the store
  media->reset();  // finishes every open file
  if (Status flushed = (*store)->Flush(); !flushed.ok()) {
    Logf(LogLevel::kError, "", "store: final flush failed: %s", flushed.error().message.c_str());
  }
  store->reset();
  Log(LogLevel::kInfo, "", "kronika stopped");
  return run.ok() ? kExitOk : kExitRuntime;
}

}  // namespace kronika::srs
