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
