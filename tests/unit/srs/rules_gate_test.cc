// RulesGate's do-not-record check (CONSENT-3) reads RulesDb's in-memory snapshot, not LMDB
// (issue 13 item 4): a write through the daemon's RulesDb counts for the very next INVITE.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>

#include "kronika/policy/site_policy.h"
#include "kronika/srs/config/site_config.h"
#include "kronika/srs/rules/dnr_snapshot.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/rules/rules_gate.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::TempDir;

SitePolicies OneSite() {
  policy::SitePolicy p;
  p.site_id = "waw1";
  p.scope.not_recorded_action = policy::NotRecordedAction::kReject;
  Result<policy::SitePolicy> valid = policy::ValidateSitePolicy(p);
  REQUIRE(valid.ok());
  SitePolicies sites;
  sites.Add(*valid);
  return sites;
}

// An INVITE's snapshot: the caller as the SRC wrote it (not canonical), a callee.
RecordingRecord Call(const std::string& caller_as_sent) {
  RecordingRecord r;
  r.recording_id = "01CALL";
  r.sip_call_id = "call-1@src";
  r.start_ms_utc = 1764000000000;
  r.participants.push_back(ParticipantRecord{"p0", "", "", "", caller_as_sent, 0});
  r.participants.push_back(ParticipantRecord{"p1", "", "", "+48221239999", "", 1});
  return r;
}

TEST_CASE("CONSENT-3: a do-not-record add or remove counts for the very next Admit, numbers compared canonically") {
  TempDir dir;
  auto db = std::move(RulesDb::Open(dir.path())).value();
  SitePolicies sites = OneSite();
  RulesGate gate(&sites, "waw1", db.get(), nullptr);
  CHECK(gate.Admit(Call("0048 22 123 45 67")).action == AdmitDecision::Action::kRecord);

  REQUIRE(db->AddDoNotRecord({"+48221234567", "iod", 1000, "objection"}).ok());
  const AdmitDecision refused = gate.Admit(Call("0048 22 123 45 67"));  // the next INVITE
  CHECK(refused.action == AdmitDecision::Action::kRefuse);
  CHECK(refused.refusal.warning.find("do-not-record") != std::string::npos);
  CHECK(refused.refusal.warning.find("22") == std::string::npos);  // no number in the text

  REQUIRE(db->RemoveDoNotRecord("+48221234567").ok());
  CHECK(gate.Admit(Call("+48221234567")).action == AdmitDecision::Action::kRecord);
  // A refused write changes nothing in memory either.
  CHECK_FALSE(db->RemoveDoNotRecord("+48221234567").ok());
  CHECK(db->DoNotRecordSnapshot()->size() == 0);
}

TEST_CASE("CONSENT-3: a number listed while the daemon was stopped is in the snapshot of the next Open") {
  TempDir dir;
  {
    auto cli = std::move(RulesDb::Open(dir.path())).value();  // `kronika dnr add`, daemon stopped
    REQUIRE(cli->AddDoNotRecord({"+48601234567", "iod", 1000, ""}).ok());
  }
  auto daemon = std::move(RulesDb::Open(dir.path())).value();
  CHECK(daemon->DoNotRecordSnapshot()->Contains("+48601234567"));
  CHECK(daemon->DoNotRecordSnapshot()->size() == 1);
}

TEST_CASE("DnrSnapshotCell: a reader keeps the snapshot it took while writers publish new ones") {
  DnrSnapshotCell cell;
  CHECK(cell.Current()->size() == 0);
  const std::shared_ptr<const DnrSnapshot> held = cell.Current();
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!stop.load()) {
      const std::shared_ptr<const DnrSnapshot> s = cell.Current();
      // Every published snapshot holds either nothing or both numbers: never one of them.
      if (s->size() == 1) torn.fetch_add(1);
    }
  });
  for (int i = 0; i < 2000; ++i) {
    cell.Publish(std::make_shared<const DnrSnapshot>(
        i % 2 == 0 ? std::unordered_set<std::string>{"+48221234567", "+48601234567"}
                   : std::unordered_set<std::string>{}));
  }
  stop.store(true);
  reader.join();
  CHECK(torn.load() == 0);
  CHECK(held->size() == 0);  // untouched by the later publications
}

}  // namespace
}  // namespace kronika::srs
