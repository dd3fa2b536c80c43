// A row of the wrong type or truncated bytes, in every kind of table, is skipped, counted
// and reported - never a throw, never fatal (issue 13 "done when"). The daemon's and the
// CLI's paths are the library calls tested here; tests/integration/store/ runs the same
// rows through the real binary.
#include <catch2/catch.hpp>
#include <fstream>

#include "kronika/policy/retention.h"
#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/access_disclosure.h"
#include "kronika/srs/access/access_playback.h"
#include "kronika/srs/access/access_register.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/rules/retention_sweeper.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/store/database.h"
#include "kronika/srs/store/store.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::kT0Ms;
using testing::MakeRecording;
using testing::TempDir;

constexpr int64_t kDayMs = 86'400'000;

// Rows as an old build with a bug, a disk error or a hand edit might leave them.
const std::string kWrongTypeHold =
    R"({"act":"place","at_ms_utc":"yesterday","by":"jan","case":"II K 9/26","reason":"","recording_id":"R9"})";
const std::string kTruncated = std::string("\x01\x05", 2) + "ab";  // version 1, a 5-byte string cut at 2

void PutRaw(Database& db, const std::string& table, const std::string& key, const std::string& value) {
  Table t = db.OpenTable(table).value();
  REQUIRE(db.Write([&](WriteTxn& txn) { return txn.Put(t, key, value); }).ok());
}

std::string SeqKey(uint64_t seq) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, seq >>= 8) key[static_cast<size_t>(i)] = static_cast<char>(seq & 0xff);
  return key;
}

TEST_CASE("RET-2 an unreadable hold act is skipped and reported; holds still load, deletions are refused") {
  TempDir dir;
  auto rules = RulesDb::Open(dir.path()).value();
  REQUIRE(rules->PlaceHolds({"R1"}, "II K 1/26", "jan", 1000).ok());
  Database& db = rules->database();
  PutRaw(db, "rules.hold_log", SeqKey(2), kWrongTypeHold);
  PutRaw(db, "rules.hold_log", SeqKey(3), kTruncated);
  PutRaw(db, "rules.dnr", "+48601234567", kTruncated);
  PutRaw(db, "rules.deletion_log", SeqKey(1), "{\"recording_id\": 7}");

  size_t unreadable = 0;
  auto holds = rules->LoadHolds(&unreadable);
  REQUIRE(holds.ok());
  CHECK(unreadable == 2);
  CHECK(holds->IsHeld("R1"));
  CHECK(rules->HoldLog().size() == 1);
  // A number on the list stays listed whatever its row's details hold (CONSENT-3).
  CHECK(*rules->IsDoNotRecord("+48601234567"));
  CHECK(rules->DoNotRecordList()->empty());
  CHECK(rules->DeletionLog(0).empty());
  // New acts still append after the bad ones.
  REQUIRE(rules->PlaceHolds({"R2"}, "II K 2/26", "jan", 2000).ok());
  CHECK(rules->LoadHolds()->IsHeld("R2"));
  // The hold set may be missing a hold: nothing is deleted until the log is repaired.
  auto logged = rules->LogDeletions([](const policy::HoldSet&) {
    DeletionLogEntry e;
    e.recording_id = "R3";
    e.cause = "retention-expired";
    return std::vector<DeletionLogEntry>{e};
  });
  REQUIRE_FALSE(logged.ok());
  CHECK(logged.error().code == ErrorCode::kConflict);
  CHECK_THAT(logged.error().message, Catch::Contains("2 unreadable act(s)"));
  auto counts = db.bad_rows().Counts();
  CHECK(counts["rules.hold_log"] == 2);
  CHECK(counts["rules.dnr"] == 1);
  CHECK(counts["rules.deletion_log"] == 1);
}

TEST_CASE("RET-3 the sweeper survives unreadable hold acts and recordings: reported, nothing deleted, next sweep works") {
  TempDir dir;
  auto store = Store::Open(StoreDir(dir.path()), StoreOptions{}).value();
  auto rules = RulesDb::Open(dir.path()).value();
  policy::SitePolicy site;
  site.site_id = "waw1";
  site.retention.months = 1;
  site = policy::ValidateSitePolicy(site).value();
  SitePolicies sites;
  sites.Add(site);
  RecordingRecord r = MakeRecording("R1", kT0Ms, "+48601234567");
  r.retention_expiry_ms_utc = policy::StampRetention(site, kT0Ms).expires_at_ms_utc;
  REQUIRE(store->Enqueue(r));
  REQUIRE(store->Flush().ok());
  // A truncated recording whose index entries still point at it.
  Database& db = store->database();
  RecordingRecord bad = MakeRecording("R2", kT0Ms + 1, "+48601234567");
  bad.retention_expiry_ms_utc = r.retention_expiry_ms_utc;
  REQUIRE(store->Enqueue(bad));
  REQUIRE(store->Flush().ok());
  PutRaw(db, "recordings", "R2", kTruncated);
  PutRaw(db, "rules.hold_log", SeqKey(1), kWrongTypeHold);

  RetentionSweeper sweeper(store.get(), rules.get(), &sites, nullptr, SweepOptions{dir.path(), true, 10});
  const int64_t later = r.retention_expiry_ms_utc + 2 * kDayMs;
  Result<SweepReport> report = sweeper.SweepOnce(later, std::nullopt, true);
  REQUIRE(report.ok());
  CHECK(report->refused);  // the hold set may be incomplete: nothing is deleted
  CHECK_THAT(report->text, Catch::Contains("1 unreadable act(s)"));
  CHECK(store->Get("R1")->has_value());

  // The operator repairs the log (removes the bad act): the next sweep deletes R1 and
  // skips the unreadable R2 without failing.
  Table hold_log = db.OpenTable("rules.hold_log").value();
  REQUIRE(db.Write([&](WriteTxn& txn) -> Status {
                RETURN_IF_ERROR(txn.Erase(hold_log, SeqKey(1)));
                return OkStatus();
              }).ok());
  report = sweeper.SweepOnce(later, std::nullopt, true);
  REQUIRE(report.ok());
  CHECK(report->deleted == 1);
  CHECK_FALSE(store->Get("R1")->has_value());
  CHECK(store->Get("R2").error().code == ErrorCode::kCorrupt);
  CHECK(db.bad_rows().Counts()["recordings"] == 1);
}

TEST_CASE("store: a truncated recording is skipped by every query and counted once; Get names it") {
  TempDir dir;
  auto store = Store::Open(StoreDir(dir.path()), StoreOptions{}).value();
  for (int i = 0; i < 3; ++i) REQUIRE(store->Enqueue(MakeRecording("R" + std::to_string(i), kT0Ms + i, "+48601234567")));
  REQUIRE(store->Flush().ok());
  PutRaw(store->database(), "recordings", "R1", kTruncated);
  RecordingQuery all;
  auto rows = store->Query(all);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 2);
  RecordingQuery by_number;
  by_number.number = "+48601234567";
  CHECK(store->Query(by_number)->size() == 2);
  RecordingQuery by_id;
  by_id.id = "R1";
  CHECK(store->Query(by_id)->empty());
  auto one = store->Get("R1");
  REQUIRE_FALSE(one.ok());
  CHECK(one.error().code == ErrorCode::kCorrupt);
  CHECK_THAT(one.error().message, Catch::Contains("R1"));
  CHECK(store->database().bad_rows().Counts()["recordings"] == 1);
  // Replacing the bad record works (its index entries could not be read: stale ones are skipped).
  REQUIRE(store->Enqueue(MakeRecording("R1", kT0Ms + 5, "+48601234567")));
  REQUIRE(store->Flush().ok());
  CHECK(store->Get("R1")->has_value());
  CHECK(store->Query(all)->size() == 3);
}

TEST_CASE("ACCESS-1 unreadable access rows are skipped by listings, refused as tokens, fail closed as restrictions") {
  TempDir dir;
  auto store = Store::Open(StoreDir(dir.path()), StoreOptions{}).value();
  REQUIRE(store->Enqueue(MakeRecording("R1", kT0Ms, "+48601234567")));
  REQUIRE(store->Flush().ok());
  auto access = AccessDb::Open(dir.path()).value();
  UserDirectory users(*access);
  REQUIRE(users.Add(User{"anna", "Anna", "Nowak", "Inspector", {Role::kListener}, false, 1, ""}).ok());
  const std::string token = users.IssueToken("anna", "t", 1).value();
  Database& db = access->database();
  PutRaw(db, "access.users", "ewa", R"({"username":"ewa","roles":"approver"})");  // roles of the wrong type
  PutRaw(db, "access.users", "jan", kTruncated);
  PutRaw(db, "access.requests", "PR-000009", kTruncated);
  PutRaw(db, "access.disclosures", "DR-000009", R"({"id":"DR-000009","recording_ids":[1,2]})");
  PutRaw(db, "access.restrictions", "R1", kTruncated);
  const std::string token_id = token.substr(4, 16);
  PutRaw(db, "access.tokens", token_id, kTruncated);

  auto list = users.List();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK(list->front().username == "anna");
  CHECK(users.Find("jan").error().code == ErrorCode::kCorrupt);
  CHECK(users.Authenticate(token).error().code == ErrorCode::kUnauthenticated);
  PlaybackWorkflow flow(*access, *store);
  CHECK(flow.List()->empty());
  DisclosureBook book(*access, *store);
  CHECK(book.List()->empty());
  CHECK(*IsRestricted(*access, "R1"));  // RIGHTS-3: refused until repaired
  auto counts = db.bad_rows().Counts();
  CHECK(counts["access.users"] == 2);
  CHECK(counts["access.requests"] == 1);
  CHECK(counts["access.disclosures"] == 1);
  CHECK(counts["access.restrictions"] == 1);
  CHECK(counts["access.tokens"] == 1);
}

TEST_CASE("REG-3 a register line of the wrong type or shape is a named problem, not a crash") {
  TempDir dir;
  auto access = AccessDb::Open(dir.path()).value();
  ListeningRegister reg(*access, ListeningRegister::DefaultPath(dir.path()));
  REQUIRE(reg.Append({{"recording_id", "R1"}, {"listener", {{"name", "Anna"}}}}).ok());
  {
    std::ofstream out(reg.file(), std::ios::app);
    out << R"({"seq":"two","prev_hash":5,"listener":"not an object","participants":{"a":1}})" << "\n";
  }
  auto v = reg.Verify();
  REQUIRE(v.ok());
  CHECK_FALSE(v->ok);
  CHECK(v->first_bad_line == 2);
  auto entries = reg.Entries();
  REQUIRE(entries.ok());
  CHECK(RegisterCsv(*entries).find("not an object") == std::string::npos);  // listener fields left empty
  CHECK(RegisterProtocolHtml(*entries, DocumentSettings{}).find("Protokół z odsłuchania") != std::string::npos);
}

}  // namespace
}  // namespace kronika::srs
