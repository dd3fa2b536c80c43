// Calendar arithmetic used by SCOPE-2 (weekday, holidays) and RET-1 (months from the day).
#include "kronika/policy/civil_time.h"

#include <catch2/catch.hpp>

namespace kronika::policy {

TEST_CASE(
    "RET-1 adding calendar months clamps to the last day of a shorter month (art. 112 k.c.)") {
  CHECK(AddMonthsClamped({2026, 3, 15}, 3) == CivilDate{2026, 6, 15});
  CHECK(AddMonthsClamped({2026, 11, 30}, 3) == CivilDate{2027, 2, 28});
  CHECK(AddMonthsClamped({2027, 11, 30}, 3) == CivilDate{2028, 2, 29});  // leap year
  CHECK(AddMonthsClamped({2026, 8, 31}, 6) == CivilDate{2027, 2, 28});
  CHECK(AddMonthsClamped({2026, 1, 31}, 12) == CivilDate{2027, 1, 31});
  CHECK(AddMonthsClamped({2028, 2, 29}, 12) == CivilDate{2029, 2, 28});
  CHECK(AddMonthsClamped({2026, 12, 31}, 0) == CivilDate{2026, 12, 31});
  CHECK(AddMonthsClamped({2026, 10, 31}, 120) == CivilDate{2036, 10, 31});
}

TEST_CASE("SCOPE-2 weekdays and day counts of the 2026 calendar") {
  CHECK(WeekdayOf({2026, 1, 1}) == Weekday::kThursday);
  CHECK(WeekdayOf({2026, 3, 29}) == Weekday::kSunday);
  CHECK(WeekdayOf({2026, 10, 25}) == Weekday::kSunday);
  CHECK(WeekdayOf({1970, 1, 1}) == Weekday::kThursday);
  CHECK(DaysFromCivil({1970, 1, 1}) == 0);
  CHECK(DaysFromCivil({1969, 12, 31}) == -1);
  CHECK(CivilFromDays(DaysFromCivil({2026, 2, 28}) + 1) == CivilDate{2026, 3, 1});
  CHECK(AddDays({2028, 2, 28}, 1) == CivilDate{2028, 2, 29});
  CHECK(DaysInMonth(2026, 2) == 28);
  CHECK(DaysInMonth(2028, 2) == 29);
  CHECK(DaysInMonth(2100, 2) == 28);
  CHECK_FALSE(IsValidDate({2026, 2, 29}));
  CHECK(IsValidDate({2028, 2, 29}));
}

TEST_CASE("issue 7 item 8 civil readings of UTC milliseconds, also before 1970") {
  CHECK(FormatDateTime(CivilFromMs(0)) == "1970-01-01T00:00:00.000");
  CHECK(FormatDateTime(CivilFromMs(-1)) == "1969-12-31T23:59:59.999");
  const CivilDateTime t{{2026, 3, 29}, 1, 2, 3, 456};
  CHECK(CivilFromMs(MsFromCivil(t)) == t);
  CHECK(MsFromCivil(t) == 1774746123456);
}

TEST_CASE("SCOPE-2 ISO dates parse strictly") {
  CivilDate d;
  REQUIRE(ParseDate("2026-04-06", d));
  CHECK(d == CivilDate{2026, 4, 6});
  CHECK_FALSE(ParseDate("2026-02-29", d));
  CHECK_FALSE(ParseDate("2026-4-6", d));
  CHECK_FALSE(ParseDate("2026-04-06T00", d));
  CHECK_FALSE(ParseDate("20x6-04-06", d));
  CHECK(d == CivilDate{2026, 4, 6});  // untouched on failure
  CHECK(FormatDate({2026, 4, 6}) == "2026-04-06");
}

}  // namespace kronika::policy
