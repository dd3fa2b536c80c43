#include "kronika/policy/schedule.h"

#include <algorithm>
#include <cstdio>

namespace kronika::policy {

ScheduleCheck CheckSchedule(const WorkingHours& hours, const TimeZone& zone, int64_t ms_utc) {
  ScheduleCheck out;
  out.local = zone.ToLocal(ms_utc);
  if (hours.always) return out;
  const CivilDate& day = out.local.civil.date;
  if (std::binary_search(hours.holidays.begin(), hours.holidays.end(), day)) {
    out.open = false;
    out.verdict = ScheduleVerdict::kHoliday;
    return out;
  }
  const std::vector<TimeWindow>& windows = hours.weekly[static_cast<size_t>(WeekdayOf(day))];
  if (windows.empty()) {
    out.open = false;
    out.verdict = ScheduleVerdict::kClosedDay;
    return out;
  }
  const int minute = out.local.civil.hour * 60 + out.local.civil.minute;
  for (const TimeWindow& w : windows) {
    if (minute >= w.start_minute && minute < w.end_minute) {
      out.verdict = ScheduleVerdict::kInWindow;
      return out;
    }
  }
  out.open = false;
  out.verdict = ScheduleVerdict::kOutsideWindow;
  return out;
}

namespace {

// "HH:MM" with HH 00..24 (24 only as "24:00"); minutes after midnight or -1.
int ParseHhMm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return -1;
  for (size_t i : {0u, 1u, 3u, 4u}) {
    if (s[i] < '0' || s[i] > '9') return -1;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

}  // namespace

Result<TimeWindow> ParseTimeWindow(std::string_view text) {
  const size_t dash = text.find('-');
  const int start = dash == std::string_view::npos ? -1 : ParseHhMm(text.substr(0, dash));
  const int end = dash == std::string_view::npos ? -1 : ParseHhMm(text.substr(dash + 1));
  if (start < 0 || end < 0) {
    return MakeError(ErrorCode::kInvalidInput, "\"" + std::string(text) + "\" is not HH:MM-HH:MM");
  }
  if (start >= end) {
    return MakeError(
        ErrorCode::kInvalidInput,
        "\"" + std::string(text) + "\" ends before it starts (windows may not cross midnight)");
  }
  return TimeWindow{start, end};
}

std::string FormatTimeWindow(const TimeWindow& w) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02d:%02d-%02d:%02d", w.start_minute / 60, w.start_minute % 60,
                w.end_minute / 60, w.end_minute % 60);
  return buf;
}

std::string_view WeekdayKey(Weekday day) {
  static constexpr std::string_view kKeys[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  return kKeys[static_cast<size_t>(day)];
}

Status NormalizeWorkingHours(WorkingHours& hours, std::string_view field) {
  const std::string f(field);
  for (size_t d = 0; d < hours.weekly.size(); ++d) {
    std::vector<TimeWindow>& windows = hours.weekly[d];
    const std::string key = f + "." + std::string(WeekdayKey(static_cast<Weekday>(d)));
    for (size_t i = 0; i < windows.size(); ++i) {
      const TimeWindow& w = windows[i];
      if (w.start_minute < 0 || w.end_minute > kMinutesPerDay || w.start_minute >= w.end_minute) {
        return MakeError(ErrorCode::kInvalidInput, key + "[" + std::to_string(i) + "]: window " +
                                                       std::to_string(w.start_minute) + ".." +
                                                       std::to_string(w.end_minute) +
                                                       " min is not within one day");
      }
    }
    std::sort(windows.begin(), windows.end(), [](const TimeWindow& a, const TimeWindow& b) {
      return a.start_minute < b.start_minute;
    });
    for (size_t i = 1; i < windows.size(); ++i) {
      if (windows[i].start_minute < windows[i - 1].end_minute) {
        return MakeError(ErrorCode::kInvalidInput, key + ": " + FormatTimeWindow(windows[i]) +
                                                       " overlaps " +
                                                       FormatTimeWindow(windows[i - 1]));
      }
    }
  }
  for (size_t i = 0; i < hours.holidays.size(); ++i) {
    if (!IsValidDate(hours.holidays[i])) {
      return MakeError(ErrorCode::kInvalidInput, f + ".holidays[" + std::to_string(i) +
                                                     "]: " + FormatDate(hours.holidays[i]) +
                                                     " is not a calendar date");
    }
  }
  std::sort(hours.holidays.begin(), hours.holidays.end());
  hours.holidays.erase(std::unique(hours.holidays.begin(), hours.holidays.end()),
                       hours.holidays.end());
  if (!hours.always) {
    const bool any = std::any_of(hours.weekly.begin(), hours.weekly.end(),
                                 [](const std::vector<TimeWindow>& w) { return !w.empty(); });
    if (!any)
      return MakeError(
          ErrorCode::kInvalidInput,
          f + ": always = false but no weekday has a window (nothing would be recorded)");
  }
  return OkStatus();
}

}  // namespace kronika::policy
