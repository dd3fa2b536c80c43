// Shared parts of the office documents (see document_layout.h, office_documents.h).
#include "document_layout.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "kronika/srs/access/access_register.h"
#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/core/i18n.h"
#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {
namespace {

// "2026" of a time as the office's clock shows it. FormatLocalTime's English form starts
// with the year ("2026-12-07 01:46:52 CET"): one source of local time for every document.
std::string LocalYear(int64_t ms_utc, std::string_view time_zone) {
  const std::string t = FormatLocalTime(ms_utc, time_zone, "en");
  return t.size() >= 4 ? t.substr(0, 4) : t;
}

std::string Digits(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= '0' && c <= '9') out += c;
  }
  return out;
}

}  // namespace

std::string PlaybackProtocolNumber(uint64_t register_seq, int64_t listened_at_ms_utc,
                                   std::string_view time_zone) {
  std::string n = "PO/" + std::to_string(register_seq);
  if (listened_at_ms_utc > 0) n += "/" + LocalYear(listened_at_ms_utc, time_zone);
  return n;
}

std::string HandOverProtocolNumber(std::string_view disclosure_id, int64_t filed_ms_utc, unsigned hand_over,
                                   std::string_view time_zone) {
  std::string n(disclosure_id);
  if (disclosure_id.substr(0, 3) == "DR-" && Digits(disclosure_id.substr(3)).size() == disclosure_id.size() - 3 &&
      disclosure_id.size() > 3) {
    n = std::to_string(std::stoull(std::string(disclosure_id.substr(3))));
  }
  std::string out = "PP/" + n;
  if (filed_ms_utc > 0) out += "/" + LocalYear(filed_ms_utc, time_zone);
  if (hand_over > 1) out += "-" + std::to_string(hand_over);
  return out;
}

std::string DocumentLanguage(std::string_view requested, std::string_view office_language) {
  if (!requested.empty() && IsSupportedLanguage(requested)) return std::string(requested);
  if (!office_language.empty() && IsSupportedLanguage(office_language)) return std::string(office_language);
  return std::string(kDefaultLanguage);
}

std::string Fill(std::string text, std::initializer_list<std::pair<std::string_view, std::string>> values) {
  for (const auto& [name, value] : values) {
    const std::string key = "{" + std::string(name) + "}";
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size()))
      text.replace(at, key.size(), value);
  }
  return text;
}

std::string DocTr(const DocumentSettings& settings, const char* msgid) { return Tr(settings.language, msgid); }

int64_t IssuedMs(const DocumentSettings& settings) {
  if (settings.issued_ms_utc > 0) return settings.issued_ms_utc;
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string DocTime(const DocumentSettings& settings, int64_t ms_utc) {
  if (ms_utc == 0) return "";
  return FormatLocalTime(ms_utc, settings.time_zone, settings.language);
}

std::string DocTimeOfIso(const DocumentSettings& settings, const std::string& iso_utc) {
  if (iso_utc.empty()) return "";
  Result<int64_t> ms = ParseUtcTime(iso_utc);
  return ms.ok() ? DocTime(settings, *ms) : iso_utc;
}

std::string PlaceAndDate(const DocumentSettings& settings) {
  const std::string date = FormatLocalDate(IssuedMs(settings), settings.time_zone, settings.language);
  if (settings.place.empty()) {
    // TRANSLATORS: the date line of a document when no place is configured.
    return Fill(DocTr(settings, N_("dated {date}")), {{"date", date}});
  }
  // TRANSLATORS: the place and date line at the top of a document: "Warszawa, dnia 7 grudnia 2026 r."
  return Fill(DocTr(settings, N_("{place}, {date}")), {{"place", settings.place}, {"date", date}});
}

std::string NumberLine(const DocumentSettings& settings, const std::string& number) {
  // TRANSLATORS: a document's number, "Nr PO/17/2026".
  return Fill(DocTr(settings, N_("No. {number}")), {{"number", number}});
}

std::string OrBlank(const std::string& value) {
  return value.empty() ? std::string(60, '.') : value;
}

PrintDocument NewPrintDocument(const DocumentSettings& settings, const std::string& title,
                               const std::string& subject) {
  PrintDocument doc;
  doc.title = title;
  doc.author = settings.office_name;
  doc.subject = subject;
  doc.created = FormatUtcTime(IssuedMs(settings));
  // TRANSLATORS: every page's number at the bottom right of a document.
  doc.page_label = DocTr(settings, N_("page {page} of {pages}"));
  return doc;
}

PrintLetterhead Letterhead(const DocumentSettings& settings, const std::string& number) {
  PrintLetterhead h;
  h.office_name = settings.office_name;
  h.office_address = settings.office_address;
  h.logo_png = settings.logo_png;
  h.place_date = PlaceAndDate(settings);
  h.number = NumberLine(settings, number);
  h.footer = h.number;
  return h;
}

std::string HtmlStart(const DocumentSettings& settings, const std::string& title) {
  // "strona X z Y" in the page margin where the browser prints margin boxes (CSS Paged Media).
  std::string label = DocTr(settings, N_("page {page} of {pages}"));
  std::string css_label;
  for (size_t at = 0; at < label.size();) {
    const size_t open = label.find('{', at);
    const std::string literal = label.substr(at, open == std::string::npos ? std::string::npos : open - at);
    if (!literal.empty()) css_label += " \"" + literal + "\"";
    if (open == std::string::npos) break;
    const size_t close = label.find('}', open);
    if (close == std::string::npos) break;
    const std::string name = label.substr(open + 1, close - open - 1);
    css_label += name == "page" ? " counter(page)" : name == "pages" ? " counter(pages)" : "";
    at = close + 1;
  }
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"" << HtmlEscape(settings.language) << "\"><head><meta charset=\"utf-8\"><title>"
       << HtmlEscape(title) << "</title>\n<style>"
       << "body{font-family:'DejaVu Sans',sans-serif;font-size:10.5pt;max-width:48em;margin:2em auto;color:#000}"
          "table{border-collapse:collapse;width:100%;margin:0.5em 0 1em}"
          "th,td{border:1px solid #000;padding:4px;text-align:left;vertical-align:top;overflow-wrap:anywhere}"
          "th{background:#eee}table.rows th{width:35%}"
          ".head{display:flex;justify-content:space-between;border-bottom:1px solid #000;padding-bottom:0.6em;margin-bottom:1.2em}"
          ".office{display:flex;gap:0.8em;align-items:flex-start}.office img{max-height:56pt;max-width:110pt}"
          ".office b{font-size:1.1em}.where{text-align:right}.addr{white-space:pre-line}"
          ".sigs{display:flex;gap:1em;margin-top:2em;page-break-inside:avoid}"
          ".sig{flex:1;text-align:center}.sig .line{border-bottom:1px dotted #000;height:3.2em;margin:0 10%}"
          ".sig small{color:#555}pre{font-family:'DejaVu Sans Mono',monospace;font-size:9pt;white-space:pre-wrap}"
          "@page{size:A4;margin:18mm;@bottom-right{content:"
       << css_label << ";font-size:8pt}}"
       << "@media print{body{margin:0;max-width:none}section.doc{break-after:page}}"
       << "</style></head><body>\n";
  return html.str();
}

std::string HtmlLetterhead(const DocumentSettings& settings, const std::string& number) {
  std::ostringstream html;
  html << "<div class=\"head\"><div class=\"office\">";
  if (!settings.logo_png.empty()) {
    std::ifstream in(settings.logo_png, std::ios::binary);
    std::ostringstream png;
    png << in.rdbuf();
    if (in || in.eof()) {
      html << "<img alt=\"" << HtmlEscape(settings.office_name) << "\" src=\"data:image/png;base64,"
           << Base64Encode(png.str()) << "\">";
    }
  }
  html << "<div>";
  if (!settings.office_name.empty()) html << "<b>" << HtmlEscape(settings.office_name) << "</b>";
  if (!settings.office_address.empty())
    html << "<div class=\"addr\">" << HtmlEscape(settings.office_address) << "</div>";
  html << "</div></div><div class=\"where\">" << HtmlEscape(PlaceAndDate(settings)) << "<br><b>"
       << HtmlEscape(NumberLine(settings, number)) << "</b></div></div>\n";
  return html.str();
}

std::string HtmlSignatures(const std::vector<PrintSignature>& signatures) {
  std::ostringstream html;
  html << "<div class=\"sigs\">";
  for (const PrintSignature& s : signatures) {
    html << "<div class=\"sig\"><b>" << HtmlEscape(s.role) << "</b><div class=\"line\"></div>"
         << (s.name.empty() ? std::string("&nbsp;") : HtmlEscape(s.name)) << "<br>" << HtmlEscape(s.position);
    if (!s.note.empty()) html << "<br><small>" << HtmlEscape(s.note) << "</small>";
    html << "</div>";
  }
  html << "</div>\n";
  return html.str();
}

std::string HtmlEnd() { return "</body></html>\n"; }

std::string HtmlRows(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::ostringstream html;
  html << "<table class=\"rows\">\n";
  for (const auto& [label, value] : rows)
    html << "<tr><th>" << HtmlEscape(label) << "</th><td>" << HtmlEscape(value) << "</td></tr>\n";
  html << "</table>\n";
  return html.str();
}

std::string HtmlTable(const std::vector<std::vector<std::string>>& rows) {
  std::ostringstream html;
  html << "<table>\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    html << "<tr>";
    for (const auto& cell : rows[i])
      html << (i == 0 ? "<th>" : "<td>") << HtmlEscape(cell) << (i == 0 ? "</th>" : "</td>");
    html << "</tr>\n";
  }
  html << "</table>\n";
  return html.str();
}

}  // namespace kronika::srs
