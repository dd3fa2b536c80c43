// The one CSV writer of srs/ (RFC 4180): comma-separated fields, CRLF line ends, a field
// quoted when it holds a comma, a quote, CR or LF (quotes doubled inside), every field valid
// UTF-8 whatever bytes it was given (U+FFFD for the rest, kronika/utf8.h). Used for the
// recordings list (csv_record.h) and the listening register export. Plain value; any
// thread, not shared.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace kronika::srs {

class CsvWriter {
 public:
  // Appends one line (CRLF-terminated) with these fields.
  void Row(std::initializer_list<std::string_view> fields);
  void Row(const std::vector<std::string>& fields);

  const std::string& text() const { return text_; }
  std::string Take() { return std::move(text_); }

 private:
  void Field(std::string_view field, bool first);

  std::string text_;
};

}  // namespace kronika::srs
