// Users and tokens (ACCESS-1), the playback workflow (ACCESS-2..5), restriction (RIGHTS-3)
// and disclosure packages (DISC-1..3) over a real LMDB store and access database.
#include "kronika/srs/access/access_playback.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/access_disclosure.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/store/store.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::kT0Ms;
using testing::MakeRecording;
using testing::TempDir;

constexpr int64_t kNow = kT0Ms + 86'400'000;

struct World {
  TempDir dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<AccessDb> db;
  std::unique_ptr<UserDirectory> users;
  std::unique_ptr<PlaybackWorkflow> flow;

  World() {
    store = Store::Open(StoreDir(dir.path()), StoreOptions{}).value();
    store->Enqueue(MakeRecording("REC1", kT0Ms, "+48601234567"));
    store->Enqueue(MakeRecording("REC2", kT0Ms + 1000, "+48609999999"));
    REQUIRE(store->Flush().ok());
    db = AccessDb::Open(dir.path()).value();
    users = std::make_unique<UserDirectory>(*db);
    flow = std::make_unique<PlaybackWorkflow>(*db, *store);
  }
  Identity Add(const std::string& name, std::set<Role> roles) {
    User u{name,  "Name-" + name, "Surname-" + name, "Position-" + name, std::move(roles),
           false, kNow,           "order 1/2026"};
    REQUIRE(users->Add(u).ok());
    auto token = users->IssueToken(name, "test", kNow);
    REQUIRE(token.ok());
    auto who = users->Authenticate(*token);
    REQUIRE(who.ok());
    return *who;
  }
};

TEST_CASE(
    "ACCESS-1 tokens authenticate and are stored only as salted hashes, disabled users and bad tokens are "
    "refused",
    "[access][ACCESS-1]") {
  World w;
  User u{"anna", "Anna", "Nowak", "Inspector", {Role::kListener}, false, kNow, ""};
  REQUIRE(w.users->Add(u).ok());
  CHECK(w.users->Add(u).error().code == ErrorCode::kConflict);
  auto token = w.users->IssueToken("anna", "laptop", kNow);
  REQUIRE(token.ok());
  CHECK_THAT(*token, Catch::Matches("krk_[0-9a-f]{16}_[0-9a-f]{64}"));
  auto who = w.users->Authenticate(*token);
  REQUIRE(who.ok());
  CHECK(who->user.username == "anna");
  CHECK(who->token_id == token->substr(4, 16));
  // The secret is not stored anywhere in the access database.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(AccessDir(w.dir.path()))) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    CHECK(s.str().find(token->substr(21)) == std::string::npos);
  }
  std::string wrong = *token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  CHECK(w.users->Authenticate(wrong).error().code == ErrorCode::kUnauthenticated);
  CHECK(w.users->Authenticate("krk_nonsense").error().code == ErrorCode::kUnauthenticated);
  REQUIRE(w.users->SetDisabled("anna", true).ok());
  CHECK(w.users->Authenticate(*token).error().code == ErrorCode::kUnauthenticated);
  REQUIRE(w.users->SetDisabled("anna", false).ok());
  REQUIRE(w.users->RevokeToken(who->token_id).ok());
  CHECK(w.users->Authenticate(*token).error().code == ErrorCode::kUnauthenticated);
}

TEST_CASE("ACCESS-1 tokens carry a label, an optional expiry and their last use, and can be listed",
          "[access][ACCESS-1]") {
  World w;
  constexpr int64_t kMinute = 60'000;
  constexpr int64_t kDay = 86'400'000;
  REQUIRE(w.users->Add(User{"anna", "Anna", "Nowak", "Inspector", {Role::kListener}, false, kNow, ""}).ok());
  REQUIRE(w.users->Add(User{"ewa", "Ewa", "Kowal", "Director", {Role::kApprover}, false, kNow, ""}).ok());
  CHECK(w.users->IssueToken("anna", "past", kNow, kNow - 1).error().code == ErrorCode::kInvalidInput);
  auto expiring = w.users->IssueToken("anna", "web console", kNow, kNow + 30 * kDay);
  auto forever = w.users->IssueToken("ewa", "", kNow);
  REQUIRE(expiring.ok());
  REQUIRE(forever.ok());

  auto all = w.users->ListTokens();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  auto anna = w.users->ListTokens("anna");
  REQUIRE(anna.ok());
  REQUIRE(anna->size() == 1);
  const TokenInfo& t = anna->front();
  CHECK(t.token_id == expiring->substr(4, 16));
  CHECK(t.username == "anna");
  CHECK(t.label == "web console");
  CHECK(t.created_ms_utc == kNow);
  CHECK(t.expires_ms_utc == kNow + 30 * kDay);
  CHECK(t.last_used_ms_utc == 0);

  // A use is recorded; another within the minute does not write again.
  REQUIRE(w.users->Authenticate(*expiring, kNow + 10 * kMinute).ok());
  CHECK(w.users->ListTokens("anna")->front().last_used_ms_utc == kNow + 10 * kMinute);
  REQUIRE(w.users->Authenticate(*expiring, kNow + 10 * kMinute + 30'000).ok());
  CHECK(w.users->ListTokens("anna")->front().last_used_ms_utc == kNow + 10 * kMinute);
  REQUIRE(w.users->Authenticate(*expiring, kNow + 12 * kMinute).ok());
  CHECK(w.users->ListTokens("anna")->front().last_used_ms_utc == kNow + 12 * kMinute);

  // Expired: refused, still listed (so it can be seen and revoked), marked expired.
  auto late = w.users->Authenticate(*expiring, kNow + 30 * kDay);
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == ErrorCode::kUnauthenticated);
  CHECK_THAT(late.error().message, Catch::Contains("expired"));
  CHECK(w.users->ListTokens("anna")->front().Expired(kNow + 30 * kDay));
  CHECK(w.users->Authenticate(*forever, kNow + 3650 * kDay).ok());
}

TEST_CASE(
    "ACCESS-2 ACCESS-3 ACCESS-4 playback only after approval for a stated reason and informing the "
    "employee",
    "[access][ACCESS-2][ACCESS-3][ACCESS-4]") {
  World w;
  Identity listener = w.Add("anna", {Role::kListener});
  Identity director = w.Add("ewa", {Role::kApprover});
  Identity keeper = w.Add("jan", {Role::kRecordsKeeper});
  Identity admin = w.Add("root", {Role::kAdministrator});

  CHECK(w.flow->AuthorisePlayback(listener, "REC1", "", kNow).error().code ==
        ErrorCode::kPermissionDenied);  // ACCESS-2
  CHECK(w.flow
            ->File(admin, {{"recording_ids", {"REC1"}}, {"reason", "a"}, {"justification", "x"}},
                   kNow)
            .error()
            .code == ErrorCode::kPermissionDenied);  // an administrator cannot by that alone
  CHECK(w.flow
            ->File(listener, {{"recording_ids", {"REC1"}}, {"reason", "z"}, {"justification", "x"}},
                   kNow)
            .error()
            .code == ErrorCode::kInvalidInput);  // ACCESS-3: reasons a-g only
  CHECK(w.flow
            ->File(listener, {{"recording_ids", {"NOPE"}}, {"reason", "a"}, {"justification", "x"}},
                   kNow)
            .error()
            .code == ErrorCode::kNotFound);
  auto req = w.flow->File(
      listener,
      {{"recording_ids", {"REC1"}}, {"reason", "a"}, {"justification", "complaint 12/2026"}}, kNow);
  REQUIRE(req.ok());
  const std::string id = (*req)["id"];
  CHECK(id == "PR-000001");
  CHECK((*req)["reason_text"] == "caller's verbal aggression (ACCESS-3 a)");
  CHECK(w.flow->AuthorisePlayback(listener, "REC1", "", kNow).error().message.find("pending") !=
        std::string::npos);
  CHECK(w.flow->Decide(listener, id, {{"granted", true}}, kNow).error().code == ErrorCode::kPermissionDenied);
  REQUIRE(
      w.flow->Decide(director, id, {{"granted", true}, {"note", "ok"}, {"valid_minutes", 60}}, kNow)
          .ok());
  CHECK(w.flow->Decide(director, id, {{"granted", false}}, kNow).error().code == ErrorCode::kConflict);
  // ACCESS-4: not before the employee is informed.
  auto not_informed = w.flow->AuthorisePlayback(listener, "REC1", "", kNow);
  REQUIRE_FALSE(not_informed.ok());
  CHECK_THAT(not_informed.error().message, Catch::Contains("ACCESS-4"));
  CHECK(w.flow->MarkInformed(listener, id, {{"recording_id", "REC1"}, {"how", "e-mail"}}, kNow)
            .error()
            .code == ErrorCode::kPermissionDenied);
  auto informed = w.flow->MarkInformed(keeper, id, {{"recording_id", "REC1"}, {"how", "in person"}},
                                       kNow + 1000);
  REQUIRE(informed.ok());
  CHECK((*informed)["informed"]["REC1"]["how"] == "in person");
  CHECK((*informed)["informed"]["REC1"]["at_ms_utc"] == kNow + 1000);
  CHECK(w.flow->AuthorisePlayback(listener, "REC1", "", kNow + 2000).ok());
  CHECK(w.flow->AuthorisePlayback(listener, "REC2", "", kNow + 2000).error().code ==
        ErrorCode::kPermissionDenied);  // not named
  Identity other = w.Add("piotr", {Role::kListener});
  CHECK_FALSE(
      w.flow->AuthorisePlayback(other, "REC1", "", kNow + 2000).ok());  // someone else's approval
  // Limited time: 60 minutes.
  auto expired = w.flow->AuthorisePlayback(listener, "REC1", "", kNow + 61 * 60'000);
  REQUIRE_FALSE(expired.ok());
  CHECK_THAT(expired.error().message, Catch::Contains("expired"));
}

TEST_CASE("ACCESS-5 a caller's own request needs an identifiable number and both opinions",
          "[access][ACCESS-5]") {
  World w;
  Identity listener = w.Add("anna", {Role::kListener});
  Identity director = w.Add("ewa", {Role::kApprover});
  Identity dpo = w.Add("iod", {Role::kDpo});
  CHECK(w.flow
            ->File(listener,
                   {{"recording_ids", {"REC1"}},
                    {"reason", "caller"},
                    {"justification", "letter"},
                    {"caller_number", "+48 609 999 999"}},
                   kNow)
            .error()
            .code == ErrorCode::kNotAcceptable);  // REC1's caller is +48601234567
  auto req = w.flow->File(listener,
                          {{"recording_ids", {"REC1"}},
                           {"reason", "caller"},
                           {"justification", "letter 7/2026"},
                           {"caller_number", "601 234 567"}},
                          kNow);
  REQUIRE(req.ok());
  const std::string id = (*req)["id"];
  CHECK(w.flow->Decide(director, id, {{"granted", true}}, kNow).error().code == ErrorCode::kConflict);
  CHECK(w.flow->Opinion(director, id, {{"kind", "dpo"}, {"favourable", true}}, kNow)
            .error()
            .code == ErrorCode::kPermissionDenied);
  REQUIRE(
      w.flow->Opinion(dpo, id, {{"kind", "dpo"}, {"favourable", true}, {"text", "lawful"}}, kNow)
          .ok());
  CHECK(w.flow->Decide(director, id, {{"granted", true}}, kNow).error().code == ErrorCode::kConflict);
  REQUIRE(w.flow->Opinion(director, id, {{"kind", "unit_head"}, {"favourable", true}}, kNow).ok());
  auto decided = w.flow->Decide(director, id, {{"granted", true}}, kNow);
  REQUIRE(decided.ok());
  CHECK((*decided)["status"] == "approved");
}

TEST_CASE("ACCESS-5 the head of unit gives the unit head's opinion, and nothing else",
          "[access][ACCESS-5]") {
  World w;
  Identity listener = w.Add("anna", {Role::kListener});
  Identity director = w.Add("ewa", {Role::kApprover});
  Identity head = w.Add("kier", {Role::kUnitHead});
  Identity dpo = w.Add("iod", {Role::kDpo});
  CHECK(ParseRole("unit_head") == Role::kUnitHead);
  CHECK(RoleName(Role::kUnitHead) == "unit_head");
  auto req = w.flow->File(listener,
                          {{"recording_ids", {"REC1"}},
                           {"reason", "caller"},
                           {"justification", "letter 8/2026"},
                           {"caller_number", "601 234 567"}},
                          kNow);
  REQUIRE(req.ok());
  const std::string id = (*req)["id"];
  CHECK(w.flow->Opinion(head, id, {{"kind", "dpo"}, {"favourable", true}}, kNow).error().code ==
        ErrorCode::kPermissionDenied);
  CHECK(w.flow->Opinion(listener, id, {{"kind", "unit_head"}, {"favourable", true}}, kNow)
            .error()
            .code == ErrorCode::kPermissionDenied);
  CHECK(w.flow->Decide(head, id, {{"granted", true}}, kNow).error().code == ErrorCode::kPermissionDenied);
  auto opinion =
      w.flow->Opinion(head, id, {{"kind", "unit_head"}, {"favourable", false}, {"text", "no complaint on file"}}, kNow);
  REQUIRE(opinion.ok());
  CHECK((*opinion)["opinions"]["unit_head"]["by"] == "kier");
  CHECK((*opinion)["opinions"]["unit_head"]["favourable"] == false);
  CHECK((*opinion)["opinions"]["unit_head"]["text"] == "no complaint on file");
  REQUIRE(w.flow->Opinion(dpo, id, {{"kind", "dpo"}, {"favourable", true}, {"text", "lawful"}}, kNow).ok());
  auto decided = w.flow->Decide(director, id, {{"granted", false}, {"note", "unit head against"}}, kNow);
  REQUIRE(decided.ok());
  CHECK((*decided)["status"] == "refused");
}

TEST_CASE("RIGHTS-3 restricted recordings can be neither requested nor played",
          "[access][RIGHTS-3]") {
  World w;
  Identity listener = w.Add("anna", {Role::kListener});
  Identity director = w.Add("ewa", {Role::kApprover});
  auto req = w.flow->File(
      listener, {{"recording_ids", {"REC1"}}, {"reason", "d"}, {"justification", "x"}}, kNow);
  REQUIRE(req.ok());
  REQUIRE(
      w.flow->Decide(director, (*req)["id"].get<std::string>(), {{"granted", true}}, kNow).ok());
  REQUIRE(w.flow
              ->MarkInformed(director, (*req)["id"].get<std::string>(),
                             {{"recording_id", "REC1"}, {"how", "phone"}}, kNow)
              .ok());
  REQUIRE(w.flow->AuthorisePlayback(listener, "REC1", "", kNow).ok());
  REQUIRE(SetRestriction(*w.db, "REC1", true, "iod", "objection of the data subject", kNow).ok());
  CHECK(SetRestriction(*w.db, "REC1", true, "iod", "again", kNow).error().code == ErrorCode::kConflict);
  CHECK_THAT(w.flow->AuthorisePlayback(listener, "REC1", "", kNow).error().message,
             Catch::Contains("RIGHTS-3"));
  CHECK(w.flow
            ->File(listener, {{"recording_ids", {"REC1"}}, {"reason", "d"}, {"justification", "x"}},
                   kNow)
            .error()
            .code == ErrorCode::kPermissionDenied);
  REQUIRE(SetRestriction(*w.db, "REC1", false, "iod", "objection withdrawn", kNow).ok());
  CHECK(w.flow->AuthorisePlayback(listener, "REC1", "", kNow).ok());
}

TEST_CASE(
    "DISC-1 DISC-2 DISC-3 a granted disclosure exports a verifiable package and tampering is detected",
    "[access][DISC-1][DISC-2][DISC-3]") {
  World w;
  Identity keeper = w.Add("jan", {Role::kRecordsKeeper});
  Identity director = w.Add("ewa", {Role::kApprover});
  const auto audio_path = w.dir.path() / "recordings/2026/11/25/REC1.opus";
  std::filesystem::create_directories(audio_path.parent_path());
  std::ofstream(audio_path, std::ios::binary) << "OggS-fake-audio-bytes";
  DisclosureBook book(*w.db, *w.store);
  nlohmann::json body = {{"requester_institution", "Prokuratura Rejonowa"},
                         {"request_date", "2026-11-26"},
                         {"request_number", "PR 1 Ds 123/26"},
                         {"phone_number", "+48601234567"},
                         {"call_date", "2026-11-25"},
                         {"justification", "criminal proceedings"},
                         {"recording_ids", {"REC1"}}};
  CHECK(book.File(director, body, kNow).error().code == ErrorCode::kPermissionDenied);
  nlohmann::json missing = body;
  missing.erase("request_number");
  CHECK(book.File(keeper, missing, kNow).error().code == ErrorCode::kInvalidInput);
  auto d = book.File(keeper, body, kNow);
  REQUIRE(d.ok());
  const std::string id = (*d)["id"];
  const auto out = w.dir.path() / "exports" / id;
  CHECK(
      book.Export(keeper, id, nullptr, w.dir.path(), out, std::nullopt, kNow).error().code ==
      ErrorCode::kConflict);
  auto decided = book.Decide(director, id, {{"granted", true}, {"note", "art. 15 kpk"}}, kNow);
  REQUIRE(decided.ok());
  CHECK((*decided)["decision"]["by"] == "ewa");
  const std::string signing_key = RandomBytes(32);
  auto exported = book.Export(keeper, id, nullptr, w.dir.path(), out, signing_key, kNow);
  REQUIRE(exported.ok());
  for (const char* f : {"audio/REC1.opus", "metadata/REC1.json", "protocol.html", "disclosure.json",
                        "MANIFEST.sha256", "MANIFEST.sha256.sig"}) {
    CHECK(std::filesystem::exists(out / f));
  }
  std::ifstream protocol(out / "protocol.html");
  std::ostringstream html;
  html << protocol.rdbuf();
  CHECK_THAT(html.str(), Catch::Contains("Prokuratura Rejonowa") &&
                             Catch::Contains("+48601234567") && Catch::Contains("1 min 35 s") &&
                             Catch::Contains("wyłącznie do celów określonych w pisemnym wniosku"));
  auto ok = VerifyExportPackage(out, signing_key);
  CHECK(ok.ok);
  CHECK(ok.files == 5);  // audio, metadata, disclosure.json, protocol.html, protocol.pdf
  CHECK_FALSE(VerifyExportPackage(out, RandomBytes(32)).ok);  // wrong key: signature fails
  std::ofstream(out / "audio/REC1.opus", std::ios::binary | std::ios::app) << "x";
  auto tampered = VerifyExportPackage(out, std::nullopt);
  CHECK_FALSE(tampered.ok);
  REQUIRE(tampered.problems.size() == 1);
  CHECK_THAT(tampered.problems[0],
             Catch::Contains("audio/REC1.opus") && Catch::Contains("altered"));
  std::ofstream(out / "extra.txt") << "smuggled";
  CHECK(VerifyExportPackage(out, std::nullopt).problems.size() == 2);
}

}  // namespace
}  // namespace kronika::srs
