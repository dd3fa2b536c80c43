// The events outbox (issue 17) on a real LMDB environment: an event commits with the state
// change it describes or not at all, sequences are gap-free per node, consumers keep their
// place, and a damaged row is skipped and reported, never fatal.
#include "kronika/srs/store/event_outbox.h"

#include <catch2/catch.hpp>

#include "kronika/srs/core/data_layout.h"
#include "kronika/srs/store/database.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::TempDir;

constexpr int64_t kNoonMs = 1796644800000;  // 2026-12-07T12:00:00Z

std::shared_ptr<Database> OpenDb(const TempDir& dir) {
  auto db = Database::Open(StoreDir(dir.path()), DatabaseOptions{});
  REQUIRE(db.ok());
  return *db;
}

Status Appended(const Result<Event>& appended) {
  if (!appended.ok()) return appended.error();
  return OkStatus();
}

EventDraft Finished(const std::string& id) {
  EventDraft d;
  d.type = "recording.finished";
  d.recording_id = id;
  d.data = {{"verdict", "complete"}};
  d.personal = {{"numbers", {"+48221234567"}}};
  return d;
}

TEST_CASE("Events: an event commits with its state change, or not at all") {
  TempDir dir;
  auto db = OpenDb(dir);
  auto outbox = EventOutbox::Open(db, "kr1");
  REQUIRE(outbox.ok());
  auto state = db->OpenTable("test.state");
  REQUIRE(state.ok());

  // The change and its event in one transaction.
  REQUIRE(db->Write([&](WriteTxn& txn) -> Status {
              RETURN_IF_ERROR(txn.Put(*state, "rec-1", "finished"));
              ASSIGN_OR_RETURN(Event e, (*outbox)->AppendIn(txn, Finished("rec-1"), kNoonMs));
              CHECK(e.seq == 1);
              CHECK(e.id == "kr1-1");
              return OkStatus();
            }).ok());
  // A change that fails after appending its event leaves neither.
  const Status failed = db->Write([&](WriteTxn& txn) -> Status {
    RETURN_IF_ERROR(txn.Put(*state, "rec-2", "finished"));
    RETURN_IF_ERROR(Appended((*outbox)->AppendIn(txn, Finished("rec-2"), kNoonMs + 1)));
    return Error{ErrorCode::kIo, "disk gone"};
  });
  CHECK_FALSE(failed.ok());
  REQUIRE(db->Write([&](WriteTxn& txn) -> Status {
              return Appended((*outbox)->AppendIn(txn, Finished("rec-3"), kNoonMs + 2));
            }).ok());

  auto events = (*outbox)->ReadAfter(0, 100);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 2);
  CHECK((*events)[0].recording_id == "rec-1");
  CHECK((*events)[1].recording_id == "rec-3");
  CHECK((*events)[1].seq == 2);  // gap-free: the aborted append took no number
  CHECK((*events)[1].id == "kr1-2");
  CHECK((*outbox)->LastSeq().value() == 2);

  const nlohmann::json shown = EventJson((*events)[0], /*with_personal=*/false);
  CHECK(shown["type"] == "recording.finished");
  CHECK(shown["time"] == "2026-12-07T12:00:00.000Z");
  CHECK(shown["node"] == "kr1");
  CHECK(shown["data"]["verdict"] == "complete");
  CHECK_FALSE(shown.contains("personal"));
  CHECK(EventJson((*events)[0], true)["personal"]["numbers"][0] == "+48221234567");
}

TEST_CASE("Events: unknown types are refused; readers page with after and limit; cursors persist") {
  TempDir dir;
  {
    auto db = OpenDb(dir);
    auto outbox = EventOutbox::Open(db, "kr1").value();
    EventDraft bogus;
    bogus.type = "recording.exploded";
    const Status refused = db->Write([&](WriteTxn& txn) { return Appended(outbox->AppendIn(txn, bogus, kNoonMs)); });
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::kInvalidInput);
    for (int i = 1; i <= 5; ++i) {
      REQUIRE(db->Write([&](WriteTxn& txn) {
                  return Appended(outbox->AppendIn(txn, Finished("rec-" + std::to_string(i)), kNoonMs + i));
                }).ok());
    }
    auto page = outbox->ReadAfter(2, 2);
    REQUIRE(page.ok());
    REQUIRE(page->size() == 2);
    CHECK((*page)[0].seq == 3);
    CHECK((*page)[1].seq == 4);
    CHECK(outbox->ReadAfter(5, 10)->empty());
    CHECK(outbox->CursorOf("webhook:archive").value() == 0);
    REQUIRE(db->Write([&](WriteTxn& txn) { return outbox->SetCursorIn(txn, "webhook:archive", 4); }).ok());
  }
  // Reopened (a restart): the place and the sequence carry on.
  auto db = OpenDb(dir);
  auto outbox = EventOutbox::Open(db, "kr1").value();
  CHECK(outbox->CursorOf("webhook:archive").value() == 4);
  REQUIRE(db->Write([&](WriteTxn& txn) { return Appended(outbox->AppendIn(txn, Finished("rec-6"), kNoonMs)); }).ok());
  CHECK(outbox->LastSeq().value() == 6);
}

TEST_CASE("Events: a damaged row is skipped and reported; the rest are read") {
  TempDir dir;
  auto db = OpenDb(dir);
  auto outbox = EventOutbox::Open(db, "kr1").value();
  for (int i = 1; i <= 3; ++i) {
    REQUIRE(db->Write([&](WriteTxn& txn) {
                return Appended(outbox->AppendIn(txn, Finished("rec-" + std::to_string(i)), kNoonMs));
              }).ok());
  }
  const std::string key2("\0\0\0\0\0\0\0\x02", 8);
  REQUIRE(db->Write([&](WriteTxn& txn) { return txn.Put(outbox->events_table(), key2, std::string("\x01\x05" "ab")); }).ok());
  auto events = outbox->ReadAfter(0, 10);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 2);
  CHECK((*events)[0].seq == 1);
  CHECK((*events)[1].seq == 3);
  CHECK(db->bad_rows().Total() >= 1);
  // A stored field that is not a JSON object is shown as {} rather than throwing.
  Event odd = (*events)[0];
  odd.data_json = "[1,2";
  CHECK(EventJson(odd, true)["data"] == nlohmann::json::object());
}

}  // namespace
}  // namespace kronika::srs
