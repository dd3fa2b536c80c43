// kronika retention sweep|delete|log (RET-3, RET-4). See rules_commands.h.
#include <charconv>
#include <cstdio>
#include <unordered_map>

#include "kronika/policy/retention.h"
#include "kronika/srs/cli/rules_commands.h"
#include "kronika/srs/core/utc_time.h"
#include "kronika/srs/rules/retention_sweeper.h"
#include "rules_command.h"

namespace kronika::srs {
namespace {

constexpr char kRetentionUsage[] =
    "usage: kronika retention sweep [--now TIME] [--confirm-clock]\n"
    "       kronika retention delete ID --by WHO --reason TEXT\n"
    "       kronika retention log [--limit N]\n"
    "  common: --config FILE | --data-dir DIR [--site FILE ...]\n"
    "  sweep deletes expired recordings not under legal hold now (the daemon also sweeps\n"
    "  every policy.sweep_interval_s); it refuses when the clock is not believable unless\n"
    "  --confirm-clock. delete is early deletion on a named person's request (RET-4).\n";

int Fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "kronika retention: %s\n", message.c_str());
  return code;
}

}  // namespace

int RunRetentionCommand(int argc, char** argv) {
  std::variant<RulesCommand, int> started =
      StartRulesCommand("retention", kRetentionUsage, argc, argv, {"config", "data-dir", "site", "by", "reason", "now", "limit"}, {"confirm-clock"}, 1, 99);
  if (const int* exit_code = std::get_if<int>(&started)) return *exit_code;
  RulesCommand& command = std::get<RulesCommand>(started);
  const CliArgs& args = command.args;
  RulesCliContext& ctx = command.ctx;
  RulesDb* db = command.db.get();
  const policy::SitePolicy* site = command.site;
  const std::string& verb = args.positional[0];
  if (verb == "log") {
    const std::string limit_text = args.Get("limit").value_or("50");
    size_t limit = 0;
    const auto [end, ec] = std::from_chars(limit_text.data(), limit_text.data() + limit_text.size(), limit);
    if (ec != std::errc() || end != limit_text.data() + limit_text.size()) {
      std::fprintf(stderr, "kronika retention log: --limit must be a whole number, not \"%s\"\n",
                   limit_text.c_str());
      return 2;
    }
    for (const DeletionLogEntry& e : db->DeletionLog(limit)) {
      std::printf("%s  %s  %s  by %s  (%s)\n", FormatBoth(e.deleted_at_ms_utc, site).c_str(), e.recording_id.c_str(),
                  e.cause.c_str(), e.by.c_str(), e.reason.c_str());
    }
    return 0;
  }
  if (verb == "sweep") {
    int64_t now = NowMsUtc();
    if (auto text = args.Get("now")) {
      Result<int64_t> t = ParseUtcTime(*text);
      if (!t.ok()) return Fail(t.error().message, 2);
      now = *t;
    }
    Result<std::unique_ptr<Store>> store = OpenStore(ctx, true);
    if (!store.ok()) return Fail(store.error().message);
    RetentionSweeper sweeper(store->get(), db, &ctx.sites, nullptr,
                             SweepOptions{ctx.data_dir, ctx.overwrite, 1000});
    Result<SweepReport> report = sweeper.SweepOnce(now, std::nullopt, args.Has("confirm-clock"));
    if (!report.ok()) return Fail(report.error().message);
    std::printf("%s\n", report->text.c_str());
    for (const std::string& q : report->quota_texts) std::printf("%s\n", q.c_str());
    std::printf("deleted %zu expired, kept %zu on hold, evicted %zu (quota)\n", report->deleted, report->kept_on_hold,
                report->evicted);
    return report->refused ? 1 : 0;
  }
  if (verb == "delete") {
    if (args.positional.size() != 2) return Fail(kRetentionUsage, 2);
    Result<std::unique_ptr<Store>> store = OpenStore(ctx, true);
    if (!store.ok()) return Fail(store.error().message);
    const policy::DeletionRequest request{args.Get("by").value_or(""), args.Get("reason").value_or(""), NowMsUtc()};
    if (Status s = DeleteEarly(**store, *db, args.positional[1], request,
                               DeleteOptions{ctx.data_dir, ctx.overwrite, true});
        !s.ok()) {
      return Fail(s.error().message);
    }
    std::printf("deleted %s (early deletion requested by %s, RET-4)\n", args.positional[1].c_str(),
                request.requested_by.c_str());
    return 0;
  }
  return Fail("unknown subcommand '" + verb + "'\n" + kRetentionUsage, 2);
}

}  // namespace kronika::srs
