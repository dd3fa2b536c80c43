// Printable protocols as PDF (REG-2 playback protocols, DISC-3 hand-over protocol).
//
// A protocol is described as a PrintDocument (headings, paragraphs, bordered tables,
// page breaks) and laid out on A4 pages with cairo's PDF surface and pango (UTF-8 text,
// wrapping, Polish diacritics) in the DejaVu Sans font (Debian: fonts-dejavu-core; any
// sans font fontconfig finds otherwise). Table rows that do not fit on a page move to the
// next one; a row taller than a page is cut.
//
// Threads: RenderPdf may be called from any thread; calls are serialised internally
// (fontconfig/pango font maps are shared state and printing is rare).
#pragma once

#include <string>
#include <vector>

#include "kronika/result.h"

namespace kronika::srs {

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

// The PDF bytes ("%PDF-1.5 ..."). Error 500 when cairo fails.
Result<std::string> RenderPdf(const PrintDocument& doc);

}  // namespace kronika::srs
