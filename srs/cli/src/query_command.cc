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
    "                     [--from TIME] [--to TIME] [--id ID] [--state S] [--verdict V]\n"
    "                     [--metadata-status complete|partial|unparsed] [--limit N]\n"
    "                     [--offset N] [--order asc|desc] [--country-code CC] [--json | --csv]\n"
    "V: complete, partial, one-way, silent, no-media, interrupted\n"
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
        if (i + 1 >= argc) return MakeError(ErrorCode::kUsage, "--" + name + " needs a value");
        value = argv[++i];
      }
      args.values[name] = value;
    } else {
      return MakeError(ErrorCode::kUsage, "unknown option " + arg);
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
  std::snprintf(line, sizeof line, "%-26s  %-20s  %9s  %-11s  %-11s  %-44s  %s\n", "RECORDING_ID",
                "START_UTC", "DURATION", "STATE", "VERDICT", "NUMBERS", "PARTICIPANTS");
  out << line;
  for (const RecordingRecord& r : rows) {
    std::snprintf(line, sizeof line, "%-26s  %-20s  %8.1fs  %-11s  %-11s  %-44s  %s\n",
                  r.recording_id.c_str(), FormatUtcTime(r.start_ms_utc).c_str(), r.duration_s,
                  std::string(RecordingStateName(r.state)).c_str(), r.verdict.empty() ? "-" : r.verdict.c_str(),
                  JoinNumbers(r).c_str(), JoinNames(r).c_str());
    out << line;
  }
}

// "1.25 s" on the media timeline.
std::string Seconds(int64_t ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", static_cast<double>(ms) / 1000.0);
  return text;
}

std::string LegName(const CompletenessRecord& c, int leg) {
  if (leg < 0 || static_cast<size_t>(leg) >= c.legs.size()) return "the recording";
  const LegEvidenceRecord& l = c.legs[static_cast<size_t>(leg)];
  return "leg " + std::to_string(leg + 1) + " (label " + l.label + ")";
}

// Why the verdict: one line per finding.
void PrintFindings(const CompletenessRecord& c, std::ostream& out) {
  for (const FindingRecord& f : c.findings) {
    out << "  " << LegName(c, f.leg) << ": ";
    if (f.kind == "no-packets") {
      out << "no RTP";
    } else if (f.kind == "no-signal") {
      out << "RTP, but only silence or comfort noise";
    } else if (f.kind == "gap") {
      out << "nothing from " << Seconds(f.from_ms) << " to " << Seconds(f.to_ms);
    } else if (f.kind == "gaps-omitted") {
      out << "more gaps after " << Seconds(f.from_ms) << " than the evidence lists";
    } else if (f.kind == "cut-short") {
      out << "the file stops at " << Seconds(f.from_ms) << ", the call went on to " << Seconds(f.to_ms);
    } else {
      out << f.kind;
    }
    out << "\n";
  }
}

// What each leg received (the evidence behind the verdict).
void PrintEvidence(const CompletenessRecord& c, std::ostream& out) {
  out << "media:          from " << FormatUtcTime(c.media_start_ms_utc, true) << ", " << Seconds(c.duration_ms)
      << "\n";
  for (size_t i = 0; i < c.legs.size(); ++i) {
    const LegEvidenceRecord& l = c.legs[i];
    const uint64_t refused = l.packets_foreign_source + l.packets_wrong_ssrc + l.packets_invalid;
    out << "  " << LegName(c, static_cast<int>(i)) << ", m-line " << l.mline_index << ", "
        << (l.channel == 0 ? "left" : l.channel == 1 ? "right" : "mixed") << ": " << l.packets_received << "/"
        << l.packets_expected << " packets, " << l.packets_lost << " lost, " << l.packets_late << " late, "
        << refused << " refused (" << l.packets_foreign_source << " other source, " << l.packets_wrong_ssrc
        << " other SSRC, " << l.packets_invalid << " invalid)\n";
    if (l.first_packet_ms >= 0) {
      out << "    RTP " << Seconds(l.first_packet_ms) << " - " << Seconds(l.last_packet_ms) << " from "
          << l.latched_source;
      if (!l.sdp_source.empty()) out << " (SDP " << l.sdp_source << ")";
      if (l.relatches > 0) out << ", " << l.relatches << " re-latched";
      out << "\n";
    }
    char level[96];
    std::snprintf(level, sizeof level, "%.1f dBFS RMS, %.1f dBFS peak", l.rms_dbfs, l.peak_dbfs);
    out << "    audio " << Seconds(l.audio_ms) << ", of which signal " << Seconds(l.signal_ms) << "; " << level;
    for (size_t k = 0; k < l.codecs.size(); ++k) out << (k == 0 ? "; " : ", ") << l.codecs[k];
    if (l.comfort_noise_packets > 0) out << "; " << l.comfort_noise_packets << " comfort noise packets";
    out << "\n";
    for (const GapRecord& g : l.gaps) {
      out << "    gap " << Seconds(g.from_ms) << " - " << Seconds(g.to_ms) << " " << g.kind;
      if (g.missing_packets > 0) out << " (" << g.missing_packets << " packets missing)";
      out << "\n";
    }
    if (l.gaps_omitted > 0) out << "    ... " << l.gaps_omitted << " more gaps, " << Seconds(l.gap_total_ms) << " in all\n";
    for (const SpanRecord& p : l.pauses) {
      out << "    paused " << Seconds(p.from_ms) << " - " << Seconds(p.to_ms) << "\n";
    }
  }
}

void PrintDetail(const RecordingRecord& r, std::ostream& out) {
  out << "recording_id:   " << r.recording_id << "\n"
      << "state:          " << RecordingStateName(r.state) << "\n"
      << "verdict:        " << (r.verdict.empty() ? "-" : r.verdict) << "\n";
  PrintFindings(r.completeness, out);
  out << "start_utc:      " << FormatUtcTime(r.start_ms_utc, true) << "\n"
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
  if (r.completeness.media_start_ms_utc != 0) PrintEvidence(r.completeness, out);
}

}  // namespace

int RunQueryCommand(int argc, char** argv, std::ostream& out, std::ostream& err) {
  Result<Args> args = ParseArgs(
      argc, argv,
      {"data-dir", "config", "number", "participant", "from", "to", "id", "state", "verdict", "limit",
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
  QueryParams params;
  params.id = args->Get("id");
  params.number = args->Get("number");
  params.participant = args->Get("participant");
  params.from = args->Get("from");
  params.to = args->Get("to");
  params.state = args->Get("state");
  params.verdict = args->Get("verdict");
  params.limit = args->Get("limit");
  params.offset = args->Get("offset");
  params.order = args->Get("order");
  params.metadata_status = args->Get("metadata-status");
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
