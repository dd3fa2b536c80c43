// Policy db (issue 7): the append-only hold log and the do-not-record list.
#include <catch2/catch.hpp>

#include "kronika/srs/rules/rules_db.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::TempDir;

TEST_CASE("RET-2 holds persist across reopening and several cases may hold one recording") {
  TempDir dir;
  {
    auto db = std::move(RulesDb::Open(dir.path())).value();
    REQUIRE(db->PlaceHolds({"01A", "01B"}, "II K 1/26", "prokurator", 1000).ok());
    REQUIRE(db->PlaceHolds({"01A"}, "III C 2/26", "sad", 2000).ok());
    // Same case twice: refused, nothing of the batch written.
    Status again = db->PlaceHolds({"01C", "01A"}, "II K 1/26", "prokurator", 3000);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == ErrorCode::kConflict);
  }
  auto db = std::move(RulesDb::Open(dir.path())).value();
  policy::HoldSet holds = std::move(db->LoadHolds()).value();
  CHECK(holds.IsHeld("01A"));
  CHECK(holds.IsHeld("01B"));
  CHECK_FALSE(holds.IsHeld("01C"));
  CHECK(holds.ActiveCases("01A") == std::vector<std::string>{"II K 1/26", "III C 2/26"});

  REQUIRE(db->LiftHolds({"01A"}, "II K 1/26", "sad", "umorzenie", 4000).ok());
  holds = std::move(db->LoadHolds()).value();
  CHECK(holds.IsHeld("01A"));  // the second case still holds it
  REQUIRE(db->LiftHolds({"01A"}, "III C 2/26", "sad", "wyrok", 5000).ok());
  CHECK_FALSE(db->LoadHolds()->IsHeld("01A"));
  CHECK(db->LiftHolds({"01A"}, "III C 2/26", "sad", "wyrok", 6000).error().code == ErrorCode::kNotFound);
  CHECK(db->LiftHolds({"01B"}, "II K 1/26", "sad", "", 6000).error().code == ErrorCode::kInvalidInput);
  CHECK(db->HoldLog().size() == 5);  // 3 places + 2 lifts, in order
  CHECK(db->HoldLog().back().reason == "wyrok");
}

TEST_CASE("CONSENT-3 the do-not-record list is shared by every process opening the data directory") {
  TempDir dir;
  auto cli = std::move(RulesDb::Open(dir.path())).value();
  auto daemon = std::move(RulesDb::Open(dir.path())).value();
  CHECK_FALSE(*daemon->IsDoNotRecord("+48601234567"));
  REQUIRE(cli->AddDoNotRecord({"+48601234567", "iod", 1000, "objection art. 21"}).ok());
  CHECK(*daemon->IsDoNotRecord("+48601234567"));
  CHECK(cli->AddDoNotRecord({"+48601234567", "iod", 1000, ""}).error().code == ErrorCode::kConflict);
  REQUIRE(cli->DoNotRecordList()->size() == 1);
  CHECK(cli->DoNotRecordList()->at(0).reason == "objection art. 21");
  REQUIRE(cli->RemoveDoNotRecord("+48601234567").ok());
  CHECK_FALSE(*daemon->IsDoNotRecord("+48601234567"));
  CHECK(cli->RemoveDoNotRecord("+48601234567").error().code == ErrorCode::kNotFound);
}

}  // namespace
}  // namespace kronika::srs
