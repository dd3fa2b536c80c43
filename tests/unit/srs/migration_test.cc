// A data directory written by Kronika before the one-database layout (the legacy-0.1
// fixture: tests/fixtures/legacy-0.1/make_fixture.py, made with the binary of commit
// 47b9378: JSON rows in db/, policy/db/ and access/db/) opens, is imported into the one
// Database with binary rows, and reads back everything the old build wrote.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/access_disclosure.h"
#include "kronika/srs/access/access_playback.h"
#include "kronika/srs/access/access_register.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/store/database.h"
#include "kronika/srs/store/store.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::TempDir;

const std::filesystem::path kFixture = std::filesystem::path(KRONIKA_FIXTURES_DIR) / "legacy-0.1";

nlohmann::json FixtureFacts() {
  std::ifstream in(kFixture / "tokens.json");
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

// The fixture's files in a fresh data directory, as an installation would have them.
void CopyFixture(const std::filesystem::path& data_dir) {
  for (const char* env : {"db", "policy/db", "access/db"}) {
    std::filesystem::create_directories(data_dir / env);
    std::filesystem::copy_file(kFixture / env / "data.mdb", data_dir / env / "data.mdb");
  }
  std::filesystem::copy_file(kFixture / "register.jsonl", data_dir / "access" / "register.jsonl");
}

struct Opened {
  std::shared_ptr<Database> db;
  std::unique_ptr<Store> store;
  std::unique_ptr<RulesDb> rules;
  std::unique_ptr<AccessDb> access;
};

Opened OpenAll(const std::filesystem::path& data_dir) {
  Opened o;
  o.db = Database::Open(StoreDir(data_dir), DatabaseOptions{}).value();
  o.store = Store::Open(o.db, StoreOptions{}).value();
  o.rules = RulesDb::Open(o.db, data_dir).value();
  o.access = AccessDb::Open(o.db, data_dir).value();
  return o;
}

// Every table's rows in the current layout (a value starting with '{' is a JSON row).
size_t JsonRows(Database& db, const std::vector<std::string>& tables) {
  size_t json = 0;
  std::vector<Table> handles;
  for (const std::string& name : tables) handles.push_back(db.OpenTable(name).value());
  REQUIRE(db.Read([&](const ReadTxn& txn) -> Status {
                for (const Table& t : handles) {
                  RETURN_IF_ERROR(txn.Scan(t, [&](std::string_view, std::string_view value) {
                    json += !value.empty() && value.front() == '{' ? 1 : 0;
                    return true;
                  }));
                }
                return OkStatus();
              }).ok());
  return json;
}

TEST_CASE("migration: a data directory written by 0.1 (JSON rows in three environments) reads back whole") {
  TempDir tmp;
  CopyFixture(tmp.path());
  const nlohmann::json facts = FixtureFacts();
  const std::string held = facts["recordings"]["held"];
  const std::string deleted = facts["recordings"]["deleted"];

  for (int open = 1; open <= 2; ++open) {  // the import, then a plain reopen
    INFO("open " << open);
    Opened o = OpenAll(tmp.path());
    CHECK_FALSE(std::filesystem::exists(tmp.path() / "policy" / "db"));  // imported, removed
    CHECK_FALSE(std::filesystem::exists(tmp.path() / "access" / "db"));
    CHECK(JsonRows(*o.db, {"rules.hold_log", "rules.dnr", "rules.deletion_log", "access.users", "access.tokens",
                           "access.requests", "access.disclosures", "access.restrictions"}) == 0);
    CHECK(o.db->bad_rows().Total() == 0);

    // Recordings (the store's own environment, unchanged).
    auto rec = o.store->Get(held);
    REQUIRE(rec.ok());
    REQUIRE(rec->has_value());
    CHECK((*rec)->state == RecordingState::kCompleted);
    CHECK_FALSE(o.store->Get(deleted)->has_value());

    // RET-2: the hold placed after the lift is active; the log has every act.
    size_t unreadable = 9;
    auto holds = o.rules->LoadHolds(&unreadable);
    REQUIRE(holds.ok());
    CHECK(unreadable == 0);
    CHECK(holds->ActiveCases(held) == std::vector<std::string>{"II K 2/26"});
    const std::vector<HoldAct> log = o.rules->HoldLog();
    REQUIRE(log.size() == 3);
    CHECK(log[1].lift);
    CHECK(log[1].reason == "final ruling");
    // CONSENT-3, RET-4.
    auto dnr = o.rules->DoNotRecordList();
    REQUIRE(dnr.ok());
    REQUIRE(dnr->size() == 1);
    CHECK((*dnr)[0].number == "+48601000111");
    CHECK((*dnr)[0].reason == "objection 3/2026");
    CHECK(*o.rules->IsDoNotRecord("+48601000111"));
    const std::vector<DeletionLogEntry> deletions = o.rules->DeletionLog(0);
    REQUIRE(deletions.size() == 1);
    CHECK(deletions[0].seq == 1);
    CHECK(deletions[0].recording_id == deleted);
    CHECK(deletions[0].cause == "early-deletion");
    CHECK(deletions[0].file_bytes > 0);

    // ACCESS-1: users, roles, the disabled one; tokens authenticate as before.
    UserDirectory users(*o.access);
    auto all = users.List();
    REQUIRE(all.ok());
    CHECK(all->size() == 4);
    auto ewa = users.Find("ewa");
    REQUIRE(ewa.ok());
    REQUIRE(ewa->has_value());
    CHECK((*ewa)->surname == "W\xc3\xb3jcik");
    CHECK((*ewa)->Has(Role::kApprover));
    CHECK((*ewa)->authorised_by == "order 7/2026");
    auto iod = users.Find("iod");
    CHECK((*iod)->Has(Role::kDpo));
    CHECK((*iod)->Has(Role::kAuditor));
    CHECK((*iod)->disabled);
    auto anna = users.Authenticate(facts["tokens"]["anna"].get<std::string>());
    REQUIRE(anna.ok());
    CHECK(anna->user.username == "anna");
    CHECK(users.Authenticate(facts["tokens"]["iod"].get<std::string>()).error().code ==
          ErrorCode::kUnauthenticated);

    // ACCESS-2..4, DISC-1, RIGHTS-3.
    PlaybackWorkflow flow(*o.access, *o.store);
    auto request = flow.Get(facts["playback_request"].get<std::string>());
    REQUIRE(request.ok());
    CHECK((*request)["status"] == "approved");
    CHECK((*request)["protocol"]["causes"] == "tone of the call");
    CHECK((*request)["informed"][held]["how"] == "in person");
    CHECK((*request)["decision"]["by_name"] == "Ewa W\xc3\xb3jcik, Director");
    DisclosureBook book(*o.access, *o.store);
    auto disclosure = book.Get(facts["disclosure"].get<std::string>());
    REQUIRE(disclosure.ok());
    CHECK((*disclosure)["status"] == "granted");
    CHECK((*disclosure)["requester_institution"] == "Policja KMP");
    auto restriction = GetRestriction(*o.access, held);
    REQUIRE(restriction.ok());
    CHECK_FALSE(restriction->restricted);
    CHECK(restriction->history.size() == 2);
    CHECK_FALSE(*IsRestricted(*o.access, held));

    // REG-3: the register verifies against the checkpoint the old build kept.
    ListeningRegister reg(*o.access, ListeningRegister::DefaultPath(tmp.path()));
    auto v = reg.Verify();
    REQUIRE(v.ok());
    INFO(v->problem);
    CHECK(v->ok);
    CHECK(v->entries == 1);
  }

  // The counters carried over: the next request and disclosure get the next numbers.
  Opened o = OpenAll(tmp.path());
  UserDirectory users(*o.access);
  Identity anna = users.Authenticate(FixtureFacts()["tokens"]["anna"].get<std::string>()).value();
  PlaybackWorkflow flow(*o.access, *o.store);
  auto next = flow.File(anna, {{"recording_ids", {FixtureFacts()["recordings"]["held"]}}, {"reason", "a"},
                               {"justification", "second complaint"}},
                        1797000000000);
  REQUIRE(next.ok());
  CHECK((*next)["id"] == "PR-000002");
}

}  // namespace
}  // namespace kronika::srs
