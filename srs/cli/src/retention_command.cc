// kronika retention sweep|delete|log (RET-3, RET-4). See rules_commands.h.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "kronika/policy/retention.h"
#include "kronika/srs/cli/rules_commands.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/utc_time.h"
#include "kronika/srs/rules/retention_sweeper.h"
#include "rules_command.h"

namespace kronika::srs {
namespace {

int Fail(const std::string& message, int code = kExitFailed) {
  std::fprintf(stderr, "kronika retention: %s\n", message.c_str());
  return code;
}

void PrintLog(const std::vector<DeletionLogEntry>& log, const policy::SitePolicy* site, bool json) {
  if (!json) {
    for (const DeletionLogEntry& e : log) {
      std::printf("%s  %s  %s  by %s  (%s)\n", FormatBoth(e.deleted_at_ms_utc, site).c_str(), e.recording_id.c_str(),
                  e.cause.c_str(), e.by.c_str(), e.reason.c_str());
    }
    return;
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const DeletionLogEntry& e : log) {
    rows.push_back({{"seq", e.seq},
                    {"recording_id", e.recording_id},
                    {"cause", e.cause},
                    {"by", e.by},
                    {"reason", e.reason},
                    {"decided_at_utc", FormatUtcTime(e.decided_at_ms_utc, true)},
                    {"deleted_at_utc", FormatUtcTime(e.deleted_at_ms_utc, true)},
                    {"site", e.site},
                    {"start_utc", FormatUtcTime(e.start_ms_utc, true)},
                    {"file_bytes", e.file_bytes}});
  }
  std::cout << DumpJson(nlohmann::json{{"count", log.size()}, {"deletions", std::move(rows)}}, 2) << "\n";
}

}  // namespace

int RunRetentionCommand(int argc, char** argv) {
  CLI::App app{
      "Retention. sweep deletes expired recordings not under legal hold now (the daemon also\n"
      "sweeps every policy.sweep_interval_s); it refuses when the clock is not believable\n"
      "unless --confirm-clock. delete is early deletion on a named person's request.",
      "kronika retention"};
  RulesOptions common;
  app.require_subcommand(1);

  std::string now_text;
  bool confirm_clock = false;
  CLI::App* sweep = app.add_subcommand("sweep", "delete expired recordings now");
  sweep->add_option("--now", now_text, "sweep as if it were TIME (default: the clock)")->check(UtcTimeValidator());
  sweep->add_flag("--confirm-clock", confirm_clock, "sweep even when the clock looks wrong");

  std::string id, by, reason;
  CLI::App* del = app.add_subcommand("delete", "delete one recording early, on a named person's request");
  del->add_option("ID", id, "recording ID")->required();
  del->add_option("--by", by, "who requested it")->required();
  del->add_option("--reason", reason, "why")->required();

  size_t limit = 50;
  bool json = false;
  CLI::App* log = app.add_subcommand("log", "the deletion log, newest first");
  log->add_option("--limit", limit, "at most N entries")->capture_default_str()->check(CLI::Range(size_t{1}, size_t{1000000}));
  log->add_flag("--json", json, "JSON: {count, deletions: [...]}");

  AddRulesOptions(app, common);
  if (std::optional<int> exit = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *exit;
  Result<RulesCommand> opened = OpenRulesCommand(common, "retention", !*log);
  if (!opened.ok()) return Fail(opened.error().message, OpenFailureExit(opened.error()));
  RulesCommand& command = *opened;
  RulesDb* db = command.db;
  if (*log) {
    PrintLog(db->DeletionLog(limit), command.site(), json);
    return kExitOk;
  }
  if (*sweep) {
    const int64_t now = now_text.empty() ? NowMsUtc() : *ParseUtcTime(now_text);  // checked by the validator
    Result<SweepReport> report = command.data->ops().Sweep(now, confirm_clock);
    if (!report.ok()) return Fail(report.error().message);
    std::printf("%s\n", report->text.c_str());
    for (const std::string& q : report->quota_texts) std::printf("%s\n", q.c_str());
    std::printf("deleted %zu expired, kept %zu on hold, evicted %zu (quota)\n", report->deleted, report->kept_on_hold,
                report->evicted);
    return report->refused ? kExitFailed : kExitOk;
  }
  const policy::DeletionRequest request{by, reason, NowMsUtc()};
  if (Status s = command.data->ops().DeleteEarly(id, request); !s.ok()) {
    return Fail(s.error().message);
  }
  std::printf("deleted %s (early deletion requested by %s)\n", id.c_str(), request.requested_by.c_str());
  return kExitOk;
}

}  // namespace kronika::srs
