// PDFs are drawn by the kronika-pdf helper process (issue 13 item 6, pdf_protocol.h): the
// document travels as JSON, the helper is found or named, its failures are errors.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <unistd.h>
#include <sstream>
#include <cstdio>
#include <optional>
#include <string>
#include <tuple>

#include "pdf_protocol.h"
#include "print_document_json.h"

namespace kronika::srs {
namespace {

// Every srs test prints through the helper built beside kronika unless the environment says
// otherwise.
const bool kPdfRendererSet = [] {
  ::setenv("KRONIKA_PDF_RENDERER", KRONIKA_PDF_RENDERER_BUILT, /*overwrite=*/0);
  return true;
}();

// Sets KRONIKA_PDF_RENDERER for one test and puts the old value back.
class RendererOverride {
 public:
  explicit RendererOverride(const char* path) {
    if (const char* old = std::getenv("KRONIKA_PDF_RENDERER")) old_ = old;
    ::setenv("KRONIKA_PDF_RENDERER", path, 1);
  }
  ~RendererOverride() {
    if (old_) {
      ::setenv("KRONIKA_PDF_RENDERER", old_->c_str(), 1);
    } else {
      ::unsetenv("KRONIKA_PDF_RENDERER");
    }
  }

 private:
  std::optional<std::string> old_;
};

PrintDocument SampleDocument() {
  PrintDocument doc;
  doc.title = "Protokół przekazania";
  doc.author = "Urząd Miasta Przykładowo";
  doc.subject = "protokół";
  doc.created = "2026-12-07T00:46:52Z";
  doc.page_label = "strona {page} z {pages}";
  doc.Document({"Urząd Miasta Przykładowo", "ul. Rynek 1\n00-950 Przykładowo", "", "Przykładowo, dnia 7 grudnia 2026 r.",
                "Nr PP/1/2026", "Nr PP/1/2026"});
  doc.Heading("Protokół przekazania nagrań");
  doc.Code("sha256sum -c MANIFEST.sha256");
  doc.Signatures({{"Przekazujący", "Anna Nowak", "inspektor", "(data i podpis)"}, {"Przyjmujący", "", "Policja", ""}});
  doc.Paragraph("Zażółć gęślą jaźń");
  PrintTable table;
  table.column_weights = {1, 2.5};
  table.header_row = true;
  table.label_column = true;
  table.min_row_height_pt = 40;
  table.font_size_pt = 8;
  table.rows = {{"Pole", "Wartość"}, {"Numer", "+48 601 234 567"}};
  doc.Table(table);
  doc.PageBreak();
  doc.Subheading("Podpisy");
  return doc;
}

TEST_CASE("pdf: a print document survives its JSON form for the helper") {
  const PrintDocument doc = SampleDocument();
  auto back = PrintDocumentFromJson(PrintDocumentToJson(doc));
  REQUIRE(back.ok());
  CHECK(back->title == doc.title);
  REQUIRE(back->blocks.size() == doc.blocks.size());
  for (size_t i = 0; i < doc.blocks.size(); ++i) {
    CHECK(back->blocks[i].kind == doc.blocks[i].kind);
    CHECK(back->blocks[i].text == doc.blocks[i].text);
    CHECK(back->blocks[i].table.rows == doc.blocks[i].table.rows);
    CHECK(back->blocks[i].table.column_weights == doc.blocks[i].table.column_weights);
    CHECK(back->blocks[i].table.header_row == doc.blocks[i].table.header_row);
    CHECK(back->blocks[i].table.label_column == doc.blocks[i].table.label_column);
    CHECK(back->blocks[i].table.min_row_height_pt == doc.blocks[i].table.min_row_height_pt);
    CHECK(back->blocks[i].table.font_size_pt == doc.blocks[i].table.font_size_pt);
    const PrintLetterhead &a = back->blocks[i].letterhead, &b = doc.blocks[i].letterhead;
    CHECK(std::tie(a.office_name, a.office_address, a.logo_png, a.place_date, a.number, a.footer) ==
          std::tie(b.office_name, b.office_address, b.logo_png, b.place_date, b.number, b.footer));
    REQUIRE(back->blocks[i].signatures.size() == doc.blocks[i].signatures.size());
    for (size_t k = 0; k < doc.blocks[i].signatures.size(); ++k) {
      const PrintSignature &x = back->blocks[i].signatures[k], &y = doc.blocks[i].signatures[k];
      CHECK(std::tie(x.role, x.name, x.position, x.note) == std::tie(y.role, y.name, y.position, y.note));
    }
  }
  CHECK(back->author == doc.author);
  CHECK(back->subject == doc.subject);
  CHECK(back->created == doc.created);
  CHECK(back->page_label == doc.page_label);
}

TEST_CASE("pdf: a malformed print document is refused naming the field, never thrown") {
  auto bad_kind = PrintDocumentFromJson({{"blocks", {{{"kind", "poster"}, {"text", "x"}}}}});
  REQUIRE_FALSE(bad_kind.ok());
  CHECK(bad_kind.error().code == ErrorCode::kInvalidInput);
  CHECK_THAT(bad_kind.error().message, Catch::Contains("blocks[0].kind") && Catch::Contains("poster"));
  auto bad_cell = PrintDocumentFromJson(
      {{"blocks", {{{"kind", "table"}, {"table", {{"column_weights", {1}}, {"rows", {{1}}}}}}}}});
  REQUIRE_FALSE(bad_cell.ok());
  CHECK_THAT(bad_cell.error().message, Catch::Contains("blocks[0].table.rows"));
  CHECK_FALSE(PrintDocumentFromJson(nlohmann::json::array()).ok());
  CHECK_FALSE(PrintDocumentFromJson({{"title", 7}, {"blocks", nlohmann::json::array()}}).ok());
}

TEST_CASE("pdf: RenderPdf returns the helper's PDF") {
  auto pdf = RenderPdf(SampleDocument());
  REQUIRE(pdf.ok());
  CHECK(pdf->rfind("%PDF-", 0) == 0);
  CHECK(pdf->find("%%EOF") != std::string::npos);
}

// Output of a poppler-utils command on `pdf` ("" when it fails); pdftotext writes to stdout.
std::string Poppler(const std::string& command, const std::string& pdf) {
  char path[] = "/tmp/kronika-pdf-test-XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, pdf.data(), pdf.size()) == static_cast<ssize_t>(pdf.size()));
  ::close(fd);
  std::string out;
  if (FILE* p = ::popen((command + " " + path + (command.rfind("pdftotext", 0) == 0 ? " -" : "") + " 2>/dev/null").c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    ::pclose(p);
  }
  ::unlink(path);
  return out;
}

TEST_CASE("pdf: documents count their pages, carry metadata and embed every font (issue 16 item 2)",
          "[needs-pdftotext]") {
  auto pdf = RenderPdf(SampleDocument());
  REQUIRE(pdf.ok());
  const std::string text = Poppler("pdftotext -enc UTF-8", *pdf);
  CHECK_THAT(text, Catch::Contains("Urząd Miasta Przykładowo") && Catch::Contains("Nr PP/1/2026"));
  CHECK_THAT(text, Catch::Contains("strona 1 z 2") && Catch::Contains("strona 2 z 2"));
  CHECK_THAT(text, Catch::Contains("Anna Nowak") && Catch::Contains("(data i podpis)"));
  const std::string info = Poppler("pdfinfo", *pdf);
  CHECK_THAT(info, Catch::Contains("Author:          Urząd Miasta Przykładowo"));
  CHECK_THAT(info, Catch::Contains("Title:           Protokół przekazania"));
  CHECK_THAT(info, Catch::Contains("CreationDate:") && Catch::Contains("2026"));
  // pdffonts: a "no" in the "emb" column would be a font the reader must substitute.
  const std::string fonts = Poppler("pdffonts", *pdf);
  std::istringstream lines(fonts);
  int listed = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("DejaVu") == std::string::npos) continue;
    ++listed;
    CHECK_THAT(line, Catch::Matches(".*(TrueType|CID TrueType) +\\S+ +yes +yes +yes.*"));
  }
  CHECK(listed >= 2);
}

TEST_CASE("pdf: a missing or failing helper is an error that says so") {
  {
    RendererOverride missing("/nonexistent/kronika-pdf");
    auto pdf = RenderPdf(SampleDocument());
    REQUIRE_FALSE(pdf.ok());
    CHECK(pdf.error().code == ErrorCode::kUnavailable);
    CHECK_THAT(pdf.error().message, Catch::Contains("/nonexistent/kronika-pdf"));
  }
  {
    RendererOverride failing("/bin/false");
    auto pdf = RenderPdf(SampleDocument());
    REQUIRE_FALSE(pdf.ok());
    CHECK(pdf.error().code == ErrorCode::kInternal);
    CHECK_THAT(pdf.error().message, Catch::Contains("/bin/false failed (exit 1)"));
  }
  {
    RendererOverride not_pdf("/bin/cat");  // answers, but with the JSON it was sent
    auto pdf = RenderPdf(SampleDocument());
    REQUIRE_FALSE(pdf.ok());
    CHECK(pdf.error().code == ErrorCode::kInternal);
  }
}

}  // namespace
}  // namespace kronika::srs
