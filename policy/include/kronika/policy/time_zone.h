// TimeZone: a site's civil time (SCOPE-2, issue 7 item 8), from Howard Hinnant's date.
//
// Every time inside Kronika is UTC milliseconds since the Unix epoch. A site's local
// time (working hours, holidays, "the day of recording" for retention) is derived from
// the UTC instant with the site's zone, given in one of two forms:
//   - an IANA zone name, e.g. "Europe/Warsaw": the rules of the system's tzdata
//     (/usr/share/zoneinfo, Debian package tzdata), read once on first use, so a change
//     of the law reaches Kronika with a tzdata update; the recommended form;
//   - a POSIX TZ rule, e.g. Europe/Warsaw since 1996: "CET-1CEST,M3.5.0,M10.5.0/3"
//     (CET = UTC+1; CEST = UTC+2 from the last Sunday of March 02:00 local to the last
//     Sunday of October 03:00 local), read by date's Posix::time_zone. Pure: it never
//     depends on the process environment (TZ, tzset) nor on the host's tzdata.
// A POSIX rule with a DST name but no transition rule ("CET-1CEST") is refused: POSIX
// leaves it implementation-defined, and a silent guess is how recorders end up an hour off.
//
// Threads: an immutable value after Parse(); share freely.
#pragma once

#include <cstdint>
#include <memory>
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

  // An IANA zone name (it contains a '/', or is "UTC") or a POSIX TZ rule. Errors start
  // with "time_zone: " and name the zone or the fault, e.g. "time_zone: unknown IANA zone
  // \"Europe/Warsow\"", "time_zone: \"CET-1CEST\" names a DST zone without its rule".
  static Result<TimeZone> Parse(std::string_view zone);

  // The built-in Europe/Warsaw rule (kEuropeWarsawTzRule): needs no tzdata.
  static TimeZone EuropeWarsaw();

  // The zone as given to Parse ("Europe/Warsaw", "CET-1CEST,M3.5.0,M10.5.0/3").
  const std::string& rule() const { return rule_; }

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
  struct Zone;  // date's zone: a Posix::time_zone or a tzdata date::time_zone

  std::string rule_ = "UTC0";
  std::shared_ptr<const Zone> zone_;  // immutable, shared by copies
};

}  // namespace kronika::policy
