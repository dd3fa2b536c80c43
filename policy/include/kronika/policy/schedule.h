// Working-hours schedule of a site (SCOPE-2): 24/7, or windows per weekday in the site's
// time zone with a list of public holidays on which nothing is recorded.
//
// Bydgoszcz §3.2: "Nagrywanie rozmów telefonicznych odbywa się w godzinach pracy
// Ośrodka" (recording happens in the centre's working hours); Lubliniec §4.1 and
// Bolesławiec §1.6: "całodobowo" (around the clock). A call is judged by its START
// instant: a call begun at 15:59 in a window ending 16:00 is recorded whole.
//
// Threads: pure functions on values, any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/policy/civil_time.h"
#include "kronika/policy/time_zone.h"
#include "kronika/result.h"

namespace kronika::policy {

inline constexpr int kMinutesPerDay = 24 * 60;

// [start_minute, end_minute) of local wall-clock time, minutes after local midnight.
// 0 <= start < end <= 1440 ("00:00-24:00" is the whole day).
struct TimeWindow {
  int start_minute = 0;
  int end_minute = kMinutesPerDay;

  friend bool operator==(const TimeWindow&, const TimeWindow&) = default;
};

struct WorkingHours {
  bool always = true;  // true: 24/7 including holidays (weekly and holidays are ignored)
  // Windows per weekday, indexed by Weekday (0 = Sunday .. 6 = Saturday); empty = closed.
  std::array<std::vector<TimeWindow>, 7> weekly;
  std::vector<CivilDate> holidays;  // local dates on which the office is closed all day
};

enum class ScheduleVerdict {
  kAlways,         // 24/7 site
  kInWindow,       // inside a working window of that weekday
  kOutsideWindow,  // a working day, but before/after/between its windows
  kClosedDay,      // no windows on that weekday (weekend)
  kHoliday,        // a listed public holiday
};

struct ScheduleCheck {
  bool open = true;
  ScheduleVerdict verdict = ScheduleVerdict::kAlways;
  LocalTime local;  // the site's wall-clock reading of the instant
};

// Whether `ms_utc` falls in the site's working hours. REQUIRES: hours validated.
ScheduleCheck CheckSchedule(const WorkingHours& hours, const TimeZone& zone, int64_t ms_utc);

// "07:30-15:30" -> {450, 930}; "00:00-24:00" allowed. Error text names what is wrong
// (the caller prefixes the field): "\"7:30-15:30\" is not HH:MM-HH:MM".
Result<TimeWindow> ParseTimeWindow(std::string_view text);
std::string FormatTimeWindow(const TimeWindow& window);  // "07:30-15:30"

// Three-letter key used in configs and messages: "sun", "mon", ... "sat".
std::string_view WeekdayKey(Weekday day);

// Checks windows (ranges, no overlaps) and dates; sorts windows and holidays, removes
// duplicate holidays. Errors name the field under `field`: "hours.mon[1]: overlaps 08:00-16:00".
Status NormalizeWorkingHours(WorkingHours& hours, std::string_view field);

}  // namespace kronika::policy
