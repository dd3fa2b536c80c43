// kronika events (see events_command.h).
#include "kronika/srs/cli/events_command.h"

#include <signal.h>
#include <time.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_common.h"
#include "kronika/policy/time_zone.h"
#include "kronika/srs/core/event.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/store/database.h"
#include "kronika/srs/store/event_outbox.h"

namespace kronika::srs {
namespace {

constexpr size_t kDefaultLimit = 100;
constexpr size_t kMaxLimit = 1000;
constexpr std::chrono::milliseconds kFollowInterval{200};  // how often --follow reads the outbox
// A read-only handle appends nothing; the outbox still wants a node name.
constexpr char kReaderNode[] = "kronika-events";

volatile std::sig_atomic_t g_stop = 0;  // set by SIGINT/SIGTERM while --follow runs

void OnStopSignal(int) { g_stop = 1; }

// SIGINT and SIGTERM end --follow's loop (exit 0) instead of the process; no SA_RESTART,
// so the wait between reads ends at once.
void CatchStopSignals() {
  struct sigaction action = {};
  action.sa_handler = &OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void SleepUnlessStopped(std::chrono::milliseconds interval) {
  timespec t{};
  t.tv_sec = static_cast<time_t>(interval.count() / 1000);
  t.tv_nsec = static_cast<long>(interval.count() % 1000) * 1000000L;
  if (g_stop == 0) nanosleep(&t, nullptr);  // a signal ends it early
}

void PrintEvent(const Event& e, bool json, const policy::TimeZone& zone, std::ostream& out) {
  if (json) {
    out << DumpJson(EventJson(e, /*with_personal=*/true)) << "\n";
    return;
  }
  char line[256];
  std::snprintf(line, sizeof line, "%-23s  %8llu  %-21s  %s\n", zone.FormatHuman(e.time_ms_utc).c_str(),
                static_cast<unsigned long long>(e.seq), e.type.c_str(),
                e.recording_id.empty() ? "-" : e.recording_id.c_str());
  out << line;
}

}  // namespace

int RunEventsCommand(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"Print the events of the outbox (read-only: runs beside the daemon).", "kronika events"};
  DataOptions data;
  uint64_t after = 0;
  size_t limit = kDefaultLimit;
  bool follow = false, json = false;
  app.add_option("--after", after, "only events with a sequence above SEQ (default 0: from the first)")
      ->type_name("SEQ");
  app.add_option("--limit", limit, "at most N events (1..1000, default 100); with --follow, N per read")
      ->type_name("N")
      ->check(CLI::Range(size_t{1}, kMaxLimit));
  app.add_flag("--follow", follow, "then print each new event as it is committed, until SIGINT/SIGTERM");
  app.add_flag("--json", json, "one JSON object per line (JSON Lines, docs/api.md \"Events\")");
  app.footer("times: Europe/Warsaw. exit: 0 events (or --follow stopped), 1 no events, 2 error");
  AddDataOptions(app, data);
  if (std::optional<int> exit = ParseCommandLine(app, argc, argv, out, err)) return *exit;

  Result<FoundConfig> found = LoadExistingData(data);
  if (!found.ok()) {
    err << "kronika events: " << found.error().message << "\n";
    return OpenFailureExit(found.error());
  }
  DatabaseOptions options;
  options.read_only = true;
  Result<std::shared_ptr<Database>> db = Database::Open(found->config.DatabaseDir(), options);
  Result<std::shared_ptr<EventOutbox>> outbox =
      db.ok() ? EventOutbox::Open(*db, kReaderNode) : Result<std::shared_ptr<EventOutbox>>(db.error());
  if (!outbox.ok()) {
    err << "kronika events: " << outbox.error().message << "\n";
    return OpenFailureExit(outbox.error());
  }
  const policy::TimeZone zone = policy::TimeZone::EuropeWarsaw();
  if (follow) CatchStopSignals();
  size_t printed = 0;
  for (;;) {
    Result<std::vector<Event>> events = (*outbox)->ReadAfter(after, limit);
    if (!events.ok()) {
      err << "kronika events: " << events.error().message << "\n";
      return kExitFailed;
    }
    for (const Event& e : *events) {
      PrintEvent(e, json, zone, out);
      after = e.seq;
    }
    printed += events->size();
    out.flush();  // a script reading a pipe sees each event now
    if (!follow || g_stop != 0) break;
    if (events->size() == limit) continue;  // more waiting: read on at once
    SleepUnlessStopped(kFollowInterval);
    if (g_stop != 0) break;
  }
  if (follow) return kExitOk;
  if (printed == 0) err << "kronika events: no events after " << after << "\n";
  return printed == 0 ? kExitFailed : kExitOk;
}

int RunEventsCommand(int argc, char** argv) { return RunEventsCommand(argc, argv, std::cout, std::cerr); }

}  // namespace kronika::srs
