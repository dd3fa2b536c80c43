// TimeZone: a site's civil time, from a POSIX TZ rule string (SCOPE-2, issue 7 item 8).
//
// Every time inside Kronika is UTC milliseconds since the Unix epoch. A site's local
// time (working hours, holidays, "the day of recording" for retention) is derived from
// the UTC instant with the site's POSIX TZ rule, e.g. Europe/Warsaw since 1996:
//     CET-1CEST,M3.5.0,M10.5.0/3
// (standard time CET = UTC+1; summer time CEST = UTC+2 from the last Sunday of March
// 02:00 local to the last Sunday of October 03:00 local). The rule is parsed here, by
// this module, so the result never depends on the process environment (TZ, tzset) or
// on the host's tzdata: it is pure, reentrant and testable.
//
// Supported syntax (POSIX.1-2017 §8.3 plus the RFC 8536 §3.3.1 extension):
//   std offset [dst [offset] ,start[/time],end[/time]]
//   names: 3+ letters, or <quoted> with letters, digits, '+', '-'
//   offset: [+|-]hh[:mm[:ss]], positive = WEST of Greenwich (POSIX convention)
//   start/end: Jn (1..365, Feb 29 never counted), n (0..365), Mm.w.d
//   time: [+|-]hh[:mm[:ss]], hours -167..167, default 02:00:00
// A DST name without a transition rule is refused (POSIX leaves it implementation-
// defined; a silent guess is how recorders end up an hour off).
//
// Threads: an immutable value after Parse(); share freely.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kronika/policy/civil_time.h"
#include "kronika/result.h"

namespace kronika::policy {

// Europe/Warsaw (all five sites of REQUIREMENTS.md) as a POSIX TZ rule.
inline constexpr std::string_view kEuropeWarsawTzRule = "CET-1CEST,M3.5.0,M10.5.0/3";

// What a clock on the wall of the site shows at one instant.
struct LocalTime {
  CivilDateTime civil;
  int32_t utc_offset_s = 0;  // seconds EAST of UTC (+3600 for CET, +7200 for CEST)
  bool is_dst = false;
  std::string abbreviation;  // "CET", "CEST", "+0330" (quotes of <...> removed)
};

// How a local wall-clock reading maps back to UTC.
enum class LocalTimeKind {
  kUnique,       // exactly one instant (earliest == latest)
  kAmbiguous,    // shown twice (autumn hour): earliest is the first showing, latest the second
  kNonexistent,  // skipped (spring hour): earliest == latest == the first instant after the gap
};

struct UtcCandidates {
  LocalTimeKind kind = LocalTimeKind::kUnique;
  int64_t earliest_ms_utc = 0;
  int64_t latest_ms_utc = 0;
};

class TimeZone {
 public:
  // UTC ("UTC0").
  TimeZone();

  // Parses a POSIX TZ rule. Errors name the problem and the character position, e.g.
  // "time_zone: expected ',' and a transition rule after DST name at 8 in \"CET-1CEST\"".
  static Result<TimeZone> Parse(std::string_view rule);

  // The built-in Europe/Warsaw rule (kEuropeWarsawTzRule).
  static TimeZone EuropeWarsaw();

  const std::string& rule() const { return rule_; }
  bool has_dst() const { return has_dst_; }

  // Local civil time at a UTC instant. Total: every instant has one reading.
  LocalTime ToLocal(int64_t ms_utc) const;

  // Offset (seconds east of UTC) in force at a UTC instant.
  int32_t OffsetAt(int64_t ms_utc) const;

  // The UTC instant(s) at which the wall clock shows `local`. REQUIRES: a valid date.
  UtcCandidates ToUtc(const CivilDateTime& local) const;

  // "2026-03-29T03:00:00.000+02:00" (ISO 8601 with the local offset).
  std::string FormatIso(int64_t ms_utc) const;
  // "2026-03-29 03:00:00 CEST" (for operators and logs).
  std::string FormatHuman(int64_t ms_utc) const;

 private:
  struct RuleDate {
    enum class Form { kJulianNoLeap, kZeroBasedDay, kMonthWeekDay } form = Form::kMonthWeekDay;
    int a = 0, b = 0, c = 0;  // Jn: a=n; n: a=n; Mm.w.d: a=m, b=w, c=d
    int32_t time_s = 7200;    // local time of the transition, seconds (may be <0 or >24h)
  };
  // UTC instants (ms) at which DST starts and ends in `year`.
  int64_t TransitionMs(int year, const RuleDate& when, int32_t offset_before_s) const;
  bool IsDstAt(int64_t ms_utc) const;

  friend class TzRuleParser;

  std::string rule_ = "UTC0";
  std::string std_name_ = "UTC";
  std::string dst_name_;
  int32_t std_offset_s_ = 0;  // east of UTC
  int32_t dst_offset_s_ = 0;  // east of UTC
  bool has_dst_ = false;
  RuleDate dst_start_;
  RuleDate dst_end_;
};

}  // namespace kronika::policy
