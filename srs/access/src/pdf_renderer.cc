// RenderPdfInProcess (see pdf_protocol.h): cairo PDF surface + pango layout, A4 portrait.
// Linked only into the kronika-pdf helper.
#include "pdf_protocol.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <memory>

namespace kronika::srs {
namespace {

constexpr double kPageWidthPt = 595.276;  // A4
constexpr double kPageHeightPt = 841.89;
constexpr double kMarginPt = 50;
constexpr double kCellPaddingPt = 4;
constexpr double kBlockGapPt = 8;
constexpr double kLineWidthPt = 0.6;
constexpr char kFont[] = "DejaVu Sans";

struct GObjectUnref {
  void operator()(void* p) const { g_object_unref(p); }
};
using Layout = std::unique_ptr<PangoLayout, GObjectUnref>;

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

class PageWriter {
 public:
  PageWriter(cairo_t* cr, PangoContext* pango) : cr_(cr), pango_(pango) {}

  Layout Text(const std::string& text, double size_pt, bool bold, double width_pt) const {
    Layout layout(pango_layout_new(pango_));
    PangoFontDescription* font = pango_font_description_new();
    pango_font_description_set_family(font, kFont);
    pango_font_description_set_absolute_size(font, size_pt * PANGO_SCALE);
    pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(layout.get(), font);
    pango_font_description_free(font);
    pango_layout_set_width(layout.get(), static_cast<int>(width_pt * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);  // hashes have no spaces
    pango_layout_set_text(layout.get(), text.c_str(), static_cast<int>(text.size()));
    return layout;
  }

  static double Height(PangoLayout* layout) {
    int w = 0, h = 0;
    pango_layout_get_size(layout, &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }

  void Draw(PangoLayout* layout, double x, double y) {
    cairo_set_source_rgb(cr_, 0, 0, 0);
    cairo_move_to(cr_, x, y);
    pango_cairo_show_layout(cr_, layout);
  }

  // A paragraph-like block; moves to a new page when it does not fit.
  void Flow(const std::string& text, double size_pt, bool bold, double gap_after_pt) {
    Layout layout = Text(text, size_pt, bold, ContentWidth());
    const double h = Height(layout.get());
    if (y_ + h > Bottom() && y_ > kMarginPt) NewPage();
    Draw(layout.get(), kMarginPt, y_);
    y_ += h + gap_after_pt;
  }

  void Table(const PrintTable& table) {
    double total = 0;
    for (double w : table.column_weights) total += w;
    if (total <= 0 || table.rows.empty()) return;
    for (size_t r = 0; r < table.rows.size(); ++r) {
      const bool header = table.header_row && r == 0;
      if (!Row(table, table.rows[r], header, total) && table.header_row && r > 0) {
        // The row moved to a new page: repeat the header row above it.
        Row(table, table.rows[0], true, total);
        Row(table, table.rows[r], false, total);
      }
    }
    y_ += kBlockGapPt;
  }

  void NewPage() {
    Footer();
    cairo_show_page(cr_);
    ++page_;
    y_ = kMarginPt;
  }

  void Finish() { Footer(); }

 private:
  static double ContentWidth() { return kPageWidthPt - 2 * kMarginPt; }
  static double Bottom() { return kPageHeightPt - kMarginPt; }

  void Footer() {
    Layout layout = Text(std::to_string(page_), 8, false, ContentWidth());
    pango_layout_set_alignment(layout.get(), PANGO_ALIGN_RIGHT);
    Draw(layout.get(), kMarginPt, kPageHeightPt - kMarginPt + 14);
  }

  // Draws one row; false when it first had to break to a new page (nothing drawn then).
  bool Row(const PrintTable& table, const std::vector<std::string>& cells, bool header,
           double total_weight) {
    std::vector<Layout> layouts;
    std::vector<double> widths;
    double h = header ? 0 : table.min_row_height_pt;
    for (size_t c = 0; c < table.column_weights.size(); ++c) {
      const double w = ContentWidth() * table.column_weights[c] / total_weight;
      widths.push_back(w);
      const std::string text = c < cells.size() ? cells[c] : "";
      const bool bold = header || (table.label_column && c == 0);
      layouts.push_back(Text(text, table.font_size_pt, bold, w - 2 * kCellPaddingPt));
      h = std::max(h, Height(layouts.back().get()) + 2 * kCellPaddingPt);
    }
    if (y_ + h > Bottom() && y_ > kMarginPt) {
      NewPage();
      if (table.header_row && !header) return false;
    }
    double x = kMarginPt;
    for (size_t c = 0; c < layouts.size(); ++c) {
      if (header || (table.label_column && c == 0)) {
        cairo_set_source_rgb(cr_, 0.92, 0.92, 0.92);
        cairo_rectangle(cr_, x, y_, widths[c], h);
        cairo_fill(cr_);
      }
      cairo_set_source_rgb(cr_, 0, 0, 0);
      cairo_set_line_width(cr_, kLineWidthPt);
      cairo_rectangle(cr_, x, y_, widths[c], h);
      cairo_stroke(cr_);
      Draw(layouts[c].get(), x + kCellPaddingPt, y_ + kCellPaddingPt);
      x += widths[c];
    }
    y_ += h;
    return true;
  }

  cairo_t* cr_;
  PangoContext* pango_;
  double y_ = kMarginPt;
  int page_ = 1;
};

}  // namespace

Result<std::string> RenderPdfInProcess(const PrintDocument& doc) {
  std::string pdf;
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(AppendToString, &pdf, kPageWidthPt, kPageHeightPt);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, doc.title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Kronika");
  cairo_t* cr = cairo_create(surface);
  PangoContext* pango = pango_cairo_create_context(cr);
  pango_cairo_context_set_resolution(pango, 72);  // 1 pt of font = 1 PDF unit
  {
    PageWriter page(cr, pango);
    for (const PrintBlock& b : doc.blocks) {
      switch (b.kind) {
        case PrintBlock::Kind::kHeading:
          page.Flow(b.text, 15, true, 2 * kBlockGapPt);
          break;
        case PrintBlock::Kind::kSubheading:
          page.Flow(b.text, 11.5, true, kBlockGapPt);
          break;
        case PrintBlock::Kind::kParagraph:
          page.Flow(b.text, 9.5, false, kBlockGapPt);
          break;
        case PrintBlock::Kind::kTable:
          page.Table(b.table);
          break;
        case PrintBlock::Kind::kPageBreak:
          page.NewPage();
          break;
      }
    }
    page.Finish();
  }
  g_object_unref(pango);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS)
    return MakeError(ErrorCode::kInternal, std::string("pdf: cairo: ") + cairo_status_to_string(status));
  return pdf;
}

}  // namespace kronika::srs
