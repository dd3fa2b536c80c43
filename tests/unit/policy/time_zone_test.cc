// SCOPE-2 / issue 7 item 8: IANA zones and POSIX TZ rules (through date), UTC <-> site civil
// time, DST transitions; glibc is the independent oracle.
#include "kronika/policy/time_zone.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <string>

namespace kronika::policy {
namespace {

int64_t Utc(int y, int mo, int d, int h, int mi, int s = 0) {
  return MsFromCivil(CivilDateTime{CivilDate{y, mo, d}, h, mi, s, 0});
}

CivilDateTime Wall(int y, int mo, int d, int h, int mi, int s = 0) {
  return CivilDateTime{CivilDate{y, mo, d}, h, mi, s, 0};
}

TimeZone MustParse(const char* rule) {
  Result<TimeZone> tz = TimeZone::Parse(rule);
  INFO(rule);
  REQUIRE(tz.ok());
  return tz.value();
}

// glibc's own reading of a TZ value: an independent oracle for our parser.
struct GlibcLocal {
  CivilDateTime civil;
  long offset_s;
  bool dst;
};
GlibcLocal GlibcToLocal(const char* tz_value, int64_t ms_utc) {
  setenv("TZ", tz_value, 1);
  tzset();
  const time_t t = static_cast<time_t>(ms_utc / 1000);
  struct tm tm {};
  localtime_r(&t, &tm);
  return GlibcLocal{
      Wall(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec),
      tm.tm_gmtoff, tm.tm_isdst > 0};
}

}  // namespace

TEST_CASE("SCOPE-2 Europe/Warsaw 2026 spring-forward: 02:00 CET becomes 03:00 CEST on 29 March") {
  const TimeZone tz = TimeZone::EuropeWarsaw();
  LocalTime before = tz.ToLocal(Utc(2026, 3, 29, 0, 59, 59));
  CHECK(before.civil == Wall(2026, 3, 29, 1, 59, 59));
  CHECK(before.abbreviation == "CET");
  CHECK(before.utc_offset_s == 3600);
  CHECK_FALSE(before.is_dst);
  LocalTime after = tz.ToLocal(Utc(2026, 3, 29, 1, 0, 0));
  CHECK(after.civil == Wall(2026, 3, 29, 3, 0, 0));
  CHECK(after.abbreviation == "CEST");
  CHECK(after.utc_offset_s == 7200);
  CHECK(after.is_dst);
  // The Sunday before (22 March) is not a transition day.
  CHECK(tz.ToLocal(Utc(2026, 3, 22, 1, 0)).civil == Wall(2026, 3, 22, 2, 0));
}

TEST_CASE("SCOPE-2 Europe/Warsaw 2026 fall-back: 03:00 CEST becomes 02:00 CET on 25 October") {
  const TimeZone tz = TimeZone::EuropeWarsaw();
  CHECK(tz.ToLocal(Utc(2026, 10, 25, 0, 59, 59)).civil == Wall(2026, 10, 25, 2, 59, 59));
  CHECK(tz.ToLocal(Utc(2026, 10, 25, 0, 59, 59)).is_dst);
  CHECK(tz.ToLocal(Utc(2026, 10, 25, 1, 0, 0)).civil == Wall(2026, 10, 25, 2, 0, 0));
  CHECK_FALSE(tz.ToLocal(Utc(2026, 10, 25, 1, 0, 0)).is_dst);
  CHECK(tz.FormatIso(Utc(2026, 10, 25, 0, 30)) == "2026-10-25T02:30:00.000+02:00");
  CHECK(tz.FormatIso(Utc(2026, 10, 25, 1, 30)) == "2026-10-25T02:30:00.000+01:00");
  CHECK(tz.FormatHuman(Utc(2026, 10, 25, 1, 30)) == "2026-10-25 02:30:00 CET");
}

TEST_CASE("SCOPE-2 local 02:30 on 2026-03-29 does not exist and maps to the transition instant") {
  const TimeZone tz = TimeZone::EuropeWarsaw();
  UtcCandidates c = tz.ToUtc(Wall(2026, 3, 29, 2, 30));
  CHECK(c.kind == LocalTimeKind::kNonexistent);
  CHECK(c.earliest_ms_utc == Utc(2026, 3, 29, 1, 0));
  CHECK(c.latest_ms_utc == Utc(2026, 3, 29, 1, 0));
  // The edges of the gap: 01:59:59 exists (CET), 03:00:00 exists (CEST).
  CHECK(tz.ToUtc(Wall(2026, 3, 29, 1, 59, 59)).kind == LocalTimeKind::kUnique);
  CHECK(tz.ToUtc(Wall(2026, 3, 29, 1, 59, 59)).earliest_ms_utc == Utc(2026, 3, 29, 0, 59, 59));
  CHECK(tz.ToUtc(Wall(2026, 3, 29, 3, 0)).earliest_ms_utc == Utc(2026, 3, 29, 1, 0));
  CHECK(tz.ToUtc(Wall(2026, 3, 29, 2, 0)).kind == LocalTimeKind::kNonexistent);
}

TEST_CASE("SCOPE-2 local 02:30 on 2026-10-25 is shown twice: 00:30Z (CEST) and 01:30Z (CET)") {
  const TimeZone tz = TimeZone::EuropeWarsaw();
  UtcCandidates c = tz.ToUtc(Wall(2026, 10, 25, 2, 30));
  CHECK(c.kind == LocalTimeKind::kAmbiguous);
  CHECK(c.earliest_ms_utc == Utc(2026, 10, 25, 0, 30));
  CHECK(c.latest_ms_utc == Utc(2026, 10, 25, 1, 30));
  CHECK(tz.ToUtc(Wall(2026, 10, 25, 3, 0)).kind == LocalTimeKind::kUnique);
  CHECK(tz.ToUtc(Wall(2026, 10, 25, 1, 59, 59)).kind == LocalTimeKind::kUnique);
}

TEST_CASE("SCOPE-2 round trip UTC -> local -> UTC every 15 minutes of 2026 in Warsaw") {
  const TimeZone tz = TimeZone::EuropeWarsaw();
  int ambiguous = 0;
  for (int64_t t = Utc(2026, 1, 1, 0, 0); t < Utc(2027, 1, 1, 0, 0); t += 15 * kMsPerMinute) {
    const UtcCandidates c = tz.ToUtc(tz.ToLocal(t).civil);
    REQUIRE(c.kind != LocalTimeKind::kNonexistent);
    REQUIRE((c.earliest_ms_utc == t || c.latest_ms_utc == t));
    if (c.kind == LocalTimeKind::kAmbiguous) ++ambiguous;
  }
  // 02:00..02:59 on 25 October is read twice: 4 quarter hours x 2 instants.
  CHECK(ambiguous == 8);
}

TEST_CASE("SCOPE-2 parsed rules agree with glibc hour by hour, 2025..2028") {
  // Rules of several shapes: our default, southern hemisphere, negative DST (Ireland),
  // Jn and n forms, a half-hour zone without DST, minute offsets, quoted names.
  const char* rules[] = {"CET-1CEST,M3.5.0,M10.5.0/3",
                         "<-03>3",
                         "AEST-10AEDT,M10.1.0,M4.1.0/3",
                         "IST-1GMT0,M10.5.0,M3.5.0/1",
                         "<+0330>-3:30",
                         "NZST-12NZDT,M9.5.0,M4.1.0/3",
                         "AAA3BBB,J60/2,J300/2",
                         "AAA-2BBB-3,59/4,299/1:30",
                         "<-05>5<-04>,M3.2.0,M11.1.0"};
  for (const char* rule : rules) {
    const TimeZone tz = MustParse(rule);
    for (int64_t t = Utc(2025, 1, 1, 0, 0); t < Utc(2029, 1, 1, 0, 0); t += kMsPerHour) {
      const GlibcLocal want = GlibcToLocal(rule, t);
      const LocalTime got = tz.ToLocal(t);
      INFO(rule << " at " << t);
      REQUIRE(got.utc_offset_s == want.offset_s);
      REQUIRE(got.civil == want.civil);
      REQUIRE(got.is_dst == want.dst);
    }
  }
  unsetenv("TZ");
  tzset();
}

TEST_CASE("SCOPE-2 IANA zones and the default Warsaw rule agree with glibc's tzdata 2000..2037", "[needs-tzdata]") {
  const TimeZone rule = TimeZone::EuropeWarsaw();
  const TimeZone iana = MustParse("Europe/Warsaw");
  CHECK(iana.rule() == "Europe/Warsaw");
  for (int64_t t = Utc(2000, 1, 1, 0, 0); t < Utc(2038, 1, 1, 0, 0); t += kMsPerHour) {
    const GlibcLocal want = GlibcToLocal("Europe/Warsaw", t);
    INFO(t);
    REQUIRE(rule.OffsetAt(t) == want.offset_s);
    REQUIRE(iana.OffsetAt(t) == want.offset_s);
    REQUIRE(iana.ToLocal(t).civil == want.civil);
    REQUIRE(iana.ToLocal(t).is_dst == want.dst);
  }
  for (const char* name : {"America/New_York", "Australia/Sydney", "Europe/Dublin", "Asia/Kolkata", "UTC"}) {
    const TimeZone tz = MustParse(name);
    for (int64_t t = Utc(2025, 1, 1, 0, 0); t < Utc(2027, 1, 1, 0, 0); t += kMsPerHour) {
      const GlibcLocal want = GlibcToLocal(name, t);
      INFO(name << " at " << t);
      REQUIRE(tz.OffsetAt(t) == want.offset_s);
      REQUIRE(tz.ToLocal(t).civil == want.civil);
    }
  }
  // The 2026 transitions through the IANA zone, as through the rule.
  CHECK(iana.ToUtc(Wall(2026, 3, 29, 2, 30)).kind == LocalTimeKind::kNonexistent);
  CHECK(iana.ToUtc(Wall(2026, 3, 29, 2, 30)).earliest_ms_utc == Utc(2026, 3, 29, 1, 0));
  const UtcCandidates twice = iana.ToUtc(Wall(2026, 10, 25, 2, 30));
  CHECK(twice.kind == LocalTimeKind::kAmbiguous);
  CHECK(twice.earliest_ms_utc == Utc(2026, 10, 25, 0, 30));
  CHECK(twice.latest_ms_utc == Utc(2026, 10, 25, 1, 30));
  CHECK(iana.FormatHuman(Utc(2026, 7, 1, 10, 0)) == "2026-07-01 12:00:00 CEST");
  unsetenv("TZ");
  tzset();
}

TEST_CASE("SCOPE-2 TZ rules without DST, UTC default, names and offsets") {
  TimeZone utc;
  CHECK(utc.rule() == "UTC0");
  CHECK(utc.ToLocal(0).civil == Wall(1970, 1, 1, 0, 0));
  const TimeZone tehran_like = MustParse("<+0330>-3:30");
  CHECK(tehran_like.ToLocal(0).abbreviation == "+0330");
  CHECK(tehran_like.ToLocal(0).utc_offset_s == 12600);
  CHECK(tehran_like.FormatIso(0) == "1970-01-01T03:30:00.000+03:30");
  const TimeZone west = MustParse("<-03>3");
  CHECK(west.FormatIso(0) == "1969-12-31T21:00:00.000-03:00");
  CHECK(west.OffsetAt(0) == west.OffsetAt(Utc(1970, 7, 1, 0, 0)));
  const TimeZone us = MustParse("EST5EDT4,M3.2.0/2:00:00,M11.1.0/2:00:00");
  CHECK(us.ToLocal(Utc(2026, 7, 1, 12, 0)).is_dst);
  CHECK_FALSE(us.ToLocal(Utc(2026, 1, 1, 12, 0)).is_dst);
}

TEST_CASE("SCOPE-2 unknown zones and malformed TZ rules are refused, naming them") {
  struct Bad {
    const char* zone;
    const char* message_part;
  };
  const Bad bad[] = {
      {"", "empty zone"},
      {":Europe/Warsaw", "without ':'"},
      {"Europe/Warsow", "unknown IANA zone \"Europe/Warsow\""},
      {"CE-1", "neither an IANA zone name nor a POSIX TZ rule"},
      {"CET", "neither an IANA zone name nor a POSIX TZ rule"},
      {"CET-1CEST", "names a DST zone without its transition rule"},
      {"CET-1CEST,M3.5.0", "neither an IANA zone name nor a POSIX TZ rule"},
      {"CET-1CEST,M3.5.0,M10.5.0/3x", "neither an IANA zone name nor a POSIX TZ rule"},
      {"CET-1CEST-1,M3.5.0,M10.5.0", "DST offset equals the standard offset"},
  };
  for (const Bad& b : bad) {
    Result<TimeZone> tz = TimeZone::Parse(b.zone);
    INFO(b.zone);
    REQUIRE_FALSE(tz.ok());
    CHECK_THAT(tz.error().message, Catch::Contains(b.message_part));
    CHECK_THAT(tz.error().message, Catch::StartsWith("time_zone: "));
  }
}

}  // namespace kronika::policy
