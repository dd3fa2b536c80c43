// Civil (calendar) dates and times, independent of any time zone.
//
// The proleptic Gregorian calendar as std::chrono's <chrono> calendar types define it;
// this header gives the policy module small value types that print and compare well in
// tests and configs. Pure functions, any thread.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace kronika::policy {

inline constexpr int64_t kMsPerSecond = 1000;
inline constexpr int64_t kMsPerMinute = 60 * kMsPerSecond;
inline constexpr int64_t kMsPerHour = 60 * kMsPerMinute;
inline constexpr int64_t kMsPerDay = 24 * kMsPerHour;

// A calendar date. Valid when month is 1..12 and day is 1..DaysInMonth(year, month).
struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31

  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
};

// A wall-clock reading: date plus time of day with millisecond resolution.
struct CivilDateTime {
  CivilDate date;
  int hour = 0;         // 0..23
  int minute = 0;       // 0..59
  int second = 0;       // 0..59
  int millisecond = 0;  // 0..999

  friend auto operator<=>(const CivilDateTime&, const CivilDateTime&) = default;
};

// Day of the week, numbered as POSIX TZ rules and struct tm number them.
enum class Weekday { kSunday = 0, kMonday, kTuesday, kWednesday, kThursday, kFriday, kSaturday };

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);  // REQUIRES: month 1..12
bool IsValidDate(const CivilDate& date);

// Days since 1970-01-01 (negative before). REQUIRES: IsValidDate(date).
int64_t DaysFromCivil(const CivilDate& date);
CivilDate CivilFromDays(int64_t days_since_epoch);
Weekday WeekdayOf(const CivilDate& date);
CivilDate AddDays(const CivilDate& date, int64_t days);

// The date `months` calendar months after `date`; when the target month is shorter, the
// last day of that month (2026-11-30 + 3 months -> 2027-02-28). This is how the Polish
// Civil Code (art. 112 k.c.) ends a period counted in months. REQUIRES: months >= 0.
CivilDate AddMonthsClamped(const CivilDate& date, int months);

// Civil reading of a UTC instant (ms since the Unix epoch) with a fixed offset applied.
CivilDateTime CivilFromMs(int64_t ms);
int64_t MsFromCivil(const CivilDateTime& civil);

// "2026-03-29", "2026-03-29T03:00:00.000" (no offset; see TimeZone for zoned output).
std::string FormatDate(const CivilDate& date);
std::string FormatDateTime(const CivilDateTime& civil);

// Parses "YYYY-MM-DD"; false (and `out` untouched) when malformed or not a real date.
bool ParseDate(const std::string& text, CivilDate& out);

}  // namespace kronika::policy
