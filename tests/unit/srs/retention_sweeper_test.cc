// Retention wiring (issue 7): the sweeper, legal holds, quota eviction and erasure against a
// real LMDB store and policy db in a temporary data directory.
#include <catch2/catch.hpp>
#include <fstream>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "kronika/policy/retention.h"
#include "kronika/srs/rules/deletion_requests.h"
#include "kronika/srs/rules/retention_sweeper.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/store/store.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::kT0Ms;
using testing::MakeRecording;
using testing::TempDir;

constexpr int64_t kDayMs = 86'400'000;

policy::SitePolicy Site(int months = 3, uint64_t quota_mib = 0) {
  policy::SitePolicy p;
  p.site_id = "waw1";
  p.retention.months = months;
  p.quota.limit_mib = quota_mib;
  p.quota.warn_percent = 50;
  p.quota.at_limit = policy::QuotaAction::kEvictOldest;
  Result<policy::SitePolicy> valid = policy::ValidateSitePolicy(p);
  REQUIRE(valid.ok());
  return *valid;
}

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<RulesDb> db;
  SitePolicies sites;
  Fixture(policy::SitePolicy site = Site()) {
    store = std::move(Store::Open(StoreDir(dir.path()), StoreOptions{})).value();
    db = std::move(RulesDb::Open(dir.path())).value();
    sites.Add(std::move(site));
  }
  // A completed recording with a real file of `bytes`, expiring as stamped (RET-1).
  RecordingRecord Add(const std::string& id, int64_t start_ms, const std::string& caller = "+48601234567",
                      uint64_t bytes = 1000) {
    RecordingRecord r = MakeRecording(id, start_ms, caller);
    r.retention_expiry_ms_utc = policy::StampRetention(*sites.Find("waw1"), start_ms).expires_at_ms_utc;
    r.file_path = "recordings/" + id + ".opus";
    r.file_bytes = bytes;
    std::filesystem::create_directories(dir.path() / "recordings");
    std::ofstream(dir.path() / r.file_path) << std::string(bytes, 'A');
    REQUIRE(store->Enqueue(r));
    REQUIRE(store->Flush().ok());
    return r;
  }
  bool Exists(const std::string& id) { return store->Get(id)->has_value(); }
  bool FileExists(const std::string& id) { return std::filesystem::exists(dir.path() / "recordings" / (id + ".opus")); }
  Result<SweepReport> Sweep(int64_t now, RulesMetrics* metrics = nullptr) {
    RetentionSweeper sweeper(store.get(), db.get(), &sites, metrics, SweepOptions{dir.path(), true, 2});
    return sweeper.SweepOnce(now, std::nullopt, /*operator_confirmed=*/false);
  }
};

// 3 months from 2026-11-25 (Warsaw): kept through 2027-02-25, deleted from 2027-02-26 local.
int64_t ExpiryMs() { return policy::StampRetention(Site(), kT0Ms).expires_at_ms_utc; }

TEST_CASE("RET-3 the sweep deletes expired recordings, their files and index entries, and logs each without content") {
  Fixture f;
  f.Add("01A", kT0Ms);
  f.Add("01B", kT0Ms + 10 * kDayMs);  // expires 10 days later
  // A fresh recording right before the sweep keeps the clock guard satisfied.
  f.Add("01Z", ExpiryMs() + kDayMs - 60'000);
  Result<SweepReport> report = f.Sweep(ExpiryMs() + kDayMs);
  REQUIRE(report.ok());
  CHECK_FALSE(report->refused);
  CHECK(report->deleted == 1);
  CHECK_FALSE(f.Exists("01A"));
  CHECK_FALSE(f.FileExists("01A"));
  CHECK(f.Exists("01B"));
  CHECK(f.FileExists("01B"));
  CHECK(f.store->ExpiredBefore(ExpiryMs() + kDayMs, 10)->empty());
  const std::vector<DeletionLogEntry> log = f.db->DeletionLog(10);
  REQUIRE(log.size() == 1);
  CHECK(log[0].recording_id == "01A");
  CHECK(log[0].cause == "retention-expired");
  CHECK(log[0].by == "retention-sweeper");
  CHECK(log[0].deleted_at_ms_utc == ExpiryMs() + kDayMs);
  CHECK(log[0].file_bytes == 1000);
}

TEST_CASE("RET-2 a held recording survives its expiry and is deleted at the first sweep after the hold is lifted") {
  Fixture f;
  f.Add("01A", kT0Ms);
  f.Add("01B", kT0Ms);
  REQUIRE(f.db->PlaceHolds({"01A"}, "II K 123/26", "prokurator", kT0Ms + kDayMs).ok());
  int64_t now = ExpiryMs() + kDayMs;
  f.Add("01Y", now - 60'000);
  Result<SweepReport> first = f.Sweep(now);
  REQUIRE(first.ok());
  CHECK(first->deleted == 1);
  CHECK(first->kept_on_hold == 1);
  CHECK(f.Exists("01A"));
  CHECK(f.FileExists("01A"));
  CHECK_FALSE(f.Exists("01B"));

  // Still held a day later.
  now += kDayMs;
  f.Add("01Z", now - 60'000);
  REQUIRE(f.Sweep(now).ok());
  CHECK(f.Exists("01A"));

  REQUIRE(f.db->LiftHolds({"01A"}, "II K 123/26", "sad", "prawomocny wyrok", now + 1000).ok());
  Result<SweepReport> after = f.Sweep(now + 2000);
  REQUIRE(after.ok());
  CHECK(after->deleted == 1);
  CHECK_FALSE(f.Exists("01A"));
  CHECK_FALSE(f.FileExists("01A"));
  // The hold log keeps both acts (append-only).
  const std::vector<HoldAct> acts = f.db->HoldLog();
  REQUIRE(acts.size() == 2);
  CHECK_FALSE(acts[0].lift);
  CHECK(acts[1].lift);
  CHECK(acts[1].reason == "prawomocny wyrok");
}

TEST_CASE("RET-3 a wall clock stepped back or jumped ahead deletes nothing") {
  Fixture f;
  f.Add("01A", kT0Ms);
  f.Add("01Z", ExpiryMs() + kDayMs - 60'000);  // newest recording: now is believable
  // NTP step backwards: now is a week before the newest recording.
  Result<SweepReport> back = f.Sweep(ExpiryMs() - 7 * kDayMs);
  REQUIRE(back.ok());
  CHECK(back->refused);
  CHECK(f.Exists("01A"));
  // Jump ahead: a year after the last believable instant, without monotonic proof.
  Result<SweepReport> ahead = f.Sweep(ExpiryMs() + 365 * kDayMs);
  REQUIRE(ahead.ok());
  CHECK(ahead->refused);
  CHECK(f.Exists("01A"));
  CHECK(f.db->DeletionLog(10).empty());
}

TEST_CASE("RET-5 quota eviction removes the oldest recordings not on hold, skipping held ones") {
  // 1 MiB quota; four recordings of 400 KiB = 1600 KiB: two must go, the oldest is held.
  Fixture f(Site(12, 1));
  const uint64_t kSize = 400 * 1024;
  f.Add("01A", kT0Ms, "+48601234567", kSize);
  f.Add("01B", kT0Ms + 1000, "+48601234567", kSize);
  f.Add("01C", kT0Ms + 2000, "+48601234567", kSize);
  f.Add("01D", kT0Ms + 3000, "+48601234567", kSize);
  REQUIRE(f.db->PlaceHolds({"01A"}, "II K 1/26", "prokurator", kT0Ms + 5000).ok());
  prometheus::Registry registry;
  RulesMetrics metrics(registry);
  Result<SweepReport> report = f.Sweep(kT0Ms + 60'000, &metrics);
  REQUIRE(report.ok());
  CHECK(report->deleted == 0);
  CHECK(report->evicted == 2);
  CHECK(f.Exists("01A"));  // oldest, but held
  CHECK_FALSE(f.Exists("01B"));
  CHECK_FALSE(f.Exists("01C"));
  CHECK(f.Exists("01D"));
  const std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  CHECK(text.find("kronika_retention_deletions_total{cause=\"quota-eviction\"} 2") != std::string::npos);
  CHECK(text.find("kronika_quota_limit_bytes{site=\"waw1\"} 1048576") != std::string::npos);
  CHECK(text.find("kronika_quota_used_bytes{site=\"waw1\"} 819200") != std::string::npos);
  CHECK(text.find("kronika_quota_warning{site=\"waw1\"} 1") != std::string::npos);
}

TEST_CASE("RIGHTS-2 erasure deletes a subject's recordings but refuses held ones and names the case") {
  Fixture f;
  f.Add("01A", kT0Ms, "+48601234567");
  f.Add("01B", kT0Ms + 1000, "+48601234567");
  f.Add("01C", kT0Ms + 2000, "+48222222222");
  REQUIRE(f.db->PlaceHolds({"01B"}, "II K 7/26", "prokurator", kT0Ms + 5000).ok());
  const policy::DeletionRequest request{"iod@example.pl", "art. 17 RODO request 2026/11", kT0Ms + 9000};
  Result<ErasureReport> report = EraseSubject(*f.store, *f.db, f.sites, "601 234 567", request,
                                              DeleteOptions{f.dir.path(), true, true});
  REQUIRE(report.ok());
  CHECK(report->erased == std::vector<std::string>{"01A"});
  REQUIRE(report->kept.size() == 1);
  CHECK(report->kept[0].recording_id == "01B");
  CHECK(report->kept[0].hold_cases == std::vector<std::string>{"II K 7/26"});
  CHECK_FALSE(f.Exists("01A"));
  CHECK(f.Exists("01B"));
  CHECK(f.Exists("01C"));
  const std::vector<DeletionLogEntry> log = f.db->DeletionLog(10);
  REQUIRE(log.size() == 1);
  CHECK(log[0].cause == "erasure-request");
  CHECK(log[0].by == "iod@example.pl");
}

TEST_CASE("RET-4 early deletion needs a requester and a reason and refuses a held recording") {
  Fixture f;
  f.Add("01A", kT0Ms);
  f.Add("01B", kT0Ms + 1000);
  REQUIRE(f.db->PlaceHolds({"01B"}, "II K 9/26", "prokurator", kT0Ms + 5000).ok());
  const DeleteOptions options{f.dir.path(), true, true};
  CHECK(DeleteEarly(*f.store, *f.db, "01A", {"", "no relevance", kT0Ms}, options).error().code == ErrorCode::kInvalidInput);
  Status held = DeleteEarly(*f.store, *f.db, "01B", {"kierownik", "no relevance (§3.5)", kT0Ms}, options);
  REQUIRE_FALSE(held.ok());
  CHECK(held.error().code == ErrorCode::kConflict);
  CHECK(f.Exists("01B"));
  REQUIRE(DeleteEarly(*f.store, *f.db, "01A", {"kierownik", "no relevance (§3.5)", kT0Ms}, options).ok());
  CHECK_FALSE(f.Exists("01A"));
  CHECK(f.db->DeletionLog(1).at(0).cause == "early-deletion");
  CHECK(DeleteEarly(*f.store, *f.db, "01A", {"kierownik", "again", kT0Ms}, options).error().code == ErrorCode::kNotFound);
}

}  // namespace
}  // namespace kronika::srs
