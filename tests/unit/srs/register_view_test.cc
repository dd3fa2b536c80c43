// REG-1 (issue 16 item 3): the register's from/to are the office's calendar days; a day's
// bounds are its local midnights in UTC, also on the days the clocks change (23 and 25
// hours), and a bad date or zone is refused naming the field.
#include "register_view.h"

#include <catch2/catch.hpp>

#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {
namespace {

std::string Utc(int64_t ms) { return FormatUtcTime(ms); }

TEST_CASE("REG-1 a register day is the office's local day, DST days included", "[http][register]") {
  auto winter = LocalDayUtc("2026-12-07", "Europe/Warsaw", "from");
  REQUIRE(winter.ok());
  CHECK(Utc(winter->first) == "2026-12-06T23:00:00Z");
  CHECK(Utc(winter->second) == "2026-12-07T23:00:00Z");
  auto spring = LocalDayUtc("2026-03-29", "Europe/Warsaw", "from");  // 23 hours
  REQUIRE(spring.ok());
  CHECK(Utc(spring->first) == "2026-03-28T23:00:00Z");
  CHECK(Utc(spring->second) == "2026-03-29T22:00:00Z");
  auto autumn = LocalDayUtc("2026-10-25", "Europe/Warsaw", "to");  // 25 hours
  REQUIRE(autumn.ok());
  CHECK(Utc(autumn->first) == "2026-10-24T22:00:00Z");
  CHECK(Utc(autumn->second) == "2026-10-25T23:00:00Z");
  auto utc = LocalDayUtc("2026-12-07", "UTC", "from");
  REQUIRE(utc.ok());
  CHECK(Utc(utc->first) == "2026-12-07T00:00:00Z");
}

TEST_CASE("REG-1 a bad register date or zone is refused, naming the field", "[http][register]") {
  for (const char* bad : {"2026-02-30", "07.12.2026", "", "2026-12-7"}) {
    auto r = LocalDayUtc(bad, "Europe/Warsaw", "to");
    INFO(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidInput);
    CHECK(r.error().message.rfind("to: ", 0) == 0);
  }
  auto zone = LocalDayUtc("2026-12-07", "Europe/Warsow", "from");
  REQUIRE_FALSE(zone.ok());
  CHECK(zone.error().code == ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace kronika::srs
