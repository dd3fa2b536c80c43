// The parts the office documents share (office_documents.h), in their PDF (PrintDocument)
// and HTML forms: letterhead, place and date, signature fields, page numbering, filling
// {placeholders} of translated text. Private to srs/access.
// Threads: pure functions.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kronika/srs/access/office_documents.h"
#include "pdf_protocol.h"

namespace kronika::srs {

// `text` with each "{name}" replaced by its value (translated text keeps its placeholders,
// so a translation may reorder them).
std::string Fill(std::string text, std::initializer_list<std::pair<std::string_view, std::string>> values);

// Tr() in the document's language.
std::string DocTr(const DocumentSettings& settings, const char* msgid);

// The issue time: settings.issued_ms_utc, or now.
int64_t IssuedMs(const DocumentSettings& settings);
// A time for the document: "07.12.2026, 01:46:52 CET"; "" for 0.
std::string DocTime(const DocumentSettings& settings, int64_t ms_utc);
// An ISO-8601 UTC text (a register entry's) as a document time; the text itself when it
// does not parse, "" when empty.
std::string DocTimeOfIso(const DocumentSettings& settings, const std::string& iso_utc);
// "Warszawa, dnia 7 grudnia 2026 r." (without a place: "dnia 7 grudnia 2026 r.").
std::string PlaceAndDate(const DocumentSettings& settings);
// "Nr PO/17/2026".
std::string NumberLine(const DocumentSettings& settings, const std::string& number);
// A line of dots for a field filled in by hand, when `value` is empty.
std::string OrBlank(const std::string& value);

// A PrintDocument with the metadata set: title, author (the office), subject, creation
// date, "strona {page} z {pages}".
PrintDocument NewPrintDocument(const DocumentSettings& settings, const std::string& title,
                               const std::string& subject);
PrintLetterhead Letterhead(const DocumentSettings& settings, const std::string& number);

// HTML: the page up to <body> (print styles with "strona X z Y" where the browser supports
// page margin boxes), a document's letterhead, signature fields, the end.
std::string HtmlStart(const DocumentSettings& settings, const std::string& title);
std::string HtmlLetterhead(const DocumentSettings& settings, const std::string& number);
std::string HtmlSignatures(const std::vector<PrintSignature>& signatures);
std::string HtmlEnd();
// A label/value table (th/td rows).
std::string HtmlRows(const std::vector<std::pair<std::string, std::string>>& rows);
// A table whose first row is the header.
std::string HtmlTable(const std::vector<std::vector<std::string>>& rows);

}  // namespace kronika::srs
