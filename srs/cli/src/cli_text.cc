// CliText (see cli_text.h).
#include "cli_text.h"

#include "kronika/srs/core/i18n.h"

namespace kronika::srs {

CliText CliText::For(const DataOptions& data) {
  Result<FoundConfig> found = LoadToolConfig(data);
  if (!found.ok()) return CliText();
  return CliText(found->config.office.language, found->config.office.time_zone);
}

std::string CliText::operator()(const char* msgid) const { return Tr(language_, msgid); }

std::string CliText::Time(int64_t ms_utc) const {
  if (ms_utc == 0) return "-";
  return FormatLocalTime(ms_utc, time_zone_, language_);
}

std::string Pad(std::string_view text, size_t width) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;  // count lead bytes only
  std::string out(text);
  if (chars < width) out.append(width - chars, ' ');
  return out;
}

std::string FillIn(std::string text, std::string_view name, const std::string& value) {
  const std::string key = "{" + std::string(name) + "}";
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size()))
    text.replace(at, key.size(), value);
  return text;
}

}  // namespace kronika::srs
