// kronika subject find|erase|restrict|unrestrict (RIGHTS-1..3). See rules_commands.h.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/access_playback.h"
#include "kronika/srs/cli/rules_commands.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/utc_time.h"
#include "rules_command.h"

namespace kronika::srs {
namespace {

int Fail(const std::string& message, int code = kExitFailed) {
  std::fprintf(stderr, "kronika subject: %s\n", message.c_str());
  return code;
}

Result<std::vector<RecordingRecord>> RecordingsOf(const Store& store, const std::string& number) {
  RecordingQuery q;
  q.number = number;
  q.limit = 0;
  return store.Query(q);
}

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The copies outside the store that went with the erasure, and who must be told: an
// institution that received an export package holding an erased recording keeps its copy
// (GDPR Art. 19 obliges the controller to tell it of the erasure).
void PrintErasedCopies(const ErasureReport& report) {
  for (const ErasedCopy& c : report.copies) {
    std::printf("purged export package %s (disclosure %s)%s\n", c.package.c_str(), c.disclosure_id.c_str(),
                c.package_was_gone ? ": it was already gone from disk" : "");
  }
  for (const ErasedCopy& c : report.copies) {
    std::printf(
        "notify %s: it received a copy of %s in disclosure %s (request %s) and must be told of this "
        "erasure (GDPR Art. 19)\n",
        c.institution.c_str(), Joined(c.recording_ids).c_str(), c.disclosure_id.c_str(), c.request_number.c_str());
  }
  for (const std::string& f : report.copy_failures) std::printf("NOT PURGED %s\n", f.c_str());
}

int Find(const RulesCommand& command, const std::string& number, bool json) {
  Result<Store*> store = command.data->store();
  if (!store.ok()) return Fail(store.error().message);
  Result<std::vector<RecordingRecord>> rows = RecordingsOf(**store, number);
  if (!rows.ok()) return Fail(rows.error().message);
  AccessDb* access = &command.data->access();
  Result<policy::HoldSet> holds = command.db->LoadHolds();
  if (!holds.ok()) return Fail(holds.error().message);
  nlohmann::json found = nlohmann::json::array();
  for (const RecordingRecord& r : *rows) {
    const policy::SitePolicy* site = command.ctx.sites.ForRecording(r.site);
    Result<bool> restricted = IsRestricted(*access, r.recording_id);
    const std::vector<std::string> cases = holds->ActiveCases(r.recording_id);
    if (json) {
      found.push_back({{"recording_id", r.recording_id},
                       {"start_utc", FormatUtcTime(r.start_ms_utc, true)},
                       {"duration_s", r.duration_s},
                       {"site", r.site},
                       {"retention_expiry_utc", r.retention_expiry_ms_utc == 0
                                                    ? nlohmann::json(nullptr)
                                                    : nlohmann::json(FormatUtcTime(r.retention_expiry_ms_utc, true))},
                       {"hold_cases", cases},
                       {"restricted", restricted.ok() && *restricted}});
      continue;
    }
    std::string flags;
    for (const std::string& c : cases) flags += "  hold:" + c;
    if (restricted.ok() && *restricted) flags += "  restricted";
    std::printf("%s  %s  %.1f s  site %s  expires %s%s\n", r.recording_id.c_str(),
                FormatBoth(r.start_ms_utc, site).c_str(), r.duration_s, r.site.c_str(),
                r.retention_expiry_ms_utc == 0 ? "never" : FormatBoth(r.retention_expiry_ms_utc, site).c_str(),
                flags.c_str());
  }
  if (json) {
    std::cout << DumpJson(nlohmann::json{{"number", number}, {"count", rows->size()}, {"recordings", std::move(found)}}, 2)
              << "\n";
  } else {
    std::printf("%zu recording(s) of %s\n", rows->size(), number.c_str());
  }
  return kExitOk;
}

}  // namespace

int RunSubjectCommand(int argc, char** argv) {
  CLI::App app{
      "Data subjects: the recordings of one phone number. erase deletes every recording of\n"
      "the number except those under legal hold (listed with their cases), and every export\n"
      "package holding one of them (naming the institutions that received a copy, to be\n"
      "notified); restrict keeps recordings but refuses playback and export.",
      "kronika subject"};
  RulesOptions common;
  app.require_subcommand(1);
  std::string number, by, reason;
  bool json = false;
  CLI::App* find = app.add_subcommand("find", "list the recordings of a number");
  find->add_option("NUMBER", number, "phone number in any usual form")->required();
  find->add_flag("--json", json, "JSON: {number, count, recordings: [...]}");
  std::vector<CLI::App*> acts;
  for (const auto& [verb, what] : {std::pair{"erase", "erase every recording of a number (not those on hold) and the export packages holding them"},
                                   std::pair{"restrict", "refuse playback and export of a number's recordings"},
                                   std::pair{"unrestrict", "lift a restriction"}}) {
    CLI::App* sub = app.add_subcommand(verb, what);
    sub->add_option("NUMBER", number, "phone number in any usual form")->required();
    sub->add_option("--by", by, "who requested it")->required();
    sub->add_option("--reason", reason, "why (e.g. the request's reference)")->required();
    acts.push_back(sub);
  }
  CLI::App* erase = acts[0];
  CLI::App* restrict_ = acts[1];

  AddRulesOptions(app, common);
  if (std::optional<int> exit = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *exit;
  Result<RulesCommand> opened = OpenRulesCommand(common, "subject", !*find);
  if (!opened.ok()) return Fail(opened.error().message, OpenFailureExit(opened.error()));
  RulesCommand& command = *opened;
  if (*find) return Find(command, number, json);

  const policy::DeletionRequest request{by, reason, NowMsUtc()};
  if (*erase) {
    Result<ErasureReport> report = command.data->ops().EraseSubject(number, request);
    if (!report.ok()) return Fail(report.error().message);
    for (const std::string& id : report->erased) std::printf("erased %s\n", id.c_str());
    for (const policy::KeptRecording& k : report->kept) std::printf("kept   %s: %s\n", k.recording_id.c_str(), k.text.c_str());
    for (const std::string& t : report->texts) std::printf("%s\n", t.c_str());
    PrintErasedCopies(*report);
    return report->kept.empty() && report->copy_failures.empty() ? kExitOk : kExitFailed;
  }

  const bool restrict = restrict_->parsed();
  Result<Store*> store = command.data->store();
  if (!store.ok()) return Fail(store.error().message);
  Result<std::vector<RecordingRecord>> rows = RecordingsOf(**store, number);
  if (!rows.ok()) return Fail(rows.error().message);
  std::vector<std::string> ids;
  for (const RecordingRecord& r : *rows) ids.push_back(r.recording_id);
  Result<std::vector<RestrictionOutcome>> outcomes = command.data->ops().SetRestrictions(ids, restrict, request);
  if (!outcomes.ok()) return Fail(outcomes.error().message);
  size_t changed = 0;
  for (const RestrictionOutcome& o : *outcomes) {
    if (!o.changed) {
      std::printf("unchanged %s: %s\n", o.recording_id.c_str(), o.message.c_str());
      continue;
    }
    ++changed;
    std::printf("%s %s\n", restrict ? "restricted" : "unrestricted", o.recording_id.c_str());
  }
  std::printf("%zu of %zu recording(s) of %s %s\n", changed, rows->size(), number.c_str(),
              restrict ? "restricted" : "unrestricted");
  return kExitOk;
}

}  // namespace kronika::srs
