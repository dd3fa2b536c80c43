// One listening-register entry per listening session, not per Range request (issue 16 item
// 3; REG-1, REG-2, REG-3): ListeningSessions on a real register in a temporary AccessDb.
#include "kronika/srs/access/listening_sessions.h"

#include <catch2/catch.hpp>

#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/access_register.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::TempDir;
using namespace std::chrono_literals;

constexpr int64_t kT0 = 1'796'600'000'000;  // 2026-12-07, ms

nlohmann::json Opening() {
  return {{"recording_id", "REC1"},   {"listened_from_s", 0.0},           {"listened_to_s", 0.0},
          {"request_id", "PR-000001"}, {"listener", {{"username", "anna"}}}, {"listened_at_ms_utc", kT0}};
}

struct Fixture {
  TempDir dir;
  std::unique_ptr<AccessDb> db = AccessDb::Open(dir.path()).value();
  ListeningRegister reg{*db, ListeningRegister::DefaultPath(dir.path())};
  ListeningSessions sessions{reg, 120s};
  const ListeningSessionKey browser{"anna", "REC1", "PR-000001", "player-0123456789abcdef"};

  size_t RegisterLines() { return reg.Entries()->size(); }
};

TEST_CASE("the Range requests of one player make one register entry, written before the first byte",
          "[access][REG-1]") {
  Fixture f;
  int openings = 0;
  auto opening = [&] {
    ++openings;
    return Opening();
  };
  // A browser's <audio>: a 100-byte probe, then the rest, then a seek back.
  auto first = f.sessions.Serve(f.browser, {0.0, 0.0}, kT0, opening);
  REQUIRE(first.ok());
  CHECK(f.RegisterLines() == 1);  // on disk before the first byte is sent
  CHECK(*f.sessions.Serve(f.browser, {0.0, 95.5}, kT0 + 200, opening) == *first);
  CHECK(*f.sessions.Serve(f.browser, {40.0, 60.0}, kT0 + 30'000, opening) == *first);
  CHECK(openings == 1);
  CHECK(f.RegisterLines() == 1);
  CHECK(f.sessions.open_count() == 1);
}

TEST_CASE("a closed session states the parts played; people read one row per session",
          "[access][REG-2]") {
  Fixture f;
  REQUIRE(f.sessions.Serve(f.browser, {0.0, 95.5}, kT0, Opening).ok());
  // The player read the whole file ahead but played 0-12 s and 40-55.5 s (two reports).
  REQUIRE(f.sessions.ReportPlayed(f.browser, {{0.0, 12.0}}, kT0 + 12'000).ok());
  ListeningSessionKey without_request = f.browser;
  without_request.request_id = "";
  REQUIRE(f.sessions.ReportPlayed(without_request, {{40.0, 55.5}, {11.0, 12.0}}, kT0 + 60'000).ok());
  CHECK(f.sessions.CloseIdle(kT0 + 60'000 + 119'000) == 0);  // not idle for 2 min yet
  CHECK(f.sessions.CloseIdle(kT0 + 60'000 + 121'000) == 1);
  CHECK(f.sessions.open_count() == 0);

  auto lines = *f.reg.Entries();
  REQUIRE(lines.size() == 2);
  CHECK(lines[1]["kind"] == "playback_parts");
  CHECK(lines[1]["opening_seq"] == 1);
  CHECK(f.reg.Verify()->ok);  // the closing line extends the chain; nothing was rewritten

  auto rows = MergeListeningParts(lines);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["listened_from_s"] == 0.0);
  CHECK(rows[0]["listened_to_s"] == 55.5);
  CHECK(rows[0]["parts_played"].dump() == R"([{"from_s":0.0,"to_s":12.0},{"from_s":40.0,"to_s":55.5}])");
  CHECK(rows[0]["parts_served"].dump() == R"([{"from_s":0.0,"to_s":95.5}])");
}

TEST_CASE("without the player's report the parts served are stated", "[access][REG-2]") {
  Fixture f;
  REQUIRE(f.sessions.Serve(f.browser, {10.0, 20.0}, kT0, Opening).ok());
  REQUIRE(f.sessions.Serve(f.browser, {19.0, 30.0}, kT0 + 1000, Opening).ok());
  REQUIRE(f.sessions.Serve(f.browser, {50.0, 60.0}, kT0 + 2000, Opening).ok());
  CHECK(f.sessions.CloseAll(kT0 + 3000) == 1);
  auto rows = MergeListeningParts(*f.reg.Entries());
  REQUIRE(rows.size() == 1);
  CHECK_FALSE(rows[0].contains("parts_played"));
  CHECK(rows[0]["parts_served"].dump() == R"([{"from_s":10.0,"to_s":30.0},{"from_s":50.0,"to_s":60.0}])");
  CHECK(rows[0]["listened_from_s"] == 10.0);
  CHECK(rows[0]["listened_to_s"] == 60.0);
}

TEST_CASE("another player, another recording or a return after the idle limit is a new listening",
          "[access][REG-1]") {
  Fixture f;
  REQUIRE(f.sessions.Serve(f.browser, {0.0, 5.0}, kT0, Opening).ok());
  ListeningSessionKey other_tab = f.browser;
  other_tab.player = "player-fedcba9876543210";
  REQUIRE(f.sessions.Serve(other_tab, {0.0, 5.0}, kT0 + 1000, Opening).ok());
  CHECK(f.RegisterLines() == 2);
  // The first player comes back after 3 minutes: its old session closes, a new one opens.
  REQUIRE(f.sessions.Serve(f.browser, {5.0, 9.0}, kT0 + 181'000, Opening).ok());
  auto lines = *f.reg.Entries();
  REQUIRE(lines.size() == 4);
  CHECK(lines[2]["kind"] == "playback_parts");
  CHECK(lines[2]["opening_seq"] == 1);
  CHECK_FALSE(lines[3].contains("kind"));
  CHECK(MergeListeningParts(lines).size() == 3);
}

TEST_CASE("a report for no open session is refused, and bad parts are dropped", "[access]") {
  Fixture f;
  CHECK(f.sessions.ReportPlayed(f.browser, {{0.0, 1.0}}, kT0).error().code == ErrorCode::kNotFound);
  CHECK(JoinParts({{5, 1}, {-1, 3}, {0, 2}, {2, 4}, {6, 7}}).size() == 2);
  CHECK(IsListeningSessionId("player-0123456789abcdef"));
  CHECK_FALSE(IsListeningSessionId("short"));
  CHECK_FALSE(IsListeningSessionId("player 0123456789abcdef"));
}

}  // namespace
}  // namespace kronika::srs
