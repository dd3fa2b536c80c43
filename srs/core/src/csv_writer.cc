#include "kronika/srs/core/csv_writer.h"

#include "kronika/utf8.h"

namespace kronika::srs {

void CsvWriter::Field(std::string_view raw, bool first) {
  if (!first) text_.push_back(',');
  const std::string field = ValidUtf8(raw);
  if (field.find_first_of(",\"\r\n") == std::string::npos) {
    text_.append(field);
    return;
  }
  text_.push_back('"');
  for (char c : field) {
    if (c == '"') text_.push_back('"');
    text_.push_back(c);
  }
  text_.push_back('"');
}

void CsvWriter::Row(std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (std::string_view f : fields) {
    Field(f, first);
    first = false;
  }
  text_.append("\r\n");
}

void CsvWriter::Row(const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) Field(fields[i], i == 0);
  text_.append("\r\n");
}

}  // namespace kronika::srs
