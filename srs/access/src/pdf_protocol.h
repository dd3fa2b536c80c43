// Printable protocols as PDF (REG-2 playback protocols, DISC-3 hand-over protocol).
//
// A protocol is described as a PrintDocument (headings, paragraphs, bordered tables,
// page breaks) and laid out on A4 pages by the `kronika-pdf` helper program with cairo's
// PDF surface and pango (UTF-8 text, wrapping, Polish diacritics) in the DejaVu Sans font
// (Debian: fonts-dejavu-core; any sans font fontconfig finds otherwise), embedded as
// subsets. Table rows that do not fit on a page move to the next one; a row taller than a
// page is cut. The layout runs twice, so each page can say "page X of Y".
//
// Not PDF/A: cairo 1.16 (Debian 12) writes no XMP metadata stream, no output intent and no
// PDF/A identification, and has no API to add them (docs/compliance.md, "Documents").
//
// Why a helper process (issue 13 item 6): cairo, pango, fontconfig and freetype are large
// and parse fonts; a PDF is printed rarely. Started once per document, they never live in
// the recording daemon's address space (nor in the CLI's). The document goes to the helper
// as JSON on its stdin (print_document_json.h), the PDF comes back on its stdout.
//
// Threads: RenderPdf may be called from any thread, concurrently (one process each); it
// blocks until the helper is done (at most kPdfRenderTimeout).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "kronika/result.h"

namespace kronika::srs {

inline constexpr std::chrono::seconds kPdfRenderTimeout{120};

struct PrintTable {
  std::vector<double> column_weights;  // relative column widths, one per column
  bool header_row = false;             // first row in bold on grey
  bool label_column = false;           // first column in bold (label/value tables)
  std::vector<std::vector<std::string>> rows;
  double min_row_height_pt = 0;  // body rows; e.g. room for a handwritten signature
  double font_size_pt = 9;
};

// The head of a document for an office's files (issue 16 item 2): who issues it, where and
// when, and its number. Every text arrives translated; the helper knows no language.
struct PrintLetterhead {
  std::string office_name;     // bold, top left ("" = none)
  std::string office_address;  // below it; newlines kept
  std::string logo_png;        // path of a PNG drawn left of the name, at most 56 pt high; "" = none
  std::string place_date;      // top right: "Warszawa, dnia 7 grudnia 2026 r."
  std::string number;          // below it: "Nr ODS/17/2026"
  std::string footer;          // left of every page's number until the next letterhead
};

// One person's signature field: the role above a blank space and a dotted line, the name
// and position below it ("" = a blank line to fill in by hand).
struct PrintSignature {
  std::string role;      // "Przekazujący"
  std::string name;      // "Anna Nowak"
  std::string position;  // "inspektor"
  std::string note;      // small print below, e.g. "(data i podpis)"
};

struct PrintBlock {
  // kDocument starts a document of its own on a new page: its letterhead is drawn and its
  // pages are counted from 1 ("strona 1 z N" counts the pages up to the next kDocument).
  // kCode is monospaced text (commands in an annex); kSignatures side by side, kept on one page.
  enum class Kind { kHeading, kSubheading, kParagraph, kTable, kPageBreak, kDocument, kCode, kSignatures };
  Kind kind = Kind::kParagraph;
  std::string text;  // UTF-8, plain (not markup)
  PrintTable table;
  PrintLetterhead letterhead;
  std::vector<PrintSignature> signatures;
};

struct PrintDocument {
  std::string title;    // PDF metadata title
  std::string author;   // PDF metadata author: the office ("" = none)
  std::string subject;  // PDF metadata subject ("" = none)
  std::string created;  // PDF metadata creation date, ISO 8601 with offset ("" = none)
  // Every page's number, bottom right: {page} and {pages} replaced, e.g. "strona {page} z
  // {pages}"; "" = the bare page number.
  std::string page_label;
  std::vector<PrintBlock> blocks;

  void Heading(std::string text) { Add(PrintBlock::Kind::kHeading, std::move(text)); }
  void Subheading(std::string text) { Add(PrintBlock::Kind::kSubheading, std::move(text)); }
  void Paragraph(std::string text) { Add(PrintBlock::Kind::kParagraph, std::move(text)); }
  void Code(std::string text) { Add(PrintBlock::Kind::kCode, std::move(text)); }
  void Table(PrintTable table) {
    PrintBlock b;
    b.kind = PrintBlock::Kind::kTable;
    b.table = std::move(table);
    blocks.push_back(std::move(b));
  }
  void PageBreak() { Add(PrintBlock::Kind::kPageBreak, ""); }
  void Document(PrintLetterhead letterhead) {
    PrintBlock b;
    b.kind = PrintBlock::Kind::kDocument;
    b.letterhead = std::move(letterhead);
    blocks.push_back(std::move(b));
  }
  void Signatures(std::vector<PrintSignature> signatures) {
    PrintBlock b;
    b.kind = PrintBlock::Kind::kSignatures;
    b.signatures = std::move(signatures);
    blocks.push_back(std::move(b));
  }

 private:
  void Add(PrintBlock::Kind kind, std::string text) {
    PrintBlock b;
    b.kind = kind;
    b.text = std::move(text);
    blocks.push_back(std::move(b));
  }
};

// The PDF bytes ("%PDF-1.5 ...") from the helper. Errors: kUnavailable when the helper
// cannot be found or started (the message names where it looked), kInternal when it fails
// or takes longer than kPdfRenderTimeout (the message carries its error output).
Result<std::string> RenderPdf(const PrintDocument& doc);

// Where RenderPdf finds the helper: $KRONIKA_PDF_RENDERER when set, else `kronika-pdf`
// beside the running executable (the build tree), else ../libexec/kronika/kronika-pdf
// relative to it (the install). kUnavailable naming every place tried when none exists.
Result<std::filesystem::path> PdfRendererPath();

// Lays out `doc` with cairo and pango in this process: only the helper calls it (it is
// linked into `kronika-pdf`, not into the daemon or the CLI). Error kInternal when cairo fails.
Result<std::string> RenderPdfInProcess(const PrintDocument& doc);

}  // namespace kronika::srs
