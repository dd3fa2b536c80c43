#include "kronika/policy/civil_time.h"

#include <chrono>
#include <cstdio>

namespace kronika::policy {
namespace {

namespace chr = std::chrono;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

bool IsLeapYear(int year) { return chr::year{year}.is_leap(); }

int DaysInMonth(int year, int month) {
  const chr::year_month_day_last last{chr::year{year} / chr::month{static_cast<unsigned>(month)} /
                                      chr::last};
  return static_cast<int>(static_cast<unsigned>(last.day()));
}

bool IsValidDate(const CivilDate& date) {
  return date.month >= 1 && date.month <= 12 && date.day >= 1 &&
         date.day <= DaysInMonth(date.year, date.month);
}

int64_t DaysFromCivil(const CivilDate& date) {
  const chr::year_month_day ymd{chr::year{date.year}, chr::month{static_cast<unsigned>(date.month)},
                                chr::day{static_cast<unsigned>(date.day)}};
  return chr::sys_days{ymd}.time_since_epoch().count();
}

CivilDate CivilFromDays(int64_t days_since_epoch) {
  const chr::year_month_day ymd{chr::sys_days{chr::days{days_since_epoch}}};
  return CivilDate{static_cast<int>(ymd.year()),
                   static_cast<int>(static_cast<unsigned>(ymd.month())),
                   static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

Weekday WeekdayOf(const CivilDate& date) {
  const chr::weekday wd{chr::sys_days{chr::days{DaysFromCivil(date)}}};
  return static_cast<Weekday>(wd.c_encoding());
}

CivilDate AddDays(const CivilDate& date, int64_t days) {
  return CivilFromDays(DaysFromCivil(date) + days);
}

CivilDate AddMonthsClamped(const CivilDate& date, int months) {
  const int64_t month_index = static_cast<int64_t>(date.year) * 12 + (date.month - 1) + months;
  CivilDate out;
  out.year = static_cast<int>(FloorDiv(month_index, 12));
  out.month = static_cast<int>(month_index - static_cast<int64_t>(out.year) * 12) + 1;
  const int last = DaysInMonth(out.year, out.month);
  out.day = date.day > last ? last : date.day;
  return out;
}

CivilDateTime CivilFromMs(int64_t ms) {
  const int64_t days = FloorDiv(ms, kMsPerDay);
  int64_t rest = ms - days * kMsPerDay;
  CivilDateTime out;
  out.date = CivilFromDays(days);
  out.hour = static_cast<int>(rest / kMsPerHour);
  rest %= kMsPerHour;
  out.minute = static_cast<int>(rest / kMsPerMinute);
  rest %= kMsPerMinute;
  out.second = static_cast<int>(rest / kMsPerSecond);
  out.millisecond = static_cast<int>(rest % kMsPerSecond);
  return out;
}

int64_t MsFromCivil(const CivilDateTime& civil) {
  return DaysFromCivil(civil.date) * kMsPerDay + civil.hour * kMsPerHour +
         civil.minute * kMsPerMinute + civil.second * kMsPerSecond + civil.millisecond;
}

std::string FormatDate(const CivilDate& date) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", date.year, date.month, date.day);
  return buf;
}

std::string FormatDateTime(const CivilDateTime& civil) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d.%03d", FormatDate(civil.date).c_str(),
                civil.hour, civil.minute, civil.second, civil.millisecond);
  return buf;
}

bool ParseDate(const std::string& text, CivilDate& out) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  CivilDate date{std::stoi(text.substr(0, 4)), std::stoi(text.substr(5, 2)),
                 std::stoi(text.substr(8, 2))};
  if (!IsValidDate(date)) return false;
  out = date;
  return true;
}

}  // namespace kronika::policy
