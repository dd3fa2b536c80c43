// What a person reads from a `kronika` tool (issue 16 item 1): text in the office's language
// (`[office] language`, Tr(); po/pl/cli.po) and times in its time zone with the zone shown.
// Machine output (--json, --csv) never goes through here: it stays UTC ISO-8601.
// Private to srs/cli. Threads: the CLI's main thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cli_common.h"

namespace kronika::srs {

class CliText {
 public:
  CliText() = default;  // Polish, Europe/Warsaw
  CliText(std::string language, std::string time_zone)
      : language_(std::move(language)), time_zone_(std::move(time_zone)) {}
  // The office's language and zone from the configuration `data` names; the defaults when
  // it cannot be read (the command reports that error itself).
  static CliText For(const DataOptions& data);

  std::string operator()(const char* msgid) const;  // Tr() in the office's language
  // "25.11.2026, 11:00:00 CET"; "-" for 0 (never set).
  std::string Time(int64_t ms_utc) const;
  const std::string& language() const { return language_; }

 private:
  std::string language_ = "pl";
  std::string time_zone_ = "Europe/Warsaw";
};

// `text` padded with spaces to `width` characters (UTF-8 code points, not bytes, so Polish
// letters keep columns aligned); longer text is left as it is.
std::string Pad(std::string_view text, size_t width);

// "{name}" replaced by its value in translated text.
std::string FillIn(std::string text, std::string_view name, const std::string& value);

}  // namespace kronika::srs
