// Playback protocols (REG-2) from listening-register entries, as HTML and PDF documents for
// an office's files (see access_register.h, office_documents.h). The wording follows the
// model protocol of Bolesławiec's regulation (annex 2, "Protokół z odsłuchania rozmowy
// telefonicznej") and Bydgoszcz's register fields (§6).
#include <array>
#include <cmath>
#include <cstdio>
#include <regex>
#include <sstream>

#include "document_layout.h"
#include "entry_fields.h"
#include "kronika/srs/access/access_register.h"
#include "kronika/srs/core/i18n.h"
#include "kronika/srs/core/json_fields.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/utc_time.h"
#include "pdf_protocol.h"

namespace kronika::srs {
namespace {

// The kinds of incident a listening may be ordered for (ACCESS-3 a-g) and the caller's own
// request (ACCESS-5), in the words of Bydgoszcz's regulation §5.6.
constexpr std::array<std::pair<std::string_view, const char*>, 8> kReasonWords = {{
    {"a", N_("verbal aggression of the caller")},
    {"b", N_("breach of the employee's personal rights")},
    {"c", N_("attempted bribery")},
    {"d", N_("breach of the law")},
    {"e", N_("complaint of the caller about how the employee treated them")},
    {"f", N_("verbal aggression of the employee")},
    {"g", N_("breach of the caller's personal rights by the employee")},
    {"caller", N_("request of the caller to hear their own call")},
}};

// "Jan Kowalski (+48601234567); Anna Nowak (+48221234567)".
std::string Participants(const nlohmann::json& entry) {
  std::string out;
  nlohmann::json participants = nlohmann::json::array();
  if (!ReadArray(entry, "participants", participants)) return out;
  for (const auto& p : participants) {
    const std::string name = Text(p, "name"), number = Text(p, "number");
    if (name.empty() && number.empty()) continue;
    if (!out.empty()) out += "; ";
    out += name.empty() ? number : number.empty() ? name : name + " (" + number + ")";
  }
  return out;
}

// 95.5 -> "1:35" (minutes:seconds of the recording).
std::string Offset(const nlohmann::json& entry, const char* key) {
  if (!entry.is_object() || !entry.contains(key) || !entry[key].is_number()) return "";
  const double s = entry[key].get<double>();
  if (!(s >= 0)) return "";
  const long total = std::lround(std::floor(s));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld", total / 60, total % 60);
  return buf;
}

// "Ewa Wójcik, dyrektor" -> {"Ewa Wójcik", "dyrektor"} (the approver as the request stored it).
std::pair<std::string, std::string> NameAndPosition(const std::string& by_name) {
  const size_t comma = by_name.find(", ");
  if (comma == std::string::npos) return {by_name, ""};
  return {by_name.substr(0, comma), by_name.substr(comma + 2)};
}

std::string Title(const DocumentSettings& s) {
  return DocTr(s, N_("Record of listening to a recorded telephone call"));
}

std::string Number(const nlohmann::json& e, const DocumentSettings& s) {
  uint64_t seq = 0;
  (void)ReadUint(e, "seq", seq);
  int64_t at = 0;
  if (!ReadInt(e, "listened_at_ms_utc", at) || at <= 0) {
    Result<int64_t> parsed = ParseUtcTime(Text(e, "listened_at_utc"));
    at = parsed.ok() ? *parsed : 0;
  }
  return PlaybackProtocolNumber(seq, at, s.time_zone);
}

std::vector<PrintSignature> Signatures(const nlohmann::json& e, const DocumentSettings& s) {
  const nlohmann::json listener = Sub(e, "listener");
  const auto [approver, approver_position] = NameAndPosition(Text(e, "approved_by"));
  const std::string note = DocTr(s, N_("(date and signature)"));
  return {{DocTr(s, N_("Person who listened")),
           Text(listener, "name") + (Text(listener, "surname").empty() ? "" : " " + Text(listener, "surname")),
           Text(listener, "position"), note},
          {DocTr(s, N_("Approved by")), approver, approver_position, note}};
}

}  // namespace

std::string PlaybackReasonInWords(std::string_view code, std::string_view language, std::string_view fallback) {
  for (const auto& [c, words] : kReasonWords) {
    if (c == code) return Tr(language, words);
  }
  // A stored text from an older build: "caller's verbal aggression (ACCESS-3 a)".
  static const std::regex kReference(R"(\s*\((?:[A-Z]+-\d+)[^)]*\))");
  return std::regex_replace(std::string(fallback), kReference, "");
}

std::vector<std::pair<std::string, std::string>> RegisterProtocolRows(const nlohmann::json& e,
                                                                      const DocumentSettings& s) {
  const nlohmann::json listener = Sub(e, "listener");
  const nlohmann::json details = Sub(e, "protocol");
  const nlohmann::json informed = Sub(e, "employee_informed");
  int64_t listened_at = 0;
  const std::string listened = ReadInt(e, "listened_at_ms_utc", listened_at) && listened_at > 0
                                   ? DocTime(s, listened_at)
                                   : DocTimeOfIso(s, Text(e, "listened_at_utc"));
  std::string listeners = Text(listener, "name") + " " + Text(listener, "surname");
  if (!Text(listener, "position").empty()) listeners += ", " + Text(listener, "position");
  // The parts played as the player reported them, else as served, else the entry's span
  // (listening_sessions.h folds a session's closing line into its entry).
  std::vector<std::pair<std::string, std::string>> spans;
  for (const char* key : {"parts_played", "parts_served"}) {
    nlohmann::json parts = nlohmann::json::array();
    if (!spans.empty() || !ReadArray(e, key, parts)) continue;
    for (const auto& p : parts) {
      const std::string from = Offset(p, "from_s"), to = Offset(p, "to_s");
      if (!from.empty() && !to.empty()) spans.emplace_back(from, to);
    }
  }
  if (spans.empty()) {
    const std::string from = Offset(e, "listened_from_s"), to = Offset(e, "listened_to_s");
    if (!from.empty() && !to.empty()) spans.emplace_back(from, to);
  }
  std::string part;
  for (const auto& [from, to] : spans) {
    if (!part.empty()) part += ", ";
    part += Fill(DocTr(s, N_("from {from} to {to}")), {{"from", from}, {"to", to}});
  }
  if (!part.empty()) {
    // TRANSLATORS: the parts of a recording listened to, as minutes:seconds from its start.
    part = Fill(DocTr(s, N_("{parts} (minutes:seconds of the recording)")), {{"parts", part}});
  }
  std::string informed_text;
  int64_t informed_at = 0;
  if (ReadInt(informed, "at_ms_utc", informed_at) && informed_at > 0) {
    // TRANSLATORS: when and how the employee who took the call was told of the listening.
    informed_text = Fill(DocTr(s, N_("{when}, {how}")), {{"when", DocTime(s, informed_at)}, {"how", Text(informed, "how")}});
  }
  std::string entry_ref = Fill(DocTr(s, N_("no. {seq}; SHA-256 checksum of the entry: {hash}")),
                               {{"seq", Text(e, "seq")}, {"hash", Text(e, "entry_hash")}});
  return {
      {DocTr(s, N_("Date and time of listening")), listened},
      {DocTr(s, N_("Persons who listened (name, surname, position)")), listeners},
      {DocTr(s, N_("Date and time of the call")), DocTimeOfIso(s, Text(e, "call_start_utc"))},
      {DocTr(s, N_("Part of the recording listened to")), OrBlank(part)},
      {DocTr(s, N_("Persons taking part in the call")), OrBlank(Participants(e))},
      {DocTr(s, N_("Phone number the call was made from")), OrBlank(Text(e, "calling_number"))},
      {DocTr(s, N_("Phone number the call was made to")), OrBlank(Text(e, "called_number"))},
      {DocTr(s, N_("Kind of incident")),
       OrBlank(PlaybackReasonInWords(Text(e, "reason"), s.language, Text(e, "reason_text")))},
      {DocTr(s, N_("Circumstances")), OrBlank(Text(e, "justification"))},
      {DocTr(s, N_("Causes of the incident")), OrBlank(Text(details, "causes"))},
      {DocTr(s, N_("Actions taken")), OrBlank(Text(details, "actions"))},
      {DocTr(s, N_("Explanatory proceedings")), OrBlank(Text(details, "follow_up"))},
      {DocTr(s, N_("Employee who took the call informed")), OrBlank(informed_text)},
      {DocTr(s, N_("Listening approved by")), OrBlank(Text(e, "approved_by"))},
      {DocTr(s, N_("Approver's position on further action")), OrBlank(Text(e, "approver_note"))},
      {DocTr(s, N_("Playback request")), Text(e, "request_id")},
      {DocTr(s, N_("Recording")), Text(e, "recording_id")},
      {DocTr(s, N_("Listening register entry")), entry_ref},
  };
}

std::string RegisterProtocolHtml(const std::vector<nlohmann::json>& entries, const DocumentSettings& s) {
  std::ostringstream html;
  html << HtmlStart(s, DocTr(s, N_("Records of listening to recorded telephone calls")));
  if (entries.empty()) {
    html << "<p>" << HtmlEscape(DocTr(s, N_("The listening register holds no entries for this period."))) << "</p>\n";
  }
  for (const auto& e : entries) {
    html << "<section class=\"doc\">\n" << HtmlLetterhead(s, Number(e, s)) << "<h1>" << HtmlEscape(Title(s))
         << "</h1>\n"
         << HtmlRows(RegisterProtocolRows(e, s)) << HtmlSignatures(Signatures(e, s)) << "</section>\n";
  }
  html << HtmlEnd();
  return html.str();
}

Result<std::string> RegisterProtocolPdf(const std::vector<nlohmann::json>& entries, const DocumentSettings& s) {
  PrintDocument doc = NewPrintDocument(s, DocTr(s, N_("Records of listening to recorded telephone calls")),
                                       entries.size() == 1 ? Title(s) + " " + Number(entries[0], s) : "");
  if (entries.empty()) {
    doc.Document(Letterhead(s, ""));
    doc.Paragraph(DocTr(s, N_("The listening register holds no entries for this period.")));
  }
  for (const nlohmann::json& e : entries) {
    doc.Document(Letterhead(s, Number(e, s)));  // one protocol per document, for its case file
    doc.Heading(Title(s));
    PrintTable table;
    table.column_weights = {35, 65};
    table.label_column = true;
    for (auto& [label, value] : RegisterProtocolRows(e, s)) table.rows.push_back({label, value});
    doc.Table(std::move(table));
    doc.Signatures(Signatures(e, s));
  }
  return RenderPdf(doc);
}

}  // namespace kronika::srs
