// kronika-pdf: the helper RenderPdf starts once per document (see pdf_protocol.h). Reads a
// PrintDocument as JSON (print_document_json.h) on stdin, writes the PDF to stdout.
// Exit 0 with the PDF; 1 with one line on stderr when the input is not a document or cairo
// fails. Not meant to be run by hand.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "pdf_protocol.h"
#include "print_document_json.h"

// LeakSanitizer (the ASan build of the unit tests builds this helper too): fontconfig keeps
// its parsed configuration and font list for the life of the process once pango has asked
// for a font. That is a cache, not a leak of ours, but LSan's report at exit turns exit 0
// into a failure and RenderPdf into an error. Only stacks inside libfontconfig are ignored;
// in a build without sanitizers nothing calls this.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }

int main() {
  using kronika::srs::PrintDocumentFromJson;
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  const nlohmann::json json = nlohmann::json::parse(input, nullptr, false);
  if (json.is_discarded()) {
    std::fputs("kronika-pdf: the input is not JSON\n", stderr);
    return 1;
  }
  auto doc = PrintDocumentFromJson(json);
  if (!doc.ok()) {
    std::fprintf(stderr, "kronika-pdf: %s\n", doc.error().message.c_str());
    return 1;
  }
  auto pdf = kronika::srs::RenderPdfInProcess(*doc);
  if (!pdf.ok()) {
    std::fprintf(stderr, "kronika-pdf: %s\n", pdf.error().message.c_str());
    return 1;
  }
  if (std::fwrite(pdf->data(), 1, pdf->size(), stdout) != pdf->size() || std::fflush(stdout) != 0) {
    std::fputs("kronika-pdf: cannot write the PDF to stdout\n", stderr);
    return 1;
  }
  return 0;
}
