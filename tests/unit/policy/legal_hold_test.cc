// RET-2: placing and lifting legal holds; the record of both acts.
#include "kronika/policy/legal_hold.h"

#include <catch2/catch.hpp>

#include "test_sites.h"

namespace kronika::policy {

using testing::Utc;

TEST_CASE("RET-2 a hold names case, who and when, and lifting is a separate recorded act") {
  HoldSet holds;
  REQUIRE(holds.Place("r1", "II K 123/26", "j.kowalska", Utc(2026, 2, 1, 9, 0)).ok());
  CHECK(holds.IsHeld("r1"));
  CHECK_FALSE(holds.IsHeld("r2"));
  Result<Hold> lifted =
      holds.Lift("r1", "II K 123/26", "a.nowak", "final ruling 2026-09-01", Utc(2026, 9, 2, 9, 0));
  REQUIRE(lifted.ok());
  CHECK_FALSE(holds.IsHeld("r1"));
  CHECK(lifted->placed_by == "j.kowalska");
  CHECK(lifted->placed_at_ms_utc == Utc(2026, 2, 1, 9, 0));
  REQUIRE(lifted->lift.has_value());
  CHECK(lifted->lift->lifted_by == "a.nowak");
  CHECK(lifted->lift->lifted_at_ms_utc == Utc(2026, 9, 2, 9, 0));
  CHECK(lifted->lift->reason == "final ruling 2026-09-01");
  // The history keeps the lifted hold.
  REQUIRE(holds.History().size() == 1);
  CHECK_FALSE(holds.History()[0].active());
  CHECK(holds.HoldsOf("r1").size() == 1);
  // The same case may hold it again later (a reopened case).
  REQUIRE(holds.Place("r1", "II K 123/26", "j.kowalska", Utc(2026, 10, 1, 9, 0)).ok());
  CHECK(holds.IsHeld("r1"));
  CHECK(holds.HoldsOf("r1").size() == 2);
}

TEST_CASE("RET-2 several holds on one recording, held while any is active") {
  HoldSet holds;
  REQUIRE(holds.Place("r1", "A", "x", 1).ok());
  REQUIRE(holds.Place("r1", "B", "y", 2).ok());
  REQUIRE(holds.Place("r2", "A", "x", 3).ok());
  CHECK(holds.ActiveCases("r1") == std::vector<std::string>{"A", "B"});
  REQUIRE(holds.Lift("r1", "B", "y", "done", 4).ok());
  CHECK(holds.IsHeld("r1"));
  CHECK(holds.ActiveCases("r1") == std::vector<std::string>{"A"});
  REQUIRE(holds.Lift("r1", "A", "x", "done", 5).ok());
  CHECK_FALSE(holds.IsHeld("r1"));
  CHECK(holds.IsHeld("r2"));
  CHECK(holds.ActiveCases("r1").empty());
}

TEST_CASE("RET-2 malformed hold acts are refused") {
  HoldSet holds;
  CHECK(holds.Place("", "A", "x", 1).error().message == "hold: recording_id is empty (RET-2)");
  CHECK(holds.Place("r1", "", "x", 1).error().message == "hold: case_ref is empty (RET-2)");
  CHECK(holds.Place("r1", "A", "", 1).error().code == ErrorCode::kInvalidInput);
  REQUIRE(holds.Place("r1", "A", "x", 100).ok());
  const Status twice = holds.Place("r1", "A", "z", 101);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == ErrorCode::kConflict);
  CHECK(twice.error().message == "hold: recording r1 is already held for case A (RET-2)");
  CHECK(holds.Lift("r1", "A", "", "why", 200).error().message ==
        "hold: lifted_by is empty (RET-2)");
  CHECK(holds.Lift("r1", "A", "x", "", 200).error().message == "hold: reason is empty (RET-2)");
  CHECK(holds.Lift("r1", "B", "x", "why", 200).error().code == ErrorCode::kNotFound);
  CHECK(holds.Lift("r9", "A", "x", "why", 200).error().message ==
        "hold: no active hold for case A on recording r9 (RET-2)");
  CHECK(holds.Lift("r1", "A", "x", "why", 99).error().message ==
        "hold: lift time is before the hold was placed (RET-2)");
  CHECK(holds.IsHeld("r1"));  // nothing changed by the refused acts
  REQUIRE(holds.Lift("r1", "A", "x", "why", 200).ok());
  CHECK(holds.Lift("r1", "A", "x", "why", 201).error().code == ErrorCode::kNotFound);  // lifted once only
}

TEST_CASE("RET-2 a hold set is rebuilt from its persisted history") {
  HoldSet original;
  REQUIRE(original.Place("r1", "A", "x", 1).ok());
  REQUIRE(original.Place("r2", "B", "y", 2).ok());
  REQUIRE(original.Lift("r1", "A", "x", "ruling", 3).ok());
  Result<HoldSet> rebuilt = HoldSet::FromHistory(original.History());
  REQUIRE(rebuilt.ok());
  CHECK_FALSE(rebuilt->IsHeld("r1"));
  CHECK(rebuilt->IsHeld("r2"));
  CHECK(rebuilt->History().size() == 2);
  CHECK(rebuilt->History()[0].lift->reason == "ruling");

  std::vector<Hold> broken = original.History();
  broken.push_back(broken[1]);  // a second active hold for the same case
  Result<HoldSet> dup = HoldSet::FromHistory(broken);
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().code == ErrorCode::kConflict);
  std::vector<Hold> incomplete = {Hold{"r1", "A", "", 1, std::nullopt}};
  CHECK_FALSE(HoldSet::FromHistory(incomplete).ok());
}

}  // namespace kronika::policy
