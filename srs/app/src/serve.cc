// `kronika serve`: load and check the configuration, start the Daemon (store, keys, rules,
// media engine, HTTP API, SIP UAS), run until SIGINT/SIGTERM, then stop it in the reverse
// order (SIP sessions ended, media files finished, store flushed).
#include "serve.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "kronika/srs/app/daemon.h"
#include "kronika/srs/config/config.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/core/version.h"

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

  Daemon daemon(std::move(config));
  if (Status started = daemon.Start(); !started.ok()) {  // logged by the daemon
    return started.error().code == ErrorCode::kUsage ? kExitUsage : kExitRuntime;
  }

  std::thread signal_waiter([&stop_signals, &daemon] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    Logf(LogLevel::kInfo, "", "received %s, stopping", strsignal(signal_number));
    daemon.RequestStop();
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
