// kronika query / kronika show (see query_command.h).
#include "kronika/srs/cli/query_command.h"

#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "kronika/srs/config/config.h"
#include "kronika/srs/core/csv_record.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/utc_time.h"
#include "kronika/srs/store/query_params.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {
namespace {

constexpr int kExitFound = 0;
constexpr int kExitNone = 1;
constexpr int kExitError = 2;

constexpr char kQueryUsage[] =
    "usage: kronika query [--data-dir DIR | --config FILE] [--number N] [--participant NAME]\n"
    "                     [--from TIME] [--to TIME] [--id ID] [--state S]\n"
    "                     [--metadata-status complete|partial|unparsed] [--limit N]\n"
    "                     [--offset N] [--order asc|desc] [--country-code CC] [--json | --csv]\n"
    "TIME: 2026-11-25T10:00:00Z or 2026-11-25 (--to DATE includes that day)\n"
    "exit: 0 results, 1 no results, 2 error\n";
constexpr char kShowUsage[] =
    "usage: kronika show ID [--data-dir DIR | --config FILE] [--json | --received-metadata]\n"
    "--received-metadata: the last metadata document's bytes exactly as the SRC sent them\n"
    "exit: 0 found, 1 not found, 2 error\n";

// Parsed "--name value" / "--name=value" options, "--flag" switches and positionals.
struct Args {
  std::map<std::string, std::string> values;
  std::vector<std::string> flags;
  std::vector<std::string> positional;
  bool Has(const std::string& flag) const {
    return std::find(flags.begin(), flags.end(), flag) != flags.end();
  }
  std::optional<std::string> Get(const std::string& name) const {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
};

Result<Args> ParseArgs(int argc, char** argv, const std::vector<std::string>& with_value,
                       const std::vector<std::string>& switches) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      args.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    bool inline_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    if (std::find(switches.begin(), switches.end(), name) != switches.end() && !inline_value) {
      args.flags.push_back(name);
    } else if (std::find(with_value.begin(), with_value.end(), name) != with_value.end()) {
      if (!inline_value) {
        if (i + 1 >= argc) return MakeError(2, "--" + name + " needs a value");
        value = argv[++i];
      }
      args.values[name] = value;
    } else {
      return MakeError(2, "unknown option " + arg);
    }
  }
  return args;
}

Result<std::unique_ptr<Store>> OpenReadOnly(const Args& args) {
  std::string db_dir;
  if (auto dir = args.Get("data-dir")) {
    db_dir = StoreDir(*dir).string();
  } else if (auto file = args.Get("config")) {
    Result<Config> config = LoadConfigFile(*file);
    if (!config.ok()) return config.error();
    db_dir = config->DatabaseDir();
  } else {
    db_dir = Config{}.DatabaseDir();
  }
  StoreOptions options;
  options.read_only = true;
  return Store::Open(db_dir, options);
}

std::string JoinNumbers(const RecordingRecord& r) {
  std::string out;
  for (const ParticipantRecord& p : r.participants) {
    if (DisplayNumber(p).empty()) continue;
    if (!out.empty()) out += ", ";
    out += DisplayNumber(p);
  }
  return out;
}

std::string JoinNames(const RecordingRecord& r) {
  std::string out;
  for (const ParticipantRecord& p : r.participants) {
    if (!out.empty()) out += ", ";
    out += p.name.empty() ? p.aor : p.name;
  }
  return out;
}

void PrintTable(const std::vector<RecordingRecord>& rows, std::ostream& out) {
  char line[512];
  std::snprintf(line, sizeof line, "%-26s  %-20s  %9s  %-11s  %-44s  %s\n", "RECORDING_ID",
                "START_UTC", "DURATION", "STATE", "NUMBERS", "PARTICIPANTS");
  out << line;
  for (const RecordingRecord& r : rows) {
    std::snprintf(line, sizeof line, "%-26s  %-20s  %8.1fs  %-11s  %-44s  %s\n",
                  r.recording_id.c_str(), FormatUtcTime(r.start_ms_utc).c_str(), r.duration_s,
                  std::string(RecordingStateName(r.state)).c_str(), JoinNumbers(r).c_str(),
                  JoinNames(r).c_str());
    out << line;
  }
}

void PrintDetail(const RecordingRecord& r, std::ostream& out) {
  out << "recording_id:   " << r.recording_id << "\n"
      << "state:          " << RecordingStateName(r.state) << "\n"
      << "start_utc:      " << FormatUtcTime(r.start_ms_utc, true) << "\n"
      << "end_utc:        " << FormatUtcTime(r.end_ms_utc, true) << "\n"
      << "duration_s:     " << r.duration_s << "\n"
      << "file:           " << r.file_path << " (" << r.file_bytes << " bytes, " << r.codec
      << ")\n"
      << "sip_call_id:    " << r.sip_call_id << "\n"
      << "src_host:       " << r.src_host << "\n"
      << "site:           " << r.site << "\n"
      << "legal_hold:     " << (r.legal_hold ? "yes" : "no") << "\n"
      << "metadata:       " << (r.metadata_status.empty() ? "(not judged)" : r.metadata_status) << "\n"
      << "retention_until:" << (r.retention_expiry_ms_utc ? " " : "")
      << FormatUtcTime(r.retention_expiry_ms_utc) << "\n"
      << "participants:\n";
  for (const ParticipantRecord& p : r.participants) {
    out << "  [" << (p.channel >= 0 ? std::to_string(p.channel) : "-") << "] "
        << (p.name.empty() ? "(no name)" : p.name) << "  " << DisplayNumber(p) << "  " << p.aor
        << "  id=" << p.participant_id << "\n";
  }
  if (!r.metadata_issues.empty()) out << "metadata issues:\n";
  for (const MetadataIssueRecord& issue : r.metadata_issues) {
    out << "  " << issue.reason << ": " << issue.detail << "\n";
  }
  out << "timeline:\n";
  for (const TimelineEvent& e : r.timeline) {
    out << "  " << FormatUtcTime(e.time_ms_utc, true) << "  " << e.kind;
    if (!e.detail.empty()) out << "  " << e.detail;
    out << "\n";
  }
}

}  // namespace

int RunQueryCommand(int argc, char** argv, std::ostream& out, std::ostream& err) {
  Result<Args> args = ParseArgs(
      argc, argv,
      {"data-dir", "config", "number", "participant", "from", "to", "id", "state", "limit",
       "offset", "order", "country-code", "metadata-status"},
      {"json", "csv", "help"});
  if (!args.ok()) {
    err << "kronika query: " << args.error().message << "\n" << kQueryUsage;
    return kExitError;
  }
  if (args->Has("help")) {
    out << kQueryUsage;
    return kExitFound;
  }
  if (!args->positional.empty() || (args->Has("json") && args->Has("csv")) ||
      (args->Get("data-dir") && args->Get("config"))) {
    err << "kronika query: unexpected arguments\n" << kQueryUsage;
    return kExitError;
  }
  QueryParams params{args->Get("id"),    args->Get("number"), args->Get("participant"),
                     args->Get("from"),  args->Get("to"),     args->Get("state"),
                     args->Get("limit"), args->Get("offset"), args->Get("order"),
                     args->Get("metadata-status")};
  Result<RecordingQuery> query = MakeRecordingQuery(params);
  if (!query.ok()) {
    std::string message = query.error().message;  // "metadata_status: ..." names the option
    if (message.rfind("metadata_status", 0) == 0) message.replace(0, 15, "metadata-status");
    err << "kronika query: --" << message << "\n";
    return kExitError;
  }
  if (auto cc = args->Get("country-code")) query->default_country_code = *cc;
  Result<std::unique_ptr<Store>> store = OpenReadOnly(*args);
  if (!store.ok()) {
    err << "kronika query: " << store.error().message << "\n";
    return kExitError;
  }
  Result<std::vector<RecordingRecord>> rows = (*store)->Query(*query);
  if (!rows.ok()) {
    err << "kronika query: " << rows.error().message << "\n";
    return kExitError;
  }
  if (args->Has("json")) {
    out << DumpJson(RecordingListJson(*rows), 2) << "\n";
  } else if (args->Has("csv")) {
    out << RecordingsCsv(*rows);
  } else if (!rows->empty()) {
    PrintTable(*rows, out);
  } else {
    err << "kronika query: no recordings match\n";
  }
  return rows->empty() ? kExitNone : kExitFound;
}

int RunShowCommand(int argc, char** argv, std::ostream& out, std::ostream& err) {
  Result<Args> args = ParseArgs(argc, argv, {"data-dir", "config"}, {"json", "received-metadata", "help"});
  if (!args.ok()) {
    err << "kronika show: " << args.error().message << "\n" << kShowUsage;
    return kExitError;
  }
  if (args->Has("help")) {
    out << kShowUsage;
    return kExitFound;
  }
  if (args->positional.size() != 1 || (args->Get("data-dir") && args->Get("config"))) {
    err << "kronika show: expected one recording ID\n" << kShowUsage;
    return kExitError;
  }
  Result<std::unique_ptr<Store>> store = OpenReadOnly(*args);
  if (!store.ok()) {
    err << "kronika show: " << store.error().message << "\n";
    return kExitError;
  }
  const std::string& id = args->positional[0];
  Result<std::optional<RecordingRecord>> rec = (*store)->Get(id);
  if (!rec.ok()) {
    err << "kronika show: " << rec.error().message << "\n";
    return kExitError;
  }
  if (!rec->has_value()) {
    err << "kronika show: no recording " << id << "\n";
    return kExitNone;
  }
  if (args->Has("received-metadata")) {
    const RecordingRecord& r = **rec;
    out << (r.metadata_xml_received.empty() ? r.metadata_xml_last : r.metadata_xml_received);
  } else if (args->Has("json")) {
    out << DumpJson(RecordingDetailJson(**rec), 2) << "\n";
  } else {
    PrintDetail(**rec, out);
  }
  return kExitFound;
}

int RunQueryCommand(int argc, char** argv) {
  return RunQueryCommand(argc, argv, std::cout, std::cerr);
}
int RunShowCommand(int argc, char** argv) {
  return RunShowCommand(argc, argv, std::cout, std::cerr);
}

}  // namespace kronika::srs
