// Events emitted by the state changes they describe (issue 17 item 1), on a real LMDB
// environment: what a script reading the outbox sees after the store writer commits a
// recording, a hold is placed or lifted, a recording is deleted or a subject erased, and a
// playback or a disclosure is granted and carried out. Every event is checked for its type,
// recording, fields and place in the gap-free sequence; a write that aborts leaves none;
// an erasure leaves no personal data in the outbox.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "kronika/policy/retention.h"
#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/access_disclosure.h"
#include "kronika/srs/access/access_playback.h"
#include "kronika/srs/access/access_register.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/rules/deletion_requests.h"
#include "kronika/srs/rules/deletions.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/store/event_outbox.h"
#include "kronika/srs/store/store.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::kT0Ms;
using testing::MakeRecording;
using testing::TempDir;

constexpr int64_t kNow = kT0Ms + 86'400'000;

// The outbox the modules of `db` append to (one per Database in a process).
std::shared_ptr<EventOutbox> OutboxOf(Database& db) { return EventOutbox::Of(db.shared_from_this()).value(); }

// With KRONIKA_EVENT_EXAMPLES=FILE, every event read is appended to FILE as its public JSON
// (personal data included): the example bodies of docs/api.md "Events" come from here.
void KeepExamples(const std::vector<Event>& events) {
  const char* file = std::getenv("KRONIKA_EVENT_EXAMPLES");
  if (file == nullptr) return;
  std::ofstream out(file, std::ios::app);
  for (const Event& e : events) out << EventJson(e, /*with_personal=*/true).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

std::vector<Event> EventsAfter(Database& db, uint64_t after) {
  auto events = OutboxOf(db)->ReadAfter(after, 1000);
  REQUIRE(events.ok());
  KeepExamples(*events);
  return *events;
}

// Every event, checked to be numbered 1, 2, 3 ... with ids "<node>-<seq>".
std::vector<Event> AllEvents(Database& db) {
  std::vector<Event> all = EventsAfter(db, 0);
  for (size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].seq == i + 1);
    CHECK(all[i].id == all[i].node + "-" + std::to_string(i + 1));
  }
  return all;
}

nlohmann::json Data(const Event& e) { return nlohmann::json::parse(e.data_json); }
nlohmann::json Personal(const Event& e) { return nlohmann::json::parse(e.personal_json); }

std::vector<std::string> Types(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(e.type + " " + e.recording_id);
  return out;
}

RecordingRecord Active(const std::string& id, int64_t start_ms, const std::string& caller) {
  RecordingRecord r = MakeRecording(id, start_ms, caller);
  r.state = RecordingState::kActive;
  r.end_ms_utc = 0;
  r.file_bytes = 0;
  r.duration_s = 0;
  r.metadata_status = "";
  r.timeline.resize(2);
  return r;
}

TEST_CASE("Events: the store writer's commits are recording.started, .finished and .interrupted",
          "[events][store]") {
  TempDir dir;
  std::unique_ptr<Store> store = Store::Open(StoreDir(dir.path()), StoreOptions{}).value();
  REQUIRE(EventOutbox::SetNode(store->database(), "kr1").error().code == ErrorCode::kConflict);  // open already
  const std::string node = OutboxOf(store->database())->node();
  CHECK(node == EventOutbox::DefaultNode());

  // First commit of a call in progress: recording.started.
  RecordingRecord a = Active("01A", kT0Ms, "+48601234567");
  REQUIRE(store->Enqueue(a));
  REQUIRE(store->Flush().ok());
  // A later snapshot of the same state: nothing.
  a.timeline.push_back({kT0Ms + 5000, "metadata", ""});
  REQUIRE(store->Enqueue(a));
  REQUIRE(store->Flush().ok());
  CHECK(AllEvents(store->database()).size() == 1);
  // It ends: recording.finished with its verdict and metadata status.
  RecordingRecord a_done = MakeRecording("01A", kT0Ms, "+48601234567");
  a_done.verdict = "complete";
  REQUIRE(store->Enqueue(a_done));
  // A call first committed when already over (one batch): started, then finished.
  RecordingRecord b = MakeRecording("01B", kT0Ms + 1000, "+48609999999");
  REQUIRE(store->Enqueue(b));
  // Cut off: recording.interrupted, reason and the timeline's last event.
  RecordingRecord c = Active("01C", kT0Ms + 2000, "+48605555555");
  REQUIRE(store->Enqueue(c));
  c.state = RecordingState::kInterrupted;
  c.verdict = std::string(kVerdictInterrupted);
  c.end_ms_utc = kT0Ms + 9000;
  c.duration_s = 7.0;
  c.file_bytes = 14'336;
  c.timeline.push_back({kT0Ms + 9000, "interrupted", "server stopped unexpectedly; file repaired at start"});
  REQUIRE(store->Enqueue(c));
  RecordingRecord d = Active("01D", kT0Ms + 3000, "+48606666666");
  d.state = RecordingState::kFailed;
  REQUIRE(store->Enqueue(d));
  // The hold flag mirrored into a finished record: no state change, no event.
  a_done.legal_hold = true;
  REQUIRE(store->Enqueue(a_done));
  REQUIRE(store->Flush().ok());

  const std::vector<Event> all = AllEvents(store->database());
  CHECK(Types(all) == std::vector<std::string>{"recording.started 01A", "recording.finished 01A",
                                                "recording.started 01B", "recording.finished 01B",
                                                "recording.started 01C", "recording.interrupted 01C",
                                                "recording.started 01D", "recording.interrupted 01D"});
  const nlohmann::json started = Data(all[0]);
  CHECK(started == nlohmann::json{{"site", "waw1"},
                                  {"src_host", "192.0.2.10"},
                                  {"sip_call_id", "call-01A@sbc.example.pl"},
                                  {"state", "active"},
                                  {"start_ms_utc", kT0Ms}});
  CHECK(Personal(all[0])["participants"][0] ==
        nlohmann::json{{"name", "Jan Kowalski"}, {"aor", "sip:+48601234567@sbc.example.pl"}, {"number", "+48601234567"}});
  CHECK(Personal(all[0])["participants"][1]["number"] == "+48221234567");
  CHECK(all[0].node == node);
  CHECK(all[0].time_ms_utc > kT0Ms);  // the commit's time, not the call's

  const nlohmann::json finished = Data(all[1]);
  CHECK(finished == nlohmann::json{{"duration_s", 95.5},
                                   {"file_bytes", 190000},
                                   {"end_ms_utc", kT0Ms + 95'500},
                                   {"verdict", "complete"},
                                   {"metadata_status", "complete"}});
  CHECK(Personal(all[1])["participants"].size() == 2);
  CHECK(Data(all[3])["verdict"].is_null());  // 01B has no verdict

  const nlohmann::json interrupted = Data(all[5]);
  CHECK(interrupted["reason"] == "interrupted");
  CHECK(interrupted["last_event"] == "interrupted");
  CHECK(interrupted["verdict"] == std::string(kVerdictInterrupted));
  CHECK(interrupted["metadata_status"].is_null());
  CHECK(Data(all[7])["reason"] == "failed");

  // What a recipient without personal data sees: no number, no name, no address.
  for (const Event& e : all) {
    const std::string shown = EventJson(e, /*with_personal=*/false).dump();
    CHECK(shown.find("+486") == std::string::npos);
    CHECK(shown.find("Kowalski") == std::string::npos);
  }
}

TEST_CASE("Events: a record holding bytes that are not UTF-8 commits, its events with U+FFFD", "[events][store]") {
  TempDir dir;
  std::unique_ptr<Store> store = Store::Open(StoreDir(dir.path()), StoreOptions{}).value();
  RecordingRecord r = MakeRecording("01L", kT0Ms, "+48601234567", "M\xFCller");
  r.sip_call_id = "call\xE9@sbc";
  REQUIRE(store->Enqueue(r));
  REQUIRE(store->Flush().ok());
  CHECK(store->Get("01L").value().has_value());
  const std::vector<Event> all = AllEvents(store->database());
  REQUIRE(all.size() == 2);
  CHECK(Data(all[0])["sip_call_id"] == "call\xEF\xBF\xBD@sbc");
  CHECK(Personal(all[0])["participants"][0]["name"] == "M\xEF\xBF\xBDller");
}

TEST_CASE("Events: the store's recordings and the rules' holds share one gap-free sequence under the configured node",
          "[events][rules]") {
  TempDir dir;
  auto db = Database::Open(StoreDir(dir.path()), DatabaseOptions{}).value();
  REQUIRE(EventOutbox::SetNode(*db, "kr-waw1").ok());
  std::unique_ptr<Store> store = Store::Open(db, StoreOptions{}).value();
  std::unique_ptr<RulesDb> rules = RulesDb::Open(db, dir.path()).value();
  REQUIRE(store->Enqueue(MakeRecording("01A", kT0Ms, "+48601234567")));
  REQUIRE(store->Enqueue(MakeRecording("01B", kT0Ms + 1000, "+48609999999")));
  REQUIRE(store->Flush().ok());

  REQUIRE(rules->PlaceHolds({"01A", "01B"}, "II K 7/26", "prokurator", kNow).ok());
  REQUIRE(rules->LiftHolds({"01B"}, "II K 7/26", "sad", "case closed", kNow + 1000).ok());
  const std::vector<Event> all = AllEvents(*db);
  REQUIRE(Types(all) == std::vector<std::string>{"recording.started 01A", "recording.finished 01A",
                                                  "recording.started 01B", "recording.finished 01B",
                                                  "hold.placed 01A", "hold.placed 01B", "hold.lifted 01B"});
  CHECK(all[4].id == "kr-waw1-5");
  CHECK(all[4].time_ms_utc == kNow);
  CHECK(Data(all[4]) == nlohmann::json{{"case_ref", "II K 7/26"}, {"by", "prokurator"}, {"reason", nullptr}});
  CHECK(Data(all[6]) == nlohmann::json{{"case_ref", "II K 7/26"}, {"by", "sad"}, {"reason", "case closed"}});
  CHECK(all[6].personal_json == "{}");
  CHECK(EventOutbox::SetNode(*db, "other").error().code == ErrorCode::kConflict);  // the node cannot change under it
}

TEST_CASE("Events: a write that aborts emits nothing and takes no sequence number", "[events][rules]") {
  TempDir dir;
  std::unique_ptr<Store> store = Store::Open(StoreDir(dir.path()), StoreOptions{}).value();
  std::unique_ptr<RulesDb> rules = RulesDb::Open(dir.path()).value();
  REQUIRE(rules->PlaceHolds({"01A"}, "II K 7/26", "prokurator", kNow).ok());
  const uint64_t before = OutboxOf(store->database())->LastSeq().value();
  CHECK(before == 1);

  // 01B would be placed, 01A is already held by that case: the whole act is refused, and
  // neither hold.placed is written.
  Status refused = rules->PlaceHolds({"01B", "01A"}, "II K 7/26", "prokurator", kNow + 1);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kConflict);
  // Lifting a hold nobody placed: refused, nothing written.
  CHECK_FALSE(rules->LiftHolds({"01C"}, "II K 7/26", "sad", "x", kNow + 2).ok());
  // A caller's write that fails after the module appended its event (the *In functions
  // inside one Write): the event goes with it.
  Status failed = store->database().Write([&](WriteTxn& txn) -> Status {
    RETURN_IF_ERROR(rules->PlaceHoldsIn(txn, {"01D"}, "II K 8/26", "prokurator", kNow + 3));
    return Error{ErrorCode::kIo, "disk gone"};
  });
  CHECK_FALSE(failed.ok());
  CHECK(OutboxOf(store->database())->LastSeq().value() == before);

  REQUIRE(rules->PlaceHolds({"01E"}, "II K 9/26", "prokurator", kNow + 4).ok());
  const std::vector<Event> all = AllEvents(store->database());
  REQUIRE(all.size() == 2);
  CHECK(all[1].recording_id == "01E");  // seq 2: the aborted writes left no gap
}

policy::SitePolicy Site() {
  policy::SitePolicy p;
  p.site_id = "waw1";
  p.retention.months = 3;
  Result<policy::SitePolicy> valid = policy::ValidateSitePolicy(p);
  REQUIRE(valid.ok());
  return *valid;
}

struct RulesWorld {
  TempDir dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<RulesDb> rules;
  SitePolicies sites;
  RulesWorld() {
    store = Store::Open(StoreDir(dir.path()), StoreOptions{}).value();
    rules = RulesDb::Open(dir.path()).value();
    sites.Add(Site());
  }
  RecordingRecord Add(const std::string& id, int64_t start_ms, const std::string& caller) {
    RecordingRecord r = MakeRecording(id, start_ms, caller);
    r.retention_expiry_ms_utc = policy::StampRetention(*sites.Find("waw1"), start_ms).expires_at_ms_utc;
    r.file_path = "recordings/" + id + ".opus";
    std::filesystem::create_directories(dir.path() / "recordings");
    std::ofstream(dir.path() / r.file_path) << std::string(100, 'A');
    REQUIRE(store->Enqueue(r));
    REQUIRE(store->Flush().ok());
    return r;
  }
  Database& db() { return store->database(); }
};

TEST_CASE("Events: deletions are recording.deleted with their reason, in the transaction that logs them",
          "[events][rules]") {
  RulesWorld w;
  RecordingRecord old = w.Add("01A", kT0Ms, "+48601234567");
  RecordingRecord early = w.Add("01B", kT0Ms + 1000, "+48609999999");
  const uint64_t after = OutboxOf(w.db())->LastSeq().value();

  policy::DeletionOrder order{"01A", policy::DeletionCause::kRetentionExpired, "retention-sweeper",
                              "retention 3 months", kNow, ""};
  auto done = ExecuteDeletions(*w.store, *w.rules, {order}, {{"01A", old}}, DeleteOptions{w.dir.path(), true, true}, kNow);
  REQUIRE(done.ok());
  REQUIRE(DeleteEarly(*w.store, *w.rules, "01B", policy::DeletionRequest{"kierownik", "wrong number", kNow + 1000},
                      DeleteOptions{w.dir.path(), true, true})
              .ok());
  // The HTTP API's DELETE logs through the same deletion log (its deletion guard).
  RecordingRecord api = w.Add("01C", kT0Ms + 2000, "+48607777777");
  REQUIRE(AuthorizeEarlyDeletion(*w.rules, api, "admin", "asked by the caller", kNow + 2000).ok());
  const std::vector<Event> all_after = EventsAfter(w.db(), after);
  REQUIRE(all_after.size() == 5);
  CHECK(Types(all_after)[2] == "recording.started 01C");
  CHECK(Types(all_after)[4] == "recording.deleted 01C");
  CHECK(Data(all_after[4]) == nlohmann::json{{"reason", "early_deletion"}, {"by", "admin"}});
  const std::vector<Event> deleted(all_after.begin(), all_after.begin() + 2);
  REQUIRE(Types(deleted) == std::vector<std::string>{"recording.deleted 01A", "recording.deleted 01B"});
  CHECK(Data(deleted[0]) == nlohmann::json{{"reason", "retention"}, {"by", "retention-sweeper"}});
  CHECK(Data(deleted[1]) == nlohmann::json{{"reason", "early_deletion"}, {"by", "kierownik"}});
  CHECK(deleted[0].time_ms_utc == kNow);
  CHECK(deleted[0].seq == after + 1);
  CHECK(deleted[1].seq == after + 2);
  CHECK(deleted[1].personal_json == "{}");
  // Every deletion, not only an erasure, leaves none of the recording's personal data in
  // its earlier events (RET-3); the recordings still kept keep theirs.
  int kept_with_numbers = 0;
  for (const Event& e : EventsAfter(w.db(), 0)) {
    if (e.recording_id == "01A" || e.recording_id == "01B" || e.recording_id == "01C") {
      CHECK(e.personal_json == "{}");
    }
    if (e.personal_json.find("+48601234567") != std::string::npos) ++kept_with_numbers;
  }
  CHECK(kept_with_numbers == 0);
  RecordingRecord kept = w.Add("01D", kT0Ms + 3000, "+48605555555");
  CHECK(Personal(EventsAfter(w.db(), 0).back())["participants"].size() == 2);
  (void)early;
  (void)kept;
}

TEST_CASE("Events: a subject's erasure is recording.deleted per recording and subject.erased, and scrubs the "
          "personal data of the outbox",
          "[events][rules][RIGHTS-2]") {
  RulesWorld w;
  w.Add("01A", kT0Ms, "+48601234567");
  w.Add("01B", kT0Ms + 1000, "+48601234567");
  w.Add("01C", kT0Ms + 2000, "+48222222222");
  REQUIRE(w.rules->PlaceHolds({"01B"}, "II K 7/26", "prokurator", kNow).ok());
  const uint64_t after = OutboxOf(w.db())->LastSeq().value();

  const policy::DeletionRequest request{"iod@example.pl", "art. 17 RODO request 2026/11", kNow + 9000};
  auto report = EraseSubject(*w.store, *w.rules, w.sites, "601 234 567", request, DeleteOptions{w.dir.path(), true, true});
  REQUIRE(report.ok());
  REQUIRE(report->erased == std::vector<std::string>{"01A"});  // 01B is held

  const std::vector<Event> erased = EventsAfter(w.db(), after);
  REQUIRE(Types(erased) == std::vector<std::string>{"recording.deleted 01A", "subject.erased "});
  CHECK(Data(erased[0]) == nlohmann::json{{"reason", "erasure"}, {"by", "iod@example.pl"}});
  CHECK(Data(erased[1]) ==
        nlohmann::json{{"recordings", 1}, {"recording_ids", {"01A"}}, {"by", "iod@example.pl"}});
  CHECK(Personal(erased[1]) == nlohmann::json{{"subject", "601 234 567"}});
  CHECK(erased[1].seq == after + 2);

  // No event of the erased recording keeps a number, a name or an address; the held
  // recording (still stored) and the other subject's keep theirs.
  for (const Event& e : AllEvents(w.db())) {
    if (e.recording_id == "01A") {
      CHECK(e.personal_json == "{}");
      CHECK(e.data_json.find("601234567") == std::string::npos);
    }
    if (e.recording_id == "01C" && e.type == "recording.started") CHECK(Personal(e)["participants"].size() == 2);
    if (e.recording_id == "01B" && e.type == "recording.started") CHECK(Personal(e)["participants"].size() == 2);
  }

  // The hold is lifted and the subject asks again: 01B goes, its events are scrubbed, and
  // so is the first subject.erased with the same subject reference.
  REQUIRE(w.rules->LiftHolds({"01B"}, "II K 7/26", "sad", "case closed", kNow + 10'000).ok());
  auto again = EraseSubject(*w.store, *w.rules, w.sites, "601 234 567",
                            policy::DeletionRequest{"iod@example.pl", "second request", kNow + 20'000},
                            DeleteOptions{w.dir.path(), true, true});
  REQUIRE(again.ok());
  REQUIRE(again->erased == std::vector<std::string>{"01B"});
  size_t with_subject = 0;
  for (const Event& e : AllEvents(w.db())) {
    if (e.recording_id == "01A" || e.recording_id == "01B") CHECK(e.personal_json == "{}");
    if (e.personal_json.find("601 234 567") != std::string::npos) ++with_subject;
    CHECK(e.personal_json.find("601234567") == std::string::npos);
  }
  CHECK(with_subject == 1);  // only the last subject.erased, for recipients that must erase their copies
}

struct AccessWorld {
  TempDir dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<AccessDb> db;
  std::unique_ptr<UserDirectory> users;
  AccessWorld() {
    store = Store::Open(StoreDir(dir.path()), StoreOptions{}).value();
    REQUIRE(store->Enqueue(MakeRecording("REC1", kT0Ms, "+48601234567")));
    REQUIRE(store->Enqueue(MakeRecording("REC2", kT0Ms + 1000, "+48609999999")));
    REQUIRE(store->Flush().ok());
    db = AccessDb::Open(dir.path()).value();
    users = std::make_unique<UserDirectory>(*db);
  }
  Identity Add(const std::string& name, std::set<Role> roles) {
    User u{name, "Name-" + name, "Surname-" + name, "Position-" + name, std::move(roles), false, kNow, "order 1/2026"};
    REQUIRE(users->Add(u).ok());
    auto token = users->IssueToken(name, "test", kNow);
    REQUIRE(token.ok());
    return users->Authenticate(*token).value();
  }
};

TEST_CASE("Events: playback.granted per recording of an approved request, playback.performed per register entry",
          "[events][access]") {
  AccessWorld w;
  PlaybackWorkflow flow(*w.db, *w.store);
  Identity listener = w.Add("anna", {Role::kListener});
  Identity director = w.Add("ewa", {Role::kApprover});
  const uint64_t after = OutboxOf(w.store->database())->LastSeq().value();
  CHECK(after == 4);  // REC1 and REC2 started and finished; users and tokens are no events

  auto req = flow.File(listener, {{"recording_ids", {"REC1", "REC2"}}, {"reason", "a"}, {"justification", "complaint"}},
                       kNow);
  REQUIRE(req.ok());
  const std::string id = (*req)["id"];
  // A refused decision attempt (the requester is no approver): nothing.
  CHECK_FALSE(flow.Decide(listener, id, {{"granted", true}}, kNow).ok());
  CHECK(OutboxOf(w.store->database())->LastSeq().value() == after);
  REQUIRE(flow.Decide(director, id, {{"granted", true}, {"valid_minutes", 60}}, kNow + 1000).ok());

  ListeningRegister reg(*w.db, AccessDir(w.dir.path()) / "register.jsonl");
  auto entry = reg.Append({{"recording_id", "REC1"},
                           {"calling_number", "+48601234567"},
                           {"listened_from_s", 0.0},
                           {"listened_to_s", 95.5},
                           {"listened_at_ms_utc", kNow + 5000},
                           {"identity", {{"username", "anna"}, {"token_id", "t1"}}},
                           {"request_id", id}});
  REQUIRE(entry.ok());

  const std::vector<Event> events = EventsAfter(w.store->database(), after);
  REQUIRE(Types(events) ==
          std::vector<std::string>{"playback.granted REC1", "playback.granted REC2", "playback.performed REC1"});
  CHECK(Data(events[0]) == nlohmann::json{{"request_id", id},
                                          {"user", "anna"},
                                          {"approved_by", "ewa"},
                                          {"reason", "a"},
                                          {"valid_until_ms_utc", kNow + 1000 + 60 * 60'000}});
  CHECK(events[0].time_ms_utc == kNow + 1000);
  CHECK(events[0].personal_json == "{}");
  CHECK(Data(events[2]) == nlohmann::json{{"request_id", id},
                                          {"user", "anna"},
                                          {"register_seq", 1},
                                          {"listened_from_s", 0.0},
                                          {"listened_to_s", 95.5}});
  CHECK(events[2].time_ms_utc == kNow + 5000);
  CHECK(events[2].data_json.find("+48") == std::string::npos);  // the register's numbers stay there
  CHECK(events[2].seq == after + 3);
}

TEST_CASE("Events: disclosure.released when the export package is handed over", "[events][access]") {
  AccessWorld w;
  const auto audio = w.dir.path() / "recordings/2026/11/25/REC1.opus";
  std::filesystem::create_directories(audio.parent_path());
  std::ofstream(audio, std::ios::binary) << "OggS-fake-audio-bytes-" + std::string(300, 'a');
  DisclosureBook book(*w.db, *w.store);
  Identity keeper = w.Add("jan", {Role::kRecordsKeeper});
  Identity director = w.Add("ewa", {Role::kApprover});
  auto d = book.File(keeper,
                     {{"requester_institution", "Prokuratura Rejonowa w Lodzi"},
                      {"request_date", "2026-11-26"},
                      {"request_number", "PR 1 Ds 123/26"},
                      {"phone_number", "+48601234567"},
                      {"call_date", "2026-11-25"},
                      {"justification", "postepowanie karne"},
                      {"purpose", "sledztwo"},
                      {"recording_ids", {"REC1"}}},
                     kNow);
  REQUIRE(d.ok());
  const std::string id = (*d)["id"];
  REQUIRE(book.Decide(director, id, {{"granted", true}}, kNow).ok());
  const uint64_t after = OutboxOf(w.store->database())->LastSeq().value();
  auto exported = book.Export(keeper, id, nullptr, w.dir.path(), w.dir.path() / "exports" / "p1",
                              PackageSigning{nullptr, {}}, kNow + 1000);
  REQUIRE(exported.ok());

  const std::vector<Event> events = EventsAfter(w.store->database(), after);
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "disclosure.released");
  CHECK(events[0].recording_id.empty());
  CHECK(events[0].time_ms_utc == kNow + 1000);
  const nlohmann::json data = Data(events[0]);
  CHECK(data["disclosure_id"] == id);
  CHECK(data["institution"] == "Prokuratura Rejonowa w Lodzi");
  CHECK(data["request_number"] == "PR 1 Ds 123/26");
  CHECK(data["recordings"] == 1);
  CHECK(data["recording_ids"] == nlohmann::json{"REC1"});
  CHECK(data["by"] == "jan");
  CHECK(data["manifest_sha256"] == (*exported)["manifest_sha256"]);
  CHECK(Personal(events[0]) == nlohmann::json{{"number", "+48601234567"}});
  const nlohmann::json shown = EventJson(events[0], /*with_personal=*/false);
  CHECK(shown["recording_id"].is_null());
  CHECK_FALSE(shown.contains("personal"));
}

}  // namespace
}  // namespace kronika::srs
