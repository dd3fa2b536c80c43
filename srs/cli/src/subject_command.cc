// kronika subject find|erase|restrict|unrestrict (RIGHTS-1..3). See rules_commands.h.
#include <cstdio>
#include <map>
#include <unordered_map>

#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/access_playback.h"
#include "kronika/srs/cli/rules_commands.h"
#include "rules_command.h"

namespace kronika::srs {
namespace {

constexpr char kSubjectUsage[] =
    "usage: kronika subject find NUMBER\n"
    "       kronika subject erase NUMBER --by WHO --reason TEXT\n"
    "       kronika subject restrict NUMBER --by WHO --reason TEXT\n"
    "       kronika subject unrestrict NUMBER --by WHO --reason TEXT\n"
    "  common: --config FILE | --data-dir DIR [--site FILE ...]\n"
    "  erase deletes every recording of the number except those under legal hold (listed\n"
    "  with their cases); restrict keeps recordings but refuses playback and export.\n";

int Fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "kronika subject: %s\n", message.c_str());
  return code;
}

Result<std::vector<RecordingRecord>> RecordingsOf(const Store& store, const std::string& number) {
  RecordingQuery q;
  q.number = number;
  q.limit = 0;
  return store.Query(q);
}

}  // namespace

int RunSubjectCommand(int argc, char** argv) {
  Result<CliArgs> args = ParseCliArgs(argc, argv, 1, {"config", "data-dir", "site", "by", "reason"}, {"help"});
  if (!args.ok()) return Fail(args.error().message + "\n" + kSubjectUsage, 2);
  if (args->Has("help") || args->positional.size() != 2) {
    std::fputs(kSubjectUsage, args->Has("help") ? stdout : stderr);
    return args->Has("help") ? 0 : 2;
  }
  const std::string& verb = args->positional[0];
  const std::string& number = args->positional[1];
  Result<RulesCliContext> ctx = OpenRulesContext(*args);
  if (!ctx.ok()) return Fail(ctx.error().message);
  Result<std::unique_ptr<RulesDb>> db = RulesDb::Open(ctx->data_dir);
  if (!db.ok()) return Fail(db.error().message);
  const policy::DeletionRequest request{args->Get("by").value_or(""), args->Get("reason").value_or(""), NowMsUtc()};

  if (verb == "erase") {
    Result<std::unique_ptr<Store>> store = OpenStore(*ctx, true);
    if (!store.ok()) return Fail(store.error().message);
    Result<ErasureReport> report =
        EraseSubject(**store, **db, ctx->sites, number, request, DeleteOptions{ctx->data_dir, ctx->overwrite, true});
    if (!report.ok()) return Fail(report.error().message);
    for (const std::string& id : report->erased) std::printf("erased %s\n", id.c_str());
    for (const policy::KeptRecording& k : report->kept) std::printf("kept   %s: %s\n", k.recording_id.c_str(), k.text.c_str());
    for (const std::string& t : report->texts) std::printf("%s\n", t.c_str());
    return report->kept.empty() ? 0 : 1;
  }

  Result<std::unique_ptr<Store>> store = OpenStore(*ctx, false);
  if (!store.ok()) return Fail(store.error().message);
  Result<std::vector<RecordingRecord>> rows = RecordingsOf(**store, number);
  if (!rows.ok()) return Fail(rows.error().message);
  Result<std::unique_ptr<AccessDb>> access = AccessDb::Open(ctx->data_dir);
  if (!access.ok()) return Fail(access.error().message);

  if (verb == "find") {
    Result<policy::HoldSet> holds = (*db)->LoadHolds();
    if (!holds.ok()) return Fail(holds.error().message);
    for (const RecordingRecord& r : *rows) {
      const policy::SitePolicy* site = ctx->sites.ForRecording(r.site);
      Result<bool> restricted = IsRestricted(**access, r.recording_id);
      std::string flags;
      for (const std::string& c : holds->ActiveCases(r.recording_id)) flags += "  hold:" + c;
      if (restricted.ok() && *restricted) flags += "  restricted";
      std::printf("%s  %s  %.1f s  site %s  expires %s%s\n", r.recording_id.c_str(),
                  FormatBoth(r.start_ms_utc, site).c_str(), r.duration_s, r.site.c_str(),
                  r.retention_expiry_ms_utc == 0 ? "never" : FormatBoth(r.retention_expiry_ms_utc, site).c_str(),
                  flags.c_str());
    }
    std::printf("%zu recording(s) of %s (RIGHTS-1)\n", rows->size(), number.c_str());
    return 0;
  }
  if (verb == "restrict" || verb == "unrestrict") {
    if (request.requested_by.empty() || request.reason.empty()) return Fail("--by and --reason are required", 2);
    size_t changed = 0;
    for (const RecordingRecord& r : *rows) {
      Result<nlohmann::json> state = SetRestriction(**access, r.recording_id, verb == "restrict", request.requested_by,
                                                    request.reason, request.at_ms_utc);
      if (!state.ok()) {
        std::printf("unchanged %s: %s\n", r.recording_id.c_str(), state.error().message.c_str());
        continue;
      }
      ++changed;
      std::printf("%s %s\n", verb == "restrict" ? "restricted" : "unrestricted", r.recording_id.c_str());
    }
    std::printf("%zu of %zu recording(s) of %s %s (RIGHTS-3)\n", changed, rows->size(), number.c_str(),
                verb == "restrict" ? "restricted" : "unrestricted");
    return 0;
  }
  return Fail("unknown subcommand '" + verb + "'\n" + kSubjectUsage, 2);
}

}  // namespace kronika::srs
