#include "kronika/srs/core/utc_time.h"

#include <cstdio>
#include <ctime>

namespace kronika::srs {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

Error BadTime(std::string_view text) {
  return MakeError(400, "time '" + std::string(text) +
                            "' is not ISO-8601 UTC (2026-11-25T10:00:00Z) or a date (2026-11-25)");
}

bool ReadDigits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

Result<int64_t> ParseUtcTime(std::string_view text, bool date_is_end_of_day) {
  std::tm tm{};
  size_t pos = 0;
  int year, month, day, hour = 0, minute = 0, second = 0, millis = 0;
  if (!ReadDigits(text, pos, 4, year) || !Expect(text, pos, '-') ||
      !ReadDigits(text, pos, 2, month) || !Expect(text, pos, '-') ||
      !ReadDigits(text, pos, 2, day)) {
    return BadTime(text);
  }
  const bool date_only = pos == text.size();
  int64_t offset_ms = 0;
  if (!date_only) {
    if (!(Expect(text, pos, 'T') || Expect(text, pos, ' ')) || !ReadDigits(text, pos, 2, hour) ||
        !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, minute)) {
      return BadTime(text);
    }
    if (Expect(text, pos, ':')) {
      if (!ReadDigits(text, pos, 2, second)) return BadTime(text);
      if (Expect(text, pos, '.')) {
        size_t start = pos;
        int digit;
        while (pos < text.size() && ReadDigits(text, pos, 1, digit)) {
          if (pos - start <= 3) millis = millis * 10 + digit;
        }
        if (pos == start) return BadTime(text);
        for (size_t n = pos - start; n < 3; ++n) millis *= 10;
      }
    }
    if (Expect(text, pos, 'Z')) {
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      int sign = text[pos++] == '-' ? -1 : 1, oh, om;
      if (!ReadDigits(text, pos, 2, oh) || !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, om)) {
        return BadTime(text);
      }
      offset_ms = sign * (oh * 3600LL + om * 60LL) * 1000;
    } else {
      return BadTime(text);  // local times are ambiguous: require Z or an offset
    }
    if (pos != text.size()) return BadTime(text);
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return BadTime(text);
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t t = ::timegm(&tm);
  if (tm.tm_mday != day) return BadTime(text);  // e.g. 2026-02-30 rolled over
  int64_t ms = static_cast<int64_t>(t) * 1000 + millis - offset_ms;
  if (date_only && date_is_end_of_day) ms += kDayMs;
  return ms;
}

std::string FormatUtcTime(int64_t ms_utc, bool with_ms) {
  if (ms_utc == 0) return "";
  int64_t secs = ms_utc / 1000;
  int64_t millis = ms_utc % 1000;
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[96];
  if (with_ms) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(millis));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  return buf;
}

}  // namespace kronika::srs
