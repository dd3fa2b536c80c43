// kronika dnr add|remove|list (CONSENT-3). See rules_commands.h.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "kronika/policy/number_plan.h"
#include "kronika/srs/cli/rules_commands.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/utc_time.h"
#include "rules_command.h"

namespace kronika::srs {
namespace {

int Fail(const std::string& message, int code = kExitFailed) {
  std::fprintf(stderr, "kronika dnr: %s\n", message.c_str());
  return code;
}

}  // namespace

int RunDnrCommand(int argc, char** argv) {
  CLI::App app{
      "The do-not-record list. Calls with a participant on it are not recorded (answered with\n"
      "the site's reject_status or answered and dropped); the running daemon sees changes at\n"
      "the next INVITE.",
      "kronika dnr"};
  RulesOptions common;
  app.require_subcommand(1);
  std::string number, by, reason;
  CLI::App* add = app.add_subcommand("add", "add a number");
  add->add_option("NUMBER", number, "phone number in any usual form (+48 22 123 45 67, 0221234567)")->required();
  add->add_option("--by", by, "who asked (the person or the data protection officer)")->required();
  add->add_option("--reason", reason, "e.g. 'objection'");
  CLI::App* remove = app.add_subcommand("remove", "remove a number");
  remove->add_option("NUMBER", number, "phone number")->required();
  bool json = false;
  CLI::App* list = app.add_subcommand("list", "every number on the list");
  list->add_flag("--json", json, "JSON: {count, numbers: [{number, by, at_utc, reason}]}");

  AddRulesOptions(app, common);
  if (std::optional<int> exit = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *exit;
  Result<RulesCommand> opened = OpenRulesCommand(common, "dnr", !*list);
  if (!opened.ok()) return Fail(opened.error().message, OpenFailureExit(opened.error()));
  RulesDb* db = opened->db;
  const policy::SitePolicy* site = opened->site();
  if (*list) {
    Result<std::vector<DoNotRecordEntry>> entries = db->DoNotRecordList();
    if (!entries.ok()) return Fail(entries.error().message);
    if (json) {
      nlohmann::json rows = nlohmann::json::array();
      for (const DoNotRecordEntry& e : *entries) {
        rows.push_back({{"number", e.number}, {"by", e.by}, {"at_utc", FormatUtcTime(e.at_ms_utc, true)}, {"reason", e.reason}});
      }
      std::cout << DumpJson(nlohmann::json{{"count", entries->size()}, {"numbers", std::move(rows)}}, 2) << "\n";
      return kExitOk;
    }
    for (const DoNotRecordEntry& e : *entries) {
      std::printf("%s  added by %s at %s%s\n", e.number.c_str(), e.by.c_str(), FormatBoth(e.at_ms_utc, site).c_str(),
                  e.reason.empty() ? "" : ("  reason: " + e.reason).c_str());
    }
    return kExitOk;
  }
  // The daemon compares canonical numbers under the governing site's plan.
  if (site != nullptr) {
    std::optional<std::string> canonical = policy::CanonicalNumber(site->numbers, number);
    if (!canonical) return Fail("NUMBER: '" + number + "' is not a phone number", kExitUsage);
    number = *canonical;
  } else {
    number = NumberIndexKey(number);
  }
  if (*add) {
    DoNotRecordEntry e{number, by, NowMsUtc(), reason};
    if (Status s = opened->data->ops().AddDoNotRecord(e); !s.ok()) return Fail(s.error().message);
    std::printf("%s added to the do-not-record list\n", number.c_str());
    return kExitOk;
  }
  if (Status s = opened->data->ops().RemoveDoNotRecord(number); !s.ok()) return Fail(s.error().message);
  std::printf("%s removed from the do-not-record list\n", number.c_str());
  return kExitOk;
}

}  // namespace kronika::srs
