// `kronika serve`: load and check the configuration, start the Daemon (store, keys, rules,
// media engine, HTTP API, SIP UAS), run until SIGINT/SIGTERM, then stop it in the reverse
// order (SIP sessions ended, media files finished, store flushed). SIGHUP reloads the
// configuration (Daemon::Reload) and the daemon goes on.
#include "serve.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <utility>

#include "kronika/srs/app/daemon.h"
#include "kronika/srs/config/config.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/core/version.h"
#include "kronika/thread_boundary.h"

namespace kronika::srs {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

struct ServeArgs {
  std::string config_file;
  ConfigOverrides overrides;
  bool check_config = false;
  bool version = false;
};

// The command line of `kronika serve`, strict: unknown options, missing or repeated values
// are usage errors naming the option. The values themselves are checked by
// ApplyOverrides/ValidateConfig under their option names.
void DefineServeOptions(CLI::App& app, ServeArgs& args) {
  app.add_option("--config", args.config_file,
                 "configuration file (default: $KRONIKA_CONFIG, else /etc/kronika/kronika.toml when it "
                 "exists, else the built-in defaults that config/kronika.toml documents)")
      ->type_name("FILE");
  app.add_option("--data-dir", args.overrides.data_dir, "storage.data_dir")->type_name("DIR");
  app.add_option("--sip", args.overrides.sip, "sip.listen")->type_name("ADDR:PORT");
  app.add_option("--http", args.overrides.http, "http.listen")->type_name("ADDR:PORT");
  app.add_option("--rtp-ports", args.overrides.rtp_ports, "media.rtp_port_min and _max")->type_name("MIN-MAX");
  app.add_option("--log-level", args.overrides.log_level, "log.level")
      ->type_name("error|warn|info|debug")
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}));
  app.add_flag("--check-config", args.check_config,
               "print the effective configuration and exit (0 valid, 2 invalid)");
  app.add_flag("--version", args.version, "print the version");
}

void RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;  // two RTP sockets per recording (platform facts)
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// SIGHUP: the configuration is found again as at start (the same --config, KRONIKA_CONFIG or
// /etc/kronika/kronika.toml, the same command-line overrides) and handed to the daemon.
void ReloadConfiguration(const ServeArgs& args, Daemon& daemon) {
  Result<FoundConfig> found = FindConfig(args.config_file);
  if (!found.ok()) return daemon.ReloadFailed(found.error().message);
  Config next = std::move(found->config);
  if (Status s = ApplyOverrides(args.overrides, next); !s.ok()) return daemon.ReloadFailed(s.error().message);
  const std::vector<std::string> problems = ConfigProblems(next);
  if (!problems.empty()) {
    std::string why;
    for (const std::string& problem : problems) why += (why.empty() ? "" : "; ") + problem;
    return daemon.ReloadFailed(why);
  }
  Logf(LogLevel::kInfo, "", "reload: configuration from %s", found->Describe().c_str());
  (void)daemon.Reload(next);  // logged and counted by the daemon
}

}  // namespace

int RunServeCommand(int argc, char** argv) {
  CLI::App app{"Run the SIPREC recording server. The options override the configuration file.",
               "kronika serve"};
  ServeArgs args;
  DefineServeOptions(app, args);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "kronika serve: %s\nrun 'kronika serve --help' for the options\n", e.what());
    return kExitUsage;
  }
  if (args.version) {
    std::printf("kronika %s\n", kKronikaVersion);
    return kExitOk;
  }

  Result<FoundConfig> found = FindConfig(args.config_file);
  if (!found.ok()) {
    std::fprintf(stderr, "kronika: %s\n", found.error().message.c_str());
    return kExitUsage;
  }
  Config config = std::move(found->config);
  if (Status s = ApplyOverrides(args.overrides, config); !s.ok()) {
    std::fprintf(stderr, "kronika serve: %s\n", s.error().message.c_str());
    return kExitUsage;
  }
  const std::vector<std::string> problems = ConfigProblems(config);
  if (args.check_config) {
    std::fprintf(stderr, "kronika: configuration from %s\n", found->Describe().c_str());
    std::fputs(FormatConfig(config).c_str(), stdout);
    for (const std::string& problem : problems) std::fprintf(stderr, "kronika: %s\n", problem.c_str());
    return problems.empty() ? kExitOk : kExitUsage;
  }
  if (!problems.empty()) {
    for (const std::string& problem : problems) std::fprintf(stderr, "kronika: %s\n", problem.c_str());
    return kExitUsage;
  }
  SetLogLevel(ParseLogLevel(config.log.level));
  Logf(LogLevel::kInfo, "", "configuration from %s", found->Describe().c_str());
  // A fault caught at a thread's boundary is an error line of the daemon's log.
  ThreadFaults::Process().SetLogSink([](std::string_view line) { Log(LogLevel::kError, "", line); });

  // Signals go to one waiting thread, never interrupt the SIP or media threads. SIGHUP
  // must be blocked too: its default action ends the process (exit 129, no BYE, a .part left).
  sigset_t handled_signals;
  sigemptyset(&handled_signals);
  sigaddset(&handled_signals, SIGINT);
  sigaddset(&handled_signals, SIGTERM);
  sigaddset(&handled_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &handled_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  RaiseFileLimit();

  Daemon daemon(std::move(config));
  if (Status started = daemon.Start(); !started.ok()) {  // logged by the daemon
    return started.error().code == ErrorCode::kUsage ? kExitUsage : kExitRuntime;
  }

  std::thread signal_waiter([&handled_signals, &daemon, &args] {
    NameCurrentThread("kr-signals");
    for (;;) {
      int signal_number = 0;
      sigwait(&handled_signals, &signal_number);
      if (signal_number == SIGHUP) {
        Log(LogLevel::kInfo, "", "received SIGHUP, reloading the configuration");
        // The boundary (issue 13 item 4): a reload that throws is counted, the daemon goes on.
        RunGuarded("kr-signals", FaultEffect::kRecovered, [&] { ReloadConfiguration(args, daemon); });
        continue;
      }
      Logf(LogLevel::kInfo, "", "received %s, stopping", strsignal(signal_number));
      daemon.RequestStop();
      return;
    }
  });

  Status run = daemon.Run();

  // Wake the signal thread if Run() ended without a signal.
  pthread_kill(signal_waiter.native_handle(), SIGTERM);
  signal_waiter.join();

  daemon.Stop();  // SIP, HTTP, media, rules, keys, store: the reverse of the start order
  Log(LogLevel::kInfo, "", "kronika stopped");
  return run.ok() ? kExitOk : kExitRuntime;
}

}  // namespace kronika::srs
