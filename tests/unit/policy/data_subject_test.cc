// RIGHTS-1 find by number, RIGHTS-2 erasure (refused for held recordings), RIGHTS-3 restriction.
#include "kronika/policy/data_subject.h"

#include <catch2/catch.hpp>

#include "test_sites.h"

namespace kronika::policy {
namespace {

using testing::BydgoszczLike;
using testing::Utc;

RecordingInfo Rec(const std::string& id, std::vector<std::string> participants,
                  bool in_progress = false) {
  RecordingInfo r;
  r.id = id;
  r.start_ms_utc = Utc(2026, 3, 2, 9, 0);
  r.participants = std::move(participants);
  r.in_progress = in_progress;
  return r;
}

const DeletionRequest kRequest{"iod.wisniewska", "art. 17 request of 2026-03-20, ref. IOD/7/26",
                               Utc(2026, 3, 20, 9, 0)};

}  // namespace

TEST_CASE("RIGHTS-1 every recording in which a number takes part, whatever the spelling") {
  const SitePolicy site = BydgoszczLike();
  const std::vector<RecordingInfo> recs = {
      Rec("r1", {"+48601234567", "214"}), Rec("r2", {"+48222222222", "215"}),
      Rec("r3", {"216", "+48601234567"}), Rec("r4", {"", "214"})};
  for (const char* spelling : {"+48601234567", "+48 601 234 567", "601-234-567", "0048601234567"}) {
    Result<std::vector<std::string>> found = FindRecordingsOf(site, recs, spelling);
    REQUIRE(found.ok());
    CHECK(*found == std::vector<std::string>{"r1", "r3"});
  }
  CHECK(FindRecordingsOf(site, recs, "214")->size() == 2);
  CHECK(FindRecordingsOf(site, recs, "+48999999999")->empty());
  Result<std::vector<std::string>> bad = FindRecordingsOf(site, recs, "anonymous");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "rights: \"anonymous\" is not a phone number (RIGHTS-1)");
}

TEST_CASE("RIGHTS-2 erase refuses held recordings and erases the rest") {
  const SitePolicy site = BydgoszczLike();
  const std::vector<RecordingInfo> recs = {
      Rec("r1", {"+48601234567", "214"}), Rec("r2", {"+48601234567", "215"}),
      Rec("r3", {"+48222222222", "214"}), Rec("r4", {"+48601234567", "216"}, /*in_progress=*/true)};
  HoldSet holds;
  REQUIRE(holds.Place("r2", "II K 9/26", "director", Utc(2026, 3, 10, 9, 0)).ok());
  Result<ErasurePlan> plan = PlanErasure(site, recs, holds, "601 234 567", kRequest);
  REQUIRE(plan.ok());
  CHECK(plan->subject == "+48601234567");
  REQUIRE(plan->erase.size() == 1);
  CHECK(plan->erase[0].recording_id == "r1");
  CHECK(plan->erase[0].cause == DeletionCause::kErasureRequest);
  CHECK(plan->erase[0].requested_by == "iod.wisniewska");
  CHECK(plan->erase[0].text ==
        "rights: erase r1 on request of iod.wisniewska: art. 17 request of 2026-03-20, ref. "
        "IOD/7/26 (RIGHTS-2)");
  REQUIRE(plan->kept.size() == 2);
  CHECK(plan->kept[0].recording_id == "r2");
  CHECK(plan->kept[0].hold_cases == std::vector<std::string>{"II K 9/26"});
  CHECK(plan->kept[0].text == "rights: r2 kept: under legal hold (II K 9/26) (RET-2)");
  CHECK(plan->kept[1].recording_id == "r4");
  CHECK(plan->text ==
        "rights: erase 1 recording(s) of +48601234567, keep 1 under legal hold and 1 in progress "
        "(RIGHTS-2)");
  // After the hold is lifted the same request erases r2 too.
  REQUIRE(holds.Lift("r2", "II K 9/26", "director", "final ruling", Utc(2026, 4, 1, 9, 0)).ok());
  CHECK(PlanErasure(site, recs, holds, "+48601234567", kRequest)->erase.size() == 2);
}

TEST_CASE("RIGHTS-2 an erasure request names who asks and why") {
  const SitePolicy site = BydgoszczLike();
  DeletionRequest r = kRequest;
  r.requested_by.clear();
  CHECK(PlanErasure(site, {}, HoldSet(), "+48601234567", r).error().message ==
        "rights: erasure requested_by is empty (RIGHTS-2)");
  r = kRequest;
  r.reason.clear();
  CHECK(PlanErasure(site, {}, HoldSet(), "+48601234567", r).error().code == ErrorCode::kInvalidInput);
  CHECK_FALSE(PlanErasure(site, {}, HoldSet(), "", kRequest).ok());
}

TEST_CASE("RIGHTS-3 a restricted recording is kept but neither played nor exported") {
  const TimeZone zone = TimeZone::EuropeWarsaw();
  Restriction state;
  CHECK(CheckUse(state, UseKind::kPlayback, zone).ok());
  Result<Restriction> restricted = Restrict(
      state, "iod.wisniewska", "accuracy contested (art. 18(1)(a))", Utc(2026, 3, 20, 9, 0));
  REQUIRE(restricted.ok());
  const Status play = CheckUse(*restricted, UseKind::kPlayback, zone);
  REQUIRE_FALSE(play.ok());
  CHECK(play.error().code == ErrorCode::kPermissionDenied);
  CHECK(play.error().message ==
        "rights: recording restricted since 2026-03-20T10:00:00.000+01:00 by iod.wisniewska: "
        "playback refused (RIGHTS-3)");
  CHECK_THAT(CheckUse(*restricted, UseKind::kExport, zone).error().message,
             Catch::Contains("export refused"));
  CHECK(CheckUse(*restricted, UseKind::kMetadata, zone).ok());
  // Twice restricted / lifting an unrestricted one: refused; lifting restores use.
  CHECK(Restrict(*restricted, "x", "y", 1).error().code == ErrorCode::kConflict);
  CHECK(Unrestrict(state, "x", "y", 1).error().code == ErrorCode::kConflict);
  CHECK(Restrict(state, "", "y", 1).error().code == ErrorCode::kInvalidInput);
  CHECK(Unrestrict(*restricted, "x", "", 1).error().code == ErrorCode::kInvalidInput);
  Result<Restriction> lifted =
      Unrestrict(*restricted, "iod.wisniewska", "verified", Utc(2026, 4, 1, 9, 0));
  REQUIRE(lifted.ok());
  CHECK_FALSE(lifted->restricted);
  CHECK(lifted->by == "iod.wisniewska");
  CHECK(CheckUse(*lifted, UseKind::kPlayback, zone).ok());
}

}  // namespace kronika::policy
