// REG-1 (issue 16 item 3): the register's from/to are the office's calendar days; a day's
// bounds are its local midnights in UTC, also on the days the clocks change (23 and 25
// hours), and a bad date or zone is refused naming the field.
#include "register_view.h"

#include <catch2/catch.hpp>

#include "kronika/srs/access/access_db.h"
#include "kronika/srs/core/utc_time.h"
#include "store_test_util.h"

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

// A register with one listening session on 2026-12-07 (Warsaw), closed: its opening entry and
// its closing line, as ListeningSessions writes them.
struct OneSession {
  testing::TempDir dir;
  std::unique_ptr<AccessDb> db = AccessDb::Open(dir.path()).value();
  ListeningRegister reg{*db, ListeningRegister::DefaultPath(dir.path())};
  OneSession() {
    const int64_t at = ParseUtcTime("2026-12-07T09:30:00Z").value();
    REQUIRE(reg.Append({{"recording_id", "REC1"}, {"listened_at_utc", FormatUtcTime(at)}, {"listened_at_ms_utc", at},
                        {"listened_from_s", 0.0}, {"listened_to_s", 0.1}})
                .ok());
    REQUIRE(reg.Append({{"kind", "playback_parts"}, {"opening_seq", 1}, {"recording_id", "REC1"},
                        {"parts_served", {{{"from_s", 0.0}, {"to_s", 12.5}}}},
                        {"closed_at_ms_utc", at + 600'000}})
                .ok());
  }
  std::vector<nlohmann::json> View(std::vector<std::pair<std::string, std::string>> query) {
    HttpRequest request;
    request.query = std::move(query);
    auto view = RegisterViewOf(reg, request, "Europe/Warsaw");
    REQUIRE(view.ok());
    return view->entries;
  }
};

TEST_CASE("REG-1 a listening session is one row of its day; raw JSON keeps its closing line with it",
          "[http][register]") {
  OneSession w;
  const auto sessions = w.View({{"from", "2026-12-07"}, {"to", "2026-12-07"}, {"view", "sessions"}});
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0]["listened_to_s"] == 12.5);  // the parts of the closing line, merged
  CHECK(w.View({{"from", "2026-12-07"}, {"format", "csv"}}).size() == 1);
  CHECK(w.View({{"from", "2026-12-07"}, {"to", "2026-12-07"}}).size() == 2);  // as written
  CHECK(w.View({{"from", "2026-12-08"}}).empty());  // the closing line does not stray alone
  CHECK(w.View({{"to", "2026-12-06"}, {"view", "sessions"}}).empty());
}

}  // namespace
}  // namespace kronika::srs
