// Printable protocols as PDF (REG-2 playback protocols, DISC-3 hand-over protocol).
//
// A protocol is described as a PrintDocument (headings, paragraphs, bordered tables,
// page breaks) and laid out on A4 pages by the `kronika-pdf` helper program with cairo's
// PDF surface and pango (UTF-8 text, wrapping, Polish diacritics) in the DejaVu Sans font
// (Debian: fonts-dejavu-core; any sans font fontconfig finds otherwise). Table rows that do
// not fit on a page move to the next one; a row taller than a page is cut.
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

struct PrintBlock {
  enum class Kind { kHeading, kSubheading, kParagraph, kTable, kPageBreak };
  Kind kind = Kind::kParagraph;
  std::string text;  // UTF-8, plain (not markup)
  PrintTable table;
};

struct PrintDocument {
  std::string title;  // PDF metadata title
  std::vector<PrintBlock> blocks;

  void Heading(std::string text) {
    blocks.push_back({PrintBlock::Kind::kHeading, std::move(text), {}});
  }
  void Subheading(std::string text) {
    blocks.push_back({PrintBlock::Kind::kSubheading, std::move(text), {}});
  }
  void Paragraph(std::string text) {
    blocks.push_back({PrintBlock::Kind::kParagraph, std::move(text), {}});
  }
  void Table(PrintTable table) {
    blocks.push_back({PrintBlock::Kind::kTable, "", std::move(table)});
  }
  void PageBreak() { blocks.push_back({PrintBlock::Kind::kPageBreak, "", {}}); }
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
