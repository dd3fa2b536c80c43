// ISO-8601 in and out with Howard Hinnant's date (date::parse / date::format).
//
// date::parse reads the seconds field into a `long double S` that GCC 12 at -O2 believes may
// be used uninitialised once inlined. It is, when the seconds are missing (UBSan: a NaN
// rounded to long): ParseUtcTime only uses %T where the seconds' digits are present. The
// warning is placed in <chrono>, so it is silenced before anything includes it, for this
// file only.
#if defined(__GNUC__) && !defined(__clang__)  // clang has no such warning (and would warn about the name)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "kronika/srs/core/utc_time.h"

#include <date/date.h>

#include <cctype>
#include <chrono>
#include <regex>
#include <sstream>

namespace kronika::srs {
namespace {

using Ms = std::chrono::milliseconds;

Error BadTime(std::string_view text) {
  return MakeError(ErrorCode::kInvalidInput, "time '" + std::string(text) +
                                                 "' is not ISO-8601 UTC (2026-11-25T10:00:00Z) or a date (2026-11-25)");
}

// `text` read in full with `format`; with an offset (%Ez) the result is already UTC.
bool ParseWith(const std::string& text, const char* format, bool with_offset, date::sys_time<Ms>& out) {
  std::istringstream in(text);
  std::chrono::minutes offset{0};
  if (with_offset) {
    in >> date::parse(format, out, offset);
  } else {
    in >> date::parse(format, out);
  }
  return !in.fail() && in.peek() == std::char_traits<char>::eof();
}

}  // namespace

Result<int64_t> ParseUtcTime(std::string_view text, bool date_is_end_of_day) {
  // Only the shapes below reach date::parse: its %T and %Ez read fields they failed to parse
  // (an uninitialised seconds value, a minimum offset negated: undefined behaviour the
  // http_request fuzz target found), so a malformed query parameter is refused here first.
  // A four-digit year: "26-11-25" is not a date anyone means.
  static const std::regex kShape(
      R"(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?)");
  const std::string s(text);
  if (!std::regex_match(s, kShape)) return BadTime(text);
  date::sys_time<Ms> t;
  if (ParseWith(s, "%F", false, t)) {
    if (date_is_end_of_day) t += date::days{1};
    return t.time_since_epoch().count();
  }
  // Seconds with an optional fraction (%T), or minutes only (%R); 'T' or a space; 'Z' or an
  // offset. Times without either are refused: local time is ambiguous around DST changes.
  // %T only when the seconds' digits are there: date's %T reads them into an uninitialised
  // long double and rounds it even when they are missing (undefined behaviour, found by the
  // http_request fuzz target with "2026-03-29T01:30").
  const bool has_seconds = s.size() >= 19 && s[16] == ':' && std::isdigit(static_cast<unsigned char>(s[17])) &&
                           std::isdigit(static_cast<unsigned char>(s[18]));
  for (const char* format : {"%FT%TZ", "%F %TZ", "%FT%RZ", "%F %RZ"}) {
    if (!has_seconds && std::string_view(format).find("%T") != std::string_view::npos) continue;
    if (ParseWith(s, format, false, t)) return t.time_since_epoch().count();
  }
  for (const char* format : {"%FT%T%Ez", "%F %T%Ez", "%FT%R%Ez", "%F %R%Ez"}) {
    if (!has_seconds && std::string_view(format).find("%T") != std::string_view::npos) continue;
    if (ParseWith(s, format, true, t)) return t.time_since_epoch().count();
  }
  return BadTime(text);
}

std::string FormatUtcTime(int64_t ms_utc, bool with_ms) {
  if (ms_utc == 0) return "";
  if (with_ms) return FormatUtcTimeMs(ms_utc);
  return date::format("%FT%TZ", date::floor<std::chrono::seconds>(date::sys_time<Ms>{Ms{ms_utc}}));
}

std::string FormatUtcTimeMs(int64_t ms_utc) { return date::format("%FT%TZ", date::sys_time<Ms>{Ms{ms_utc}}); }

}  // namespace kronika::srs
