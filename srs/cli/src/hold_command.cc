// kronika hold place|lift|list (RET-2). See rules_commands.h.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "kronika/srs/cli/rules_commands.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/utc_time.h"
#include "rules_command.h"

namespace kronika::srs {
namespace {

int Fail(const std::string& message, int code = kExitFailed) {
  std::fprintf(stderr, "kronika hold: %s\n", message.c_str());
  return code;
}

// Which recordings a place/lift is about: IDs, or the recordings of a number.
struct Selection {
  std::vector<std::string> ids;
  std::string number;
  std::string from;
  std::string to;
};

void AddSelection(CLI::App& sub, Selection& s) {
  CLI::Option* ids = sub.add_option("ID", s.ids, "recording IDs");
  CLI::Option* number = sub.add_option("--number", s.number, "every recording of this phone number instead of IDs")
                            ->type_name("NUMBER")
                            ->excludes(ids);
  sub.add_option("--from", s.from, "with --number: recordings that started at or after TIME")
      ->check(UtcTimeValidator())
      ->needs(number);
  sub.add_option("--to", s.to, "with --number: recordings that started before TIME (a date: that whole day)")
      ->check(UtcTimeValidator())
      ->needs(number);
}

// IDs given on the command line (each must exist) or the recordings matching the query.
Result<std::vector<std::string>> Select(const Selection& s, const Store& store) {
  if (!s.ids.empty()) {
    for (const std::string& id : s.ids) {
      Result<std::optional<RecordingRecord>> r = store.Get(id);
      if (!r.ok()) return r.error();
      if (!r->has_value()) return MakeError(ErrorCode::kNotFound, "no recording " + id);
    }
    return s.ids;
  }
  if (s.number.empty()) return MakeError(ErrorCode::kUsage, "recording IDs or --number are required");
  RecordingQuery q;
  q.number = s.number;
  q.limit = 0;
  if (!s.from.empty()) q.from_ms_utc = *ParseUtcTime(s.from);  // checked by the validator
  if (!s.to.empty()) q.to_ms_utc = *ParseUtcTime(s.to, true);
  Result<std::vector<RecordingRecord>> rows = store.Query(q);
  if (!rows.ok()) return rows.error();
  std::vector<std::string> ids;
  for (const RecordingRecord& r : *rows) ids.push_back(r.recording_id);
  if (ids.empty()) return MakeError(ErrorCode::kNotFound, "no recording matches --number " + s.number);
  return ids;
}

int List(RulesCommand& command, bool all, bool json) {
  const policy::SitePolicy* site = command.site();
  if (all) {
    const std::vector<HoldAct> log = command.db->HoldLog();
    if (json) {
      nlohmann::json acts = nlohmann::json::array();
      for (const HoldAct& a : log) {
        acts.push_back({{"act", a.lift ? "lift" : "place"},
                        {"recording_id", a.recording_id},
                        {"case", a.case_ref},
                        {"by", a.by},
                        {"at_utc", FormatUtcTime(a.at_ms_utc, true)},
                        {"reason", a.reason}});
      }
      std::cout << DumpJson(nlohmann::json{{"count", log.size()}, {"acts", std::move(acts)}}, 2) << "\n";
      return kExitOk;
    }
    for (const HoldAct& a : log) {
      std::printf("%s  %-5s %s  case %s  by %s%s\n", FormatBoth(a.at_ms_utc, site).c_str(), a.lift ? "lift" : "place",
                  a.recording_id.c_str(), a.case_ref.c_str(), a.by.c_str(),
                  a.reason.empty() ? "" : ("  reason: " + a.reason).c_str());
    }
    return kExitOk;
  }
  size_t unreadable = 0;
  Result<policy::HoldSet> holds = command.db->LoadHolds(&unreadable);
  if (!holds.ok()) return Fail(holds.error().message);
  if (unreadable > 0) {
    std::fprintf(stderr,
                 "kronika hold: warning: %zu act(s) of the hold log could not be read (logged above); the list "
                 "may be incomplete and no recording is deleted until the log is repaired\n",
                 unreadable);
  }
  nlohmann::json rows = nlohmann::json::array();
  size_t n = 0;
  for (const policy::Hold& h : holds->History()) {
    if (!h.active()) continue;
    ++n;
    if (json) {
      rows.push_back({{"recording_id", h.recording_id},
                      {"case", h.case_ref},
                      {"placed_by", h.placed_by},
                      {"placed_at_utc", FormatUtcTime(h.placed_at_ms_utc, true)}});
    } else {
      std::printf("%s  case %s  placed by %s at %s\n", h.recording_id.c_str(), h.case_ref.c_str(),
                  h.placed_by.c_str(), FormatBoth(h.placed_at_ms_utc, site).c_str());
    }
  }
  if (json) {
    std::cout << DumpJson(nlohmann::json{{"count", n}, {"holds", std::move(rows)}}, 2) << "\n";
  } else {
    std::printf("%zu active hold(s)\n", n);
  }
  return kExitOk;
}

}  // namespace

int RunHoldCommand(int argc, char** argv) {
  CLI::App app{
      "Legal holds. A held recording is never deleted by the retention sweep, quota eviction,\n"
      "early deletion or an erasure request; lifting the last hold restores its normal\n"
      "period. Every act is kept in an append-only log (hold list --all).",
      "kronika hold"};
  RulesOptions common;
  app.require_subcommand(1);

  Selection selection;
  std::string case_ref, by, reason;
  CLI::App* place = app.add_subcommand("place", "place recordings under legal hold");
  AddSelection(*place, selection);
  place->add_option("--case", case_ref, "case reference, e.g. 'II K 123/26'")->required();
  place->add_option("--by", by, "who ordered the hold")->required();

  CLI::App* lift = app.add_subcommand("lift", "lift a case's hold from recordings");
  AddSelection(*lift, selection);
  lift->add_option("--case", case_ref, "the case whose hold is lifted")->required();
  lift->add_option("--by", by, "who lifts it")->required();
  lift->add_option("--reason", reason, "why, e.g. the final ruling")->required();

  bool all = false, json = false;
  CLI::App* list = app.add_subcommand("list", "active holds (--all: every act of the log)");
  list->add_flag("--all", all, "every place and lift act, oldest first");
  list->add_flag("--json", json, "JSON: {count, holds} (with --all: {count, acts})");

  AddRulesOptions(app, common);
  if (std::optional<int> exit = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *exit;
  Result<RulesCommand> opened = OpenRulesCommand(common, "hold", !*list);
  if (!opened.ok()) return Fail(opened.error().message, OpenFailureExit(opened.error()));
  RulesCommand& command = *opened;
  if (*list) return List(command, all, json);

  const policy::SitePolicy* site = command.site();
  RulesDb* db = command.db;
  // RET-2: the rules db's hold log is the one source of truth; the store's legal_hold flag
  // (shown by query/show and the API) follows it - both written by the data directory's
  // owner (the daemon when it runs, admin_ops.h).
  Result<Store*> store = command.data->store();
  if (!store.ok()) return Fail(store.error().message);
  Result<std::vector<std::string>> ids = Select(selection, **store);
  if (!ids.ok()) return Fail(ids.error().message, ids.error().code == ErrorCode::kUsage ? kExitUsage : kExitFailed);
  const int64_t now = NowMsUtc();
  if (*place) {
    if (Status s = command.data->ops().PlaceHolds(HoldChange{*ids, case_ref, by, "", now}); !s.ok()) {
      return Fail(s.error().message);
    }
    for (const std::string& id : *ids) std::printf("held %s (case %s)\n", id.c_str(), case_ref.c_str());
    std::printf("%zu recording(s) placed under legal hold at %s\n", ids->size(), FormatBoth(now, site).c_str());
    return kExitOk;
  }
  if (!selection.number.empty()) {
    // A query: lift only the matches this case holds.
    Result<policy::HoldSet> holds = db->LoadHolds();
    if (!holds.ok()) return Fail(holds.error().message);
    std::vector<std::string> held;
    for (const std::string& id : *ids) {
      for (const std::string& c : holds->ActiveCases(id)) {
        if (c == case_ref) held.push_back(id);
      }
    }
    *ids = held;
  }
  if (Status s = command.data->ops().LiftHolds(HoldChange{*ids, case_ref, by, reason, now}); !s.ok()) {
    return Fail(s.error().message);
  }
  for (const std::string& id : *ids) std::printf("lifted %s (case %s)\n", id.c_str(), case_ref.c_str());
  std::printf("%zu hold(s) lifted at %s; the normal retention period applies again\n", ids->size(),
              FormatBoth(now, site).c_str());
  return kExitOk;
}

}  // namespace kronika::srs
