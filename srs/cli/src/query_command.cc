// kronika query / kronika show (see query_command.h).
#include "kronika/srs/cli/query_command.h"

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli_common.h"
#include "cli_text.h"
#include "kronika/srs/core/i18n.h"
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

// Opens the store read-only; the data dir must hold one (RequireDatabase).
Result<std::unique_ptr<Store>> OpenReadOnly(const DataOptions& data) {
  Result<FoundConfig> found = LoadExistingData(data);
  if (!found.ok()) return found.error();
  StoreOptions options;
  options.read_only = true;
  return Store::Open(found->config.DatabaseDir(), options);
}

// A string option that is left unset (nullopt) unless given.
CLI::Option* AddOptional(CLI::App& app, const std::string& name, std::optional<std::string>& out,
                         const std::string& description, const std::string& type) {
  return app.add_option_function<std::string>(name, [&out](const std::string& v) { out = v; }, description)
      ->type_name(type);
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

// A recording's state and verdict as a person reads them (the codes stay in --json/--csv
// and in the filters).
std::string StateText(const CliText& t, std::string_view state) {
  static constexpr std::pair<std::string_view, const char*> kStates[] = {
      {"active", N_("recording")},  {"completed", N_("completed")},
      {"interrupted", N_("interrupted")}, {"failed", N_("failed")}};
  for (const auto& [code, text] : kStates)
    if (code == state) return t(text);
  return std::string(state);
}

std::string VerdictText(const CliText& t, std::string_view verdict) {
  static constexpr std::pair<std::string_view, const char*> kVerdicts[] = {
      {"complete", N_("complete")}, {"partial", N_("partial")},   {"one-way", N_("one-way")},
      {"silent", N_("silent")},     {"no-media", N_("no media")}, {"interrupted", N_("interrupted")},
      {"unparsed", N_("unreadable")}};
  if (verdict.empty()) return "-";
  for (const auto& [code, text] : kVerdicts)
    if (code == verdict) return t(text);
  return std::string(verdict);
}

void PrintTable(const CliText& t, const std::vector<RecordingRecord>& rows, std::ostream& out) {
  // TRANSLATORS: column headings of `kronika query`; keep them short.
  out << Pad(t(N_("RECORDING")), 26) << "  " << Pad(t(N_("START")), 25) << "  " << Pad(t(N_("LENGTH")), 9) << "  "
      << Pad(t(N_("STATE")), 13) << "  " << Pad(t(N_("VERDICT")), 13) << "  " << Pad(t(N_("NUMBERS")), 44) << "  "
      << t(N_("PARTICIPANTS")) << "\n";
  for (const RecordingRecord& r : rows) {
    char duration[32];
    std::snprintf(duration, sizeof duration, "%8.1f s", r.duration_s);
    out << Pad(r.recording_id, 26) << "  " << Pad(t.Time(r.start_ms_utc), 25) << "  " << Pad(duration, 9) << "  "
        << Pad(StateText(t, RecordingStateName(r.state)), 13) << "  " << Pad(VerdictText(t, r.verdict), 13) << "  "
        << Pad(JoinNumbers(r), 44) << "  " << JoinNames(r) << "\n";
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

std::string LegName(const CliText& t, const CompletenessRecord& c, int leg) {
  if (leg < 0 || static_cast<size_t>(leg) >= c.legs.size()) return t(N_("the recording"));
  const LegEvidenceRecord& l = c.legs[static_cast<size_t>(leg)];
  // TRANSLATORS: one call leg (RTP stream) of a recording: "leg 2 (label 2)".
  return FillIn(FillIn(t(N_("leg {n} (label {label})")), "n", std::to_string(leg + 1)), "label", l.label);
}

// Why the verdict: one line per finding.
void PrintFindings(const CliText& t, const CompletenessRecord& c, std::ostream& out) {
  for (const FindingRecord& f : c.findings) {
    out << "  " << LegName(t, c, f.leg) << ": ";
    const std::string from = Seconds(f.from_ms), to = Seconds(f.to_ms);
    if (f.kind == "no-packets") {
      out << t(N_("no RTP"));
    } else if (f.kind == "no-signal") {
      out << t(N_("RTP, but only silence or comfort noise"));
    } else if (f.kind == "gap") {
      out << FillIn(FillIn(t(N_("nothing from {from} to {to}")), "from", from), "to", to);
    } else if (f.kind == "gaps-omitted") {
      out << FillIn(t(N_("more gaps after {from} than the evidence lists")), "from", from);
    } else if (f.kind == "cut-short") {
      out << FillIn(FillIn(t(N_("the file stops at {from}, the call went on to {to}")), "from", from), "to", to);
    } else {
      out << f.kind;
    }
    out << "\n";
  }
}

// A timeline time: the office's clock with milliseconds, "25.11.2026, 11:01:00.200 CET".
std::string TimeMs(const CliText& t, int64_t ms_utc) {
  std::string text = t.Time(ms_utc);
  const size_t zone = text.rfind(' ');
  if (ms_utc == 0 || zone == std::string::npos) return text;
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03d", static_cast<int>(((ms_utc % 1000) + 1000) % 1000));
  return text.insert(zone, ms);
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

void PrintDetail(const CliText& t, const RecordingRecord& r, std::ostream& out) {
  // Labels padded to one column; a label is at most 24 characters in any language.
  auto label = [&](const char* msgid) { return Pad(t(msgid), 24) + " "; };
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.1f s", r.duration_s);
  out << label(N_("Recording:")) << r.recording_id << "\n"
      << label(N_("State:")) << StateText(t, RecordingStateName(r.state)) << "\n"
      << label(N_("Completeness:")) << VerdictText(t, r.verdict) << "\n";
  PrintFindings(t, r.completeness, out);
  out << label(N_("Start:")) << TimeMs(t, r.start_ms_utc) << "\n"
      << label(N_("End:")) << TimeMs(t, r.end_ms_utc) << "\n"
      << label(N_("Length:")) << duration << "\n"
      << label(N_("File:")) << r.file_path << " ("
      << FillIn(t(N_("{bytes} bytes")), "bytes", std::to_string(r.file_bytes)) << ", " << r.codec << ")\n"
      << label(N_("SIP Call-ID:")) << r.sip_call_id << "\n"
      << label(N_("Recording client (SRC):")) << r.src_host << "\n"
      << label(N_("Site:")) << r.site << "\n"
      << label(N_("Legal hold:")) << (r.legal_hold ? t(N_("yes")) : t(N_("no"))) << "\n"
      << label(N_("Metadata:"))
      << (r.metadata_status.empty() ? t(N_("(not judged)")) : VerdictText(t, r.metadata_status)) << "\n"
      << label(N_("Kept until:")) << t.Time(r.retention_expiry_ms_utc) << "\n"
      << t(N_("Participants:")) << "\n";
  for (const ParticipantRecord& p : r.participants) {
    out << "  [" << (p.channel >= 0 ? std::to_string(p.channel) : "-") << "] "
        << (p.name.empty() ? t(N_("(no name)")) : p.name) << "  " << DisplayNumber(p) << "  " << p.aor
        << "  id=" << p.participant_id << "\n";
  }
  if (!r.metadata_issues.empty()) out << t(N_("Metadata issues:")) << "\n";
  for (const MetadataIssueRecord& issue : r.metadata_issues) {
    out << "  " << issue.reason << ": " << issue.detail << "\n";
  }
  out << t(N_("Timeline:")) << "\n";
  for (const TimelineEvent& e : r.timeline) {
    out << "  " << TimeMs(t, e.time_ms_utc) << "  " << e.kind;
    if (!e.detail.empty()) out << "  " << e.detail;
    out << "\n";
  }
  // The evidence behind the verdict is for engineers: packet counts and codec names.
  if (r.completeness.media_start_ms_utc != 0) PrintEvidence(r.completeness, out);
}

}  // namespace

int RunQueryCommand(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"List recordings from the store (read-only: runs beside the daemon).", "kronika query"};
  DataOptions data;
  QueryParams params;
  std::string country_code;
  bool json = false, csv = false;
  AddOptional(app, "--number", params.number,
              "a participant's phone number in any usual form (+48 601-234-567, 0601234567)", "NUMBER");
  AddOptional(app, "--participant", params.participant, "case-insensitive part of a name or address", "NAME");
  AddOptional(app, "--from", params.from, "started at or after TIME (2026-11-25T10:00:00Z or 2026-11-25)", "TIME");
  AddOptional(app, "--to", params.to, "started before TIME (a date: that whole day included)", "TIME");
  AddOptional(app, "--id", params.id, "one recording by its id", "ID");
  AddOptional(app, "--state", params.state, "active, completed, interrupted or failed", "STATE");
  AddOptional(app, "--verdict", params.verdict,
              "complete, partial, one-way, silent, no-media or interrupted", "V");
  AddOptional(app, "--metadata-status", params.metadata_status,
              "how the metadata was read: complete, partial or unparsed", "STATUS");
  AddOptional(app, "--limit", params.limit, "at most N rows (1..10000, default 100)", "N");
  AddOptional(app, "--offset", params.offset, "skip the first N matches (paging)", "N");
  AddOptional(app, "--order", params.order, "asc (oldest first, default) or desc", "asc|desc");
  app.add_option("--country-code", country_code, "country code of national number forms (default 48)")
      ->type_name("CC")
      ->check(CLI::Validator(
          [](std::string& cc) {
            const bool digits = !cc.empty() && cc.size() <= 3 && cc.find_first_not_of("0123456789") == std::string::npos;
            return digits ? std::string() : "'" + cc + "' is not a country calling code (1-3 digits)";
          },
          "CC"));
  CLI::Option* json_flag = app.add_flag("--json", json, "JSON: {total, offset, limit, count, recordings}");
  app.add_flag("--csv", csv, "CSV with a stable header (docs/query.md)")->excludes(json_flag);
  app.footer("exit: 0 results, 1 no results, 2 error");
  AddDataOptions(app, data);
  if (std::optional<int> exit = ParseCommandLine(app, argc, argv, out, err)) return *exit;

  Result<RecordingQuery> query = MakeRecordingQuery(params);
  if (!query.ok()) {
    std::string message = query.error().message;  // "metadata_status: ..." names the option
    if (message.rfind("metadata_status", 0) == 0) message.replace(0, 15, "metadata-status");
    err << "kronika query: --" << message << "\n";
    return kExitError;
  }
  if (!country_code.empty()) query->default_country_code = country_code;
  Result<std::unique_ptr<Store>> store = OpenReadOnly(data);
  if (!store.ok()) {
    err << "kronika query: " << store.error().message << "\n";
    return kExitError;
  }
  Result<RecordingPage> page = (*store)->QueryPage(*query, /*count_total=*/json);
  if (!page.ok()) {
    err << "kronika query: " << page.error().message << "\n";
    return kExitError;
  }
  const std::vector<RecordingRecord>& rows = page->rows;
  if (json) {
    nlohmann::json body = RecordingListJson(rows);
    body["total"] = page->total.value_or(rows.size());
    body["offset"] = query->offset;
    body["limit"] = query->limit;
    out << DumpJson(body, 2) << "\n";
  } else if (csv) {
    out << RecordingsCsv(rows);
  } else if (!rows.empty()) {
    PrintTable(CliText::For(data), rows, out);
  } else {
    err << "kronika query: " << CliText::For(data)(N_("no recordings match")) << "\n";
  }
  return rows.empty() ? kExitNone : kExitFound;
}

int RunShowCommand(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"Show one recording: participants, file, timeline.", "kronika show"};
  DataOptions data;
  std::string id;
  bool json = false, received = false;
  app.add_option("ID", id, "recording id")->required();
  CLI::Option* json_flag = app.add_flag("--json", json, "the recording as JSON (docs/query.md)");
  app.add_flag("--received-metadata", received,
               "the last metadata document's bytes exactly as the SRC sent them")
      ->excludes(json_flag);
  app.footer("exit: 0 found, 1 not found, 2 error");
  AddDataOptions(app, data);
  if (std::optional<int> exit = ParseCommandLine(app, argc, argv, out, err)) return *exit;
  Result<std::unique_ptr<Store>> store = OpenReadOnly(data);
  if (!store.ok()) {
    err << "kronika show: " << store.error().message << "\n";
    return kExitError;
  }
  Result<std::optional<RecordingRecord>> rec = (*store)->Get(id);
  if (!rec.ok()) {
    err << "kronika show: " << rec.error().message << "\n";
    return kExitError;
  }
  if (!rec->has_value()) {
    err << "kronika show: " << FillIn(CliText::For(data)(N_("no recording {id}")), "id", id) << "\n";
    return kExitNone;
  }
  if (received) {
    const RecordingRecord& r = **rec;
    out << (r.metadata_xml_received.empty() ? r.metadata_xml_last : r.metadata_xml_received);
  } else if (json) {
    out << DumpJson(RecordingDetailJson(**rec), 2) << "\n";
  } else {
    PrintDetail(CliText::For(data), **rec, out);
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
