// ListeningRegister (see access_register.h).
#include "kronika/srs/access/access_register.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/csv_writer.h"
#include "pdf_protocol.h"

namespace kronika::srs {
namespace {

const std::string kGenesisHash(64, '0');
constexpr char kMetaCount[] = "register_count";
constexpr char kMetaHead[] = "register_head";

std::string Text(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return "";
  if (j[key].is_string()) return j[key].get<std::string>();
  return DumpJson(j[key]);
}

std::string ParticipantsText(const nlohmann::json& entry) {
  std::string out;
  for (const auto& p : entry.value("participants", nlohmann::json::array())) {
    if (!out.empty()) out += "; ";
    out += p.value("name", "") + " <" + p.value("number", "") + ">";
  }
  return out;
}

}  // namespace

std::string RegisterEntryHash(const nlohmann::json& entry) {
  nlohmann::json body = entry;
  body.erase("entry_hash");
  return Sha256Hex(body.value("prev_hash", "") + "\n" + DumpJson(body));
}

Result<std::vector<nlohmann::json>> ListeningRegister::Entries() const {
  std::vector<nlohmann::json> out;
  std::ifstream in(file_);
  if (!in) return out;  // no playback yet
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded())
      return MakeError(500, "register: unreadable line " + std::to_string(out.size() + 1));
    out.push_back(std::move(j));
  }
  return out;
}

Result<RegisterVerification> ListeningRegister::Verify() const {
  RegisterVerification v;
  v.head_hash = kGenesisHash;
  std::ifstream in(file_, std::ios::binary);
  std::string line;
  uint64_t line_no = 0;
  auto fail = [&](std::string problem) {
    v.ok = false;
    v.first_bad_line = line_no;
    v.problem = std::move(problem);
    return v;
  };
  while (in && std::getline(in, line)) {
    ++line_no;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return fail("line " + std::to_string(line_no) + ": not a JSON object");
    if (j.value("seq", uint64_t{0}) != line_no) {
      return fail("line " + std::to_string(line_no) + ": seq " + Text(j, "seq") + ", expected " +
                  std::to_string(line_no) + " (entry removed or reordered)");
    }
    if (j.value("prev_hash", "") != v.head_hash) {
      return fail("entry " + std::to_string(line_no) +
                  ": prev_hash does not match the previous entry");
    }
    if (RegisterEntryHash(j) != j.value("entry_hash", "")) {
      return fail("entry " + std::to_string(line_no) + ": content altered (entry_hash mismatch)");
    }
    v.head_hash = j.value("entry_hash", "");
    v.entries = line_no;
  }
  auto count = db_.Get(AccessTable::kMeta, kMetaCount);
  auto head = db_.Get(AccessTable::kMeta, kMetaHead);
  if (!count.ok()) return count.error();
  if (!head.ok()) return head.error();
  const uint64_t expected = count->has_value() ? std::stoull(**count) : 0;
  line_no = 0;
  if (expected != v.entries) {
    return fail("register holds " + std::to_string(v.entries) + " entries, the database recorded " +
                std::to_string(expected) + " (entries removed or added outside Kronika)");
  }
  if (expected > 0 && head->value_or("") != v.head_hash) {
    return fail("head hash differs from the one recorded in the database");
  }
  v.ok = true;
  return v;
}

Result<nlohmann::json> ListeningRegister::Append(nlohmann::json entry) {
  std::lock_guard lock(mu_);
  int fd = ::open(file_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return MakeError(500, "register: open " + file_.string() + ": " + std::strerror(errno));
  ::flock(fd, LOCK_EX);
  Result<nlohmann::json> result = [&]() -> Result<nlohmann::json> {
    // The chain is extended from the head recorded in the database (not from the file), so
    // an altered file stays detectable; refuse to append onto a broken register.
    Result<RegisterVerification> v = Verify();
    if (!v.ok()) return v.error();
    if (!v->ok)
      return MakeError(500, "register: refusing to append, register is damaged: " + v->problem);
    entry["seq"] = v->entries + 1;
    entry["prev_hash"] = v->head_hash;
    entry["entry_hash"] = RegisterEntryHash(entry);
    const std::string line = DumpJson(entry) + "\n";
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
        ::fsync(fd) != 0) {
      return MakeError(500, "register: write " + file_.string() + ": " + std::strerror(errno));
    }
    Status s = db_.Write([&](AccessWriteTxn& txn) -> Status {
      if (Status p = txn.Put(AccessTable::kMeta, kMetaCount, std::to_string(v->entries + 1));
          !p.ok())
        return p;
      return txn.Put(AccessTable::kMeta, kMetaHead, entry["entry_hash"].get<std::string>());
    });
    if (!s.ok()) return s.error();
    return entry;
  }();
  ::flock(fd, LOCK_UN);
  ::close(fd);
  return result;
}

std::string RegisterCsv(const std::vector<nlohmann::json>& entries) {
  CsvWriter csv;
  csv.Row({"seq", "listened_at_utc", "recording_id", "called_number", "calling_number", "call_start_utc",
           "listened_from_s", "listened_to_s", "participants", "listener_name", "listener_surname",
           "listener_position", "username", "token_id", "request_id", "reason", "approved_by", "entry_hash"});
  for (const auto& e : entries) {
    const nlohmann::json listener = e.value("listener", nlohmann::json::object());
    const nlohmann::json identity = e.value("identity", nlohmann::json::object());
    std::vector<std::string> f = {Text(e, "seq"),
                                  Text(e, "listened_at_utc"),
                                  Text(e, "recording_id"),
                                  Text(e, "called_number"),
                                  Text(e, "calling_number"),
                                  Text(e, "call_start_utc"),
                                  Text(e, "listened_from_s"),
                                  Text(e, "listened_to_s"),
                                  ParticipantsText(e),
                                  Text(listener, "name"),
                                  Text(listener, "surname"),
                                  Text(listener, "position"),
                                  Text(identity, "username"),
                                  Text(identity, "token_id"),
                                  Text(e, "request_id"),
                                  Text(e, "reason"),
                                  Text(e, "approved_by"),
                                  Text(e, "entry_hash")};
    csv.Row(f);
  }
  return csv.Take();
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> RegisterProtocolRows(const nlohmann::json& e) {
  const nlohmann::json listener = e.value("listener", nlohmann::json::object());
  const nlohmann::json details = e.value("protocol", nlohmann::json::object());
  return {
      {"Date of listening", Text(e, "listened_at_utc")},
      {"Listeners", Text(listener, "name") + " " + Text(listener, "surname") + ", " +
                        Text(listener, "position") + " (" +
                        Text(e.value("identity", nlohmann::json::object()), "username") + ")"},
      {"Date and time of the call", Text(e, "call_start_utc")},
      {"Part listened to", Text(e, "listened_from_s") + " s - " + Text(e, "listened_to_s") + " s"},
      {"Participants", ParticipantsText(e)},
      {"Phone numbers",
       "calling " + Text(e, "calling_number") + ", called " + Text(e, "called_number")},
      {"Kind of incident", Text(e, "reason_text")},
      {"Circumstances", Text(e, "justification")},
      {"Causes", Text(details, "causes")},
      {"Actions taken", Text(details, "actions")},
      {"Follow-up", Text(details, "follow_up")},
      {"Approver's position", Text(e, "approved_by") + ": " + Text(e, "approver_note")},
      {"Recording", Text(e, "recording_id")},
      {"Register entry hash", Text(e, "entry_hash")},
  };
}

std::string RegisterProtocolHtml(const std::vector<nlohmann::json>& entries,
                                 const std::string& title) {
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
       << HtmlEscape(title)
       << "</title>\n<style>body{font-family:serif;max-width:48em;margin:2em auto}"
          "table{border-collapse:collapse;width:100%;margin-bottom:2em}"
          "th,td{border:1px solid #000;padding:4px;text-align:left;vertical-align:top}"
          "th{width:35%}.sig{height:3em}@media "
          "print{section{page-break-after:always}}</style></head><body>\n"
       << "<h1>" << HtmlEscape(title) << "</h1>\n";
  for (const auto& e : entries) {
    html << "<section><h2>Playback protocol, register entry " << HtmlEscape(Text(e, "seq"))
         << "</h2><table>\n";
    for (const auto& [label, value] : RegisterProtocolRows(e)) {
      html << "<tr><th>" << HtmlEscape(label) << "</th><td>" << HtmlEscape(value) << "</td></tr>\n";
    }
    html << "<tr><th>Signatures</th><td class=\"sig\"></td></tr>\n</table></section>\n";
  }
  html << "</body></html>\n";
  return html.str();
}

Result<std::string> RegisterProtocolPdf(const std::vector<nlohmann::json>& entries,
                                        const std::string& title) {
  PrintDocument doc;
  doc.title = title;
  doc.Heading(title);
  if (entries.empty()) doc.Paragraph("The register holds no entries.");
  for (size_t i = 0; i < entries.size(); ++i) {
    const nlohmann::json& e = entries[i];
    if (i > 0) doc.PageBreak();  // one protocol per sheet, for the case file
    doc.Subheading("Playback protocol, register entry " + Text(e, "seq"));
    PrintTable table;
    table.column_weights = {35, 65};
    table.label_column = true;
    for (auto& [label, value] : RegisterProtocolRows(e)) table.rows.push_back({label, value});
    doc.Table(std::move(table));
    PrintTable signatures;
    signatures.column_weights = {35, 65};
    signatures.label_column = true;
    signatures.min_row_height_pt = 40;
    signatures.rows.push_back({"Signatures", ""});
    doc.Table(std::move(signatures));
  }
  return RenderPdf(doc);
}

}  // namespace kronika::srs
