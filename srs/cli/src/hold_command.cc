// kronika hold place|lift|list (RET-2). See rules_commands.h.
#include <cstdio>

#include "kronika/srs/cli/rules_commands.h"
#include "kronika/srs/core/utc_time.h"
#include "rules_command.h"

namespace kronika::srs {
namespace {

constexpr char kHoldUsage[] =
    "usage: kronika hold place (ID... | --number N [--from T] [--to T]) --case REF --by WHO\n"
    "       kronika hold lift  (ID... | --number N [--from T] [--to T]) --case REF --by WHO --reason TEXT\n"
    "       kronika hold list  [--all]\n"
    "  common: --config FILE | --data-dir DIR [--site FILE ...]\n"
    "  A held recording is never deleted by the retention sweep, quota eviction, early\n"
    "  deletion or an erasure request; lifting the last hold restores its normal period.\n"
    "  Every act is kept in an append-only log (hold list --all).\n";

int Fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "kronika hold: %s\n", message.c_str());
  return code;
}

// IDs given on the command line (each must exist) or the recordings matching the query.
Result<std::vector<std::string>> Select(const CliArgs& args, const Store& store) {
  std::vector<std::string> ids(args.positional.begin() + 1, args.positional.end());
  if (!ids.empty()) {
    if (args.Get("number")) return MakeError(400, "give recording IDs or --number, not both");
    for (const std::string& id : ids) {
      Result<std::optional<RecordingRecord>> r = store.Get(id);
      if (!r.ok()) return r.error();
      if (!r->has_value()) return MakeError(404, "no recording " + id);
    }
    return ids;
  }
  std::optional<std::string> number = args.Get("number");
  if (!number) return MakeError(400, "recording IDs or --number are required");
  RecordingQuery q;
  q.number = *number;
  q.limit = 0;
  if (auto from = args.Get("from")) {
    Result<int64_t> t = ParseUtcTime(*from);
    if (!t.ok()) return t.error();
    q.from_ms_utc = *t;
  }
  if (auto to = args.Get("to")) {
    Result<int64_t> t = ParseUtcTime(*to, true);
    if (!t.ok()) return t.error();
    q.to_ms_utc = *t;
  }
  Result<std::vector<RecordingRecord>> rows = store.Query(q);
  if (!rows.ok()) return rows.error();
  for (const RecordingRecord& r : *rows) ids.push_back(r.recording_id);
  if (ids.empty()) return MakeError(404, "no recording matches --number " + *number);
  return ids;
}

// RET-2: the policy db's hold log is the one source of truth; the store's legal_hold flag
// (shown by query/show and the API) mirrors it for finished recordings. Recordings still
// in progress are left alone: the daemon rewrites their record with every snapshot, and
// every deletion path asks the policy db anyway.
Status MirrorHolds(RulesDb& db, Store& store, const std::vector<std::string>& ids) {
  Result<policy::HoldSet> holds = db.LoadHolds();
  if (!holds.ok()) return holds.error();
  size_t changed = 0;
  for (const std::string& id : ids) {
    Result<std::optional<RecordingRecord>> r = store.Get(id);
    if (!r.ok()) return r.error();
    if (!r->has_value() || (*r)->state == RecordingState::kActive) continue;
    const bool held = holds->IsHeld(id);
    if ((*r)->legal_hold == held) continue;
    RecordingRecord record = std::move(**r);
    record.legal_hold = held;
    if (!store.Enqueue(std::move(record))) return MakeError(503, "store: update of " + id + " not queued");
    ++changed;
  }
  return changed == 0 ? OkStatus() : store.Flush(std::chrono::seconds(60));
}

}  // namespace

int RunHoldCommand(int argc, char** argv) {
  std::variant<RulesCommand, int> started =
      StartRulesCommand("hold", kHoldUsage, argc, argv, {"config", "data-dir", "site", "case", "by", "reason", "number", "from", "to"}, {"all"}, 1, 99);
  if (const int* exit_code = std::get_if<int>(&started)) return *exit_code;
  RulesCommand& command = std::get<RulesCommand>(started);
  const CliArgs& args = command.args;
  RulesCliContext& ctx = command.ctx;
  RulesDb* db = command.db.get();
  const policy::SitePolicy* site = command.site;
  const std::string& verb = args.positional[0];

  if (verb == "list") {
    if (args.Has("all")) {
      for (const HoldAct& a : db->HoldLog()) {
        std::printf("%s  %-5s %s  case %s  by %s%s\n", FormatBoth(a.at_ms_utc, site).c_str(), a.lift ? "lift" : "place",
                    a.recording_id.c_str(), a.case_ref.c_str(), a.by.c_str(),
                    a.reason.empty() ? "" : ("  reason: " + a.reason).c_str());
      }
      return 0;
    }
    Result<policy::HoldSet> holds = db->LoadHolds();
    if (!holds.ok()) return Fail(holds.error().message);
    size_t n = 0;
    for (const policy::Hold& h : holds->History()) {
      if (!h.active()) continue;
      ++n;
      std::printf("%s  case %s  placed by %s at %s\n", h.recording_id.c_str(), h.case_ref.c_str(),
                  h.placed_by.c_str(), FormatBoth(h.placed_at_ms_utc, site).c_str());
    }
    std::printf("%zu active hold(s)\n", n);
    return 0;
  }
  if (verb != "place" && verb != "lift") return Fail("unknown subcommand '" + verb + "'\n" + kHoldUsage, 2);
  const std::string case_ref = args.Get("case").value_or("");
  const std::string by = args.Get("by").value_or("");
  if (case_ref.empty() || by.empty()) return Fail("--case and --by are required", 2);
  Result<std::unique_ptr<Store>> store = OpenStore(ctx, true);  // read-write: legal_hold mirror
  if (!store.ok()) return Fail(store.error().message);
  Result<std::vector<std::string>> ids = Select(args, **store);
  if (!ids.ok()) return Fail(ids.error().message);
  const int64_t now = NowMsUtc();
  if (verb == "place") {
    if (Status s = db->PlaceHolds(*ids, case_ref, by, now); !s.ok()) return Fail(s.error().message);
    if (Status s = MirrorHolds(*db, **store, *ids); !s.ok()) return Fail("holds placed, store flag not updated: " + s.error().message);
    for (const std::string& id : *ids) std::printf("held %s (case %s)\n", id.c_str(), case_ref.c_str());
    std::printf("%zu recording(s) placed under legal hold at %s\n", ids->size(), FormatBoth(now, site).c_str());
    return 0;
  }
  const std::string reason = args.Get("reason").value_or("");
  if (reason.empty()) return Fail("--reason is required to lift a hold (e.g. the final ruling)", 2);
  if (!args.Get("number").has_value() || args.positional.size() > 1) {
    // explicit IDs: lift exactly those
  } else {
    // query: lift only the matches this case holds
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
  if (Status s = db->LiftHolds(*ids, case_ref, by, reason, now); !s.ok()) return Fail(s.error().message);
  if (Status s = MirrorHolds(*db, **store, *ids); !s.ok()) return Fail("holds lifted, store flag not updated: " + s.error().message);
  for (const std::string& id : *ids) std::printf("lifted %s (case %s)\n", id.c_str(), case_ref.c_str());
  std::printf("%zu hold(s) lifted at %s; the normal retention period applies again\n", ids->size(),
              FormatBoth(now, site).c_str());
  return 0;
}

}  // namespace kronika::srs
