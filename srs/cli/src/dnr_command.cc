// kronika dnr add|remove|list (CONSENT-3). See rules_commands.h.
#include <cstdio>

#include "kronika/policy/number_plan.h"
#include "kronika/srs/cli/rules_commands.h"
#include "rules_command.h"

namespace kronika::srs {
namespace {

constexpr char kDnrUsage[] =
    "usage: kronika dnr add NUMBER --by WHO [--reason TEXT]\n"
    "       kronika dnr remove NUMBER\n"
    "       kronika dnr list\n"
    "  common: --config FILE | --data-dir DIR [--site FILE ...]\n"
    "  Calls with a participant on this list are not recorded (answered with the site's\n"
    "  reject_status); the running daemon sees changes at the next INVITE.\n";

int Fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "kronika dnr: %s\n", message.c_str());
  return code;
}

}  // namespace

int RunDnrCommand(int argc, char** argv) {
  std::variant<RulesCommand, int> started =
      StartRulesCommand("dnr", kDnrUsage, argc, argv, {"config", "data-dir", "site", "by", "reason"}, {}, 1, 99);
  if (const int* exit_code = std::get_if<int>(&started)) return *exit_code;
  RulesCommand& command = std::get<RulesCommand>(started);
  const CliArgs& args = command.args;
  RulesDb* db = command.db.get();
  const policy::SitePolicy* site = command.site;
  const std::string& verb = args.positional[0];
  if (verb == "list") {
    Result<std::vector<DoNotRecordEntry>> list = db->DoNotRecordList();
    if (!list.ok()) return Fail(list.error().message);
    for (const DoNotRecordEntry& e : *list) {
      std::printf("%s  added by %s at %s%s\n", e.number.c_str(), e.by.c_str(), FormatBoth(e.at_ms_utc, site).c_str(),
                  e.reason.empty() ? "" : ("  reason: " + e.reason).c_str());
    }
    return 0;
  }
  if (args.positional.size() != 2) return Fail(kDnrUsage, 2);
  // The daemon compares canonical numbers under the governing site's plan.
  std::string number = args.positional[1];
  if (site != nullptr) {
    std::optional<std::string> canonical = policy::CanonicalNumber(site->numbers, number);
    if (!canonical) return Fail("'" + number + "' is not a phone number");
    number = *canonical;
  } else {
    number = NumberIndexKey(number);
  }
  if (verb == "add") {
    DoNotRecordEntry e{number, args.Get("by").value_or(""), NowMsUtc(), args.Get("reason").value_or("")};
    if (Status s = db->AddDoNotRecord(e); !s.ok()) return Fail(s.error().message);
    std::printf("%s added to the do-not-record list\n", number.c_str());
    return 0;
  }
  if (verb == "remove") {
    if (Status s = db->RemoveDoNotRecord(number); !s.ok()) return Fail(s.error().message);
    std::printf("%s removed from the do-not-record list\n", number.c_str());
    return 0;
  }
  return Fail("unknown subcommand '" + verb + "'\n" + kDnrUsage, 2);
}

}  // namespace kronika::srs
