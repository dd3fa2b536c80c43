// RenderPdfInProcess (see pdf_protocol.h): cairo PDF surface + pango layout, A4 portrait.
// Linked only into the kronika-pdf helper.
//
// The document is laid out twice with the same fonts and widths: the first pass, into a PDF
// that is thrown away, counts the pages of each document (kDocument block to the next), so
// the second can print "page X of Y" on every page.
#include "pdf_protocol.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace kronika::srs {
namespace {

constexpr double kPageWidthPt = 595.276;  // A4
constexpr double kPageHeightPt = 841.89;
constexpr double kMarginPt = 50;
constexpr double kCellPaddingPt = 4;
constexpr double kBlockGapPt = 8;
constexpr double kLineWidthPt = 0.6;
constexpr double kLogoMaxHeightPt = 56;
constexpr double kLogoMaxWidthPt = 110;
constexpr double kSignatureSpacePt = 40;  // room for a handwritten signature
constexpr size_t kSignaturesPerRow = 3;
constexpr char kFont[] = "DejaVu Sans";
constexpr char kMonoFont[] = "DejaVu Sans Mono";

struct GObjectUnref {
  void operator()(void* p) const { g_object_unref(p); }
};
using Layout = std::unique_ptr<PangoLayout, GObjectUnref>;

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

cairo_status_t Discard(void*, const unsigned char*, unsigned int) { return CAIRO_STATUS_SUCCESS; }

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

struct TextStyle {
  double size_pt = 9.5;
  bool bold = false;
  bool mono = false;
  PangoAlignment align = PANGO_ALIGN_LEFT;
};

class PageWriter {
 public:
  // `known_pages`: each document's page count from the first pass; null in the first pass.
  PageWriter(cairo_t* cr, PangoContext* pango, std::string page_label,
             const std::vector<int>* known_pages)
      : cr_(cr), pango_(pango), page_label_(std::move(page_label)), known_pages_(known_pages) {}

  Layout Text(const std::string& text, const TextStyle& style, double width_pt) const {
    Layout layout(pango_layout_new(pango_));
    PangoFontDescription* font = pango_font_description_new();
    pango_font_description_set_family(font, style.mono ? kMonoFont : kFont);
    pango_font_description_set_absolute_size(font, style.size_pt * PANGO_SCALE);
    pango_font_description_set_weight(font, style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(layout.get(), font);
    pango_font_description_free(font);
    pango_layout_set_width(layout.get(), static_cast<int>(width_pt * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);  // hashes have no spaces
    pango_layout_set_alignment(layout.get(), style.align);
    pango_layout_set_text(layout.get(), text.c_str(), static_cast<int>(text.size()));
    return layout;
  }
  Layout Text(const std::string& text, double size_pt, bool bold, double width_pt) const {
    return Text(text, TextStyle{size_pt, bold, false, PANGO_ALIGN_LEFT}, width_pt);
  }

  static double Height(PangoLayout* layout) {
    int w = 0, h = 0;
    pango_layout_get_size(layout, &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }

  void Draw(PangoLayout* layout, double x, double y, double grey = 0) {
    cairo_set_source_rgb(cr_, grey, grey, grey);
    cairo_move_to(cr_, x, y);
    pango_cairo_show_layout(cr_, layout);
    content_on_page_ = true;
    started_ = true;
  }

  // A paragraph-like block; moves to a new page when it does not fit.
  void Flow(const std::string& text, const TextStyle& style, double gap_after_pt) {
    Layout layout = Text(text, style, ContentWidth());
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

  // A new document: a new page (unless this one is still blank), pages counted from 1, its
  // letterhead drawn. kInternal when the logo cannot be read.
  Status Document(const PrintLetterhead& head) {
    if (content_on_page_) NewPage();
    if (started_) {
      ++document_;
      page_in_document_ = 1;
    }
    started_ = true;
    footer_ = head.footer;
    double text_x = kMarginPt;
    double logo_h = 0;
    if (!head.logo_png.empty()) {
      cairo_surface_t* logo = cairo_image_surface_create_from_png(head.logo_png.c_str());
      const cairo_status_t status = cairo_surface_status(logo);
      if (status != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(logo);
        return MakeError(ErrorCode::kInternal, "pdf: logo " + head.logo_png + ": " +
                                                   cairo_status_to_string(status) +
                                                   " (a PNG file is expected)");
      }
      const double w = cairo_image_surface_get_width(logo), h = cairo_image_surface_get_height(logo);
      const double scale = std::min({kLogoMaxHeightPt / h, kLogoMaxWidthPt / w, 1.0});
      cairo_save(cr_);
      cairo_translate(cr_, kMarginPt, y_);
      cairo_scale(cr_, scale, scale);
      cairo_set_source_surface(cr_, logo, 0, 0);
      cairo_paint(cr_);
      cairo_restore(cr_);
      cairo_surface_destroy(logo);
      logo_h = h * scale;
      text_x += w * scale + 10;
      content_on_page_ = true;
      started_ = true;
    }
    const double right_x = kMarginPt + ContentWidth() * 0.6;
    double left_y = y_;
    if (!head.office_name.empty()) {
      Layout name = Text(head.office_name, 11, true, right_x - 10 - text_x);
      Draw(name.get(), text_x, left_y);
      left_y += Height(name.get()) + 2;
    }
    if (!head.office_address.empty()) {
      Layout address = Text(head.office_address, 9, false, right_x - 10 - text_x);
      Draw(address.get(), text_x, left_y);
      left_y += Height(address.get());
    }
    double right_y = y_;
    const double right_w = kMarginPt + ContentWidth() - right_x;
    for (const auto& [text, bold] : {std::pair{head.place_date, false}, std::pair{head.number, true}}) {
      if (text.empty()) continue;
      Layout layout = Text(text, TextStyle{9.5, bold, false, PANGO_ALIGN_RIGHT}, right_w);
      Draw(layout.get(), right_x, right_y);
      right_y += Height(layout.get()) + 3;
    }
    y_ = std::max({left_y, right_y, y_ + logo_h}) + 8;
    if (y_ > kMarginPt + 8) {
      cairo_set_source_rgb(cr_, 0, 0, 0);
      cairo_set_line_width(cr_, kLineWidthPt);
      cairo_move_to(cr_, kMarginPt, y_);
      cairo_line_to(cr_, kMarginPt + ContentWidth(), y_);
      cairo_stroke(cr_);
      y_ += 16;
    }
    return OkStatus();
  }

  // Signature fields side by side, at most kSignaturesPerRow a row; a row is never split.
  void Signatures(const std::vector<PrintSignature>& signatures) {
    for (size_t first = 0; first < signatures.size(); first += kSignaturesPerRow) {
      const size_t n = std::min(kSignaturesPerRow, signatures.size() - first);
      const double cell_w = ContentWidth() / static_cast<double>(n);
      struct Cell {
        Layout role, name, position, note;
      };
      std::vector<Cell> cells;
      double h = 0;
      for (size_t i = first; i < first + n; ++i) {
        const PrintSignature& s = signatures[i];
        const double w = cell_w - 2 * kCellPaddingPt;
        Cell c{Text(s.role, TextStyle{9, true, false, PANGO_ALIGN_CENTER}, w),
               Text(s.name.empty() ? std::string(40, '.') : s.name, TextStyle{9, false, false, PANGO_ALIGN_CENTER}, w),
               Text(s.position, TextStyle{8, false, false, PANGO_ALIGN_CENTER}, w),
               Text(s.note, TextStyle{7.5, false, false, PANGO_ALIGN_CENTER}, w)};
        h = std::max(h, Height(c.role.get()) + kSignatureSpacePt + 4 + Height(c.name.get()) +
                            Height(c.position.get()) + Height(c.note.get()));
        cells.push_back(std::move(c));
      }
      if (y_ + h > Bottom() && y_ > kMarginPt) NewPage();
      for (size_t i = 0; i < cells.size(); ++i) {
        const double x = kMarginPt + cell_w * static_cast<double>(i) + kCellPaddingPt;
        const double w = cell_w - 2 * kCellPaddingPt;
        double y = y_;
        Draw(cells[i].role.get(), x, y);
        y += Height(cells[i].role.get()) + kSignatureSpacePt;
        const double dots[] = {1.0, 2.0};
        cairo_save(cr_);
        cairo_set_dash(cr_, dots, 2, 0);
        cairo_set_line_width(cr_, kLineWidthPt);
        cairo_move_to(cr_, x + w * 0.1, y);
        cairo_line_to(cr_, x + w * 0.9, y);
        cairo_stroke(cr_);
        cairo_restore(cr_);
        y += 4;
        for (PangoLayout* layout : {cells[i].name.get(), cells[i].position.get(), cells[i].note.get()}) {
          Draw(layout, x, y, layout == cells[i].note.get() ? 0.35 : 0);
          y += Height(layout);
        }
      }
      y_ += h + 2 * kBlockGapPt;
    }
  }

  void NewPage() {
    Footer();
    cairo_show_page(cr_);
    ++page_in_document_;
    y_ = kMarginPt;
    content_on_page_ = false;
  }

  void Finish() { Footer(); }

  // Pages of each document so far (complete after Finish()).
  const std::vector<int>& pages() const { return pages_; }

 private:
  static double ContentWidth() { return kPageWidthPt - 2 * kMarginPt; }
  static double Bottom() { return kPageHeightPt - kMarginPt; }

  void Footer() {
    if (pages_.size() <= document_) pages_.resize(document_ + 1, 0);
    pages_[document_] = page_in_document_;
    const int total = known_pages_ && document_ < known_pages_->size() ? (*known_pages_)[document_]
                                                                        : page_in_document_;
    std::string label = page_label_.empty() ? "{page}" : page_label_;
    ReplaceAll(label, "{pages}", std::to_string(total));
    ReplaceAll(label, "{page}", std::to_string(page_in_document_));
    const double y = kPageHeightPt - kMarginPt + 14;
    Layout right = Text(label, TextStyle{8, false, false, PANGO_ALIGN_RIGHT}, ContentWidth());
    Draw(right.get(), kMarginPt, y);
    if (!footer_.empty()) {
      Layout left = Text(footer_, 8, false, ContentWidth() * 0.7);
      Draw(left.get(), kMarginPt, y);
    }
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
  std::string page_label_;
  const std::vector<int>* known_pages_;
  std::vector<int> pages_;
  std::string footer_;
  size_t document_ = 0;
  int page_in_document_ = 1;
  bool started_ = false;          // a kDocument or any content came before
  bool content_on_page_ = false;  // something was drawn on the current page
  double y_ = kMarginPt;
};

// One layout pass into `surface`; the page count of each document in `pages`.
Status LayOut(const PrintDocument& doc, cairo_surface_t* surface, const std::vector<int>* known_pages,
              std::vector<int>& pages) {
  cairo_t* cr = cairo_create(surface);
  PangoContext* pango = pango_cairo_create_context(cr);
  pango_cairo_context_set_resolution(pango, 72);  // 1 pt of font = 1 PDF unit
  Status status = OkStatus();
  {
    PageWriter page(cr, pango, doc.page_label, known_pages);
    for (const PrintBlock& b : doc.blocks) {
      switch (b.kind) {
        case PrintBlock::Kind::kHeading:
          page.Flow(b.text, TextStyle{15, true}, 2 * kBlockGapPt);
          break;
        case PrintBlock::Kind::kSubheading:
          page.Flow(b.text, TextStyle{11.5, true}, kBlockGapPt);
          break;
        case PrintBlock::Kind::kParagraph:
          page.Flow(b.text, TextStyle{9.5, false}, kBlockGapPt);
          break;
        case PrintBlock::Kind::kCode:
          page.Flow(b.text, TextStyle{8, false, true}, kBlockGapPt);
          break;
        case PrintBlock::Kind::kTable:
          page.Table(b.table);
          break;
        case PrintBlock::Kind::kPageBreak:
          page.NewPage();
          break;
        case PrintBlock::Kind::kDocument:
          if (status.ok()) status = page.Document(b.letterhead);
          break;
        case PrintBlock::Kind::kSignatures:
          page.Signatures(b.signatures);
          break;
      }
    }
    page.Finish();
    pages = page.pages();
  }
  g_object_unref(pango);
  cairo_destroy(cr);
  return status;
}

}  // namespace

Result<std::string> RenderPdfInProcess(const PrintDocument& doc) {
  std::vector<int> pages;
  {  // first pass: page counts only
    cairo_surface_t* counting =
        cairo_pdf_surface_create_for_stream(Discard, nullptr, kPageWidthPt, kPageHeightPt);
    const Status laid_out = LayOut(doc, counting, nullptr, pages);
    cairo_surface_destroy(counting);
    if (!laid_out.ok()) return laid_out.error();
  }
  std::string pdf;
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(AppendToString, &pdf, kPageWidthPt, kPageHeightPt);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, doc.title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Kronika");
  if (!doc.author.empty())
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, doc.author.c_str());
  if (!doc.subject.empty())
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, doc.subject.c_str());
  if (!doc.created.empty())
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, doc.created.c_str());
  std::vector<int> final_pages;
  const Status laid_out = LayOut(doc, surface, &pages, final_pages);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (!laid_out.ok()) return laid_out.error();
  if (status != CAIRO_STATUS_SUCCESS)
    return MakeError(ErrorCode::kInternal, std::string("pdf: cairo: ") + cairo_status_to_string(status));
  return pdf;
}

}  // namespace kronika::srs
