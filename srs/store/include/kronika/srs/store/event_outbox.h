// EventOutbox: the durable outbox of events (issue 17), two tables of the data directory's
// one environment (database.h):
//   events          key: the sequence, 8 bytes big-endian; value: EventCodec (below)
//   events.cursors  key: a consumer's name ("webhook:<name>"); value: the last sequence it
//                   has finished with (delivered or parked)
// An event is appended with AppendIn() inside the write transaction that makes the state
// change it describes, so a crash never loses one that happened nor invents one that did
// not: both commit or neither does. Consumers (the webhook deliverer, the pull feed, `kronika
// events`) read in sequence order and keep their place in events.cursors; delivery is at
// least once, and a receiver de-duplicates on the event id.
//
// The node's sequence is gap-free from 1: AppendIn takes the greatest key + 1 in the same
// transaction (LMDB has one writer at a time, in every process).
//
// One outbox per Database in a process (Of): the Store writer, the rules and the access
// modules hold it from their Open() and append to it inside their write transactions. Its
// node name is the configuration's `[events] node` (the host name by default), set with
// SetNode() right after Database::Open by whoever reads the configuration (the daemon, a
// CLI command writing without one), so events written by either carry the same node.
//
// Threads: any; the *In functions only inside the Database::Write that passed the txn.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/core/event.h"
#include "kronika/srs/store/database.h"

namespace kronika::srs {

inline constexpr char kEventsTable[] = "events";
inline constexpr char kEventCursorsTable[] = "events.cursors";

// The row of `events`: version 1 = U seq... see event_outbox.cc. Decode never throws.
struct EventCodec {
  using Record = Event;
  static std::string Encode(const Event& event);
  static Result<Event> Decode(std::string_view key, std::string_view bytes);
};

class EventOutbox {
 public:
  // Opens (creates when read-write) the two tables. `node`: this node's name, part of
  // every event id ("kr1", the host name by default).
  static Result<std::shared_ptr<EventOutbox>> Open(std::shared_ptr<Database> db, std::string node);

  // The outbox of `db`: the one already open in this process while anyone holds it, else
  // a new one with the node of SetNode() (DefaultNode() when none was set). Must not be
  // called inside a Write of `db` (opening the tables may begin a transaction).
  static Result<std::shared_ptr<EventOutbox>> Of(const std::shared_ptr<Database>& db);
  // Names the node of `db`'s outbox. kConflict when an outbox with another name is open.
  static Status SetNode(Database& db, std::string node);
  // The host name (gethostname), "kronika" when it has none.
  static std::string DefaultNode();

  // Appends `draft` as the next event, at `time_ms_utc`, in `txn`. Returns the event.
  // Error: an unknown type (kInvalidInput), LMDB.
  Result<Event> AppendIn(WriteTxn& txn, const EventDraft& draft, int64_t time_ms_utc) const;

  // Up to `limit` events with seq > `after`, in order.
  Result<std::vector<Event>> ReadAfter(uint64_t after, size_t limit) const;
  Result<std::vector<Event>> ReadAfterIn(const ReadTxn& txn, uint64_t after, size_t limit) const;
  // Replaces the `personal` field of every event `matches` accepts with {} (a subject's
  // erasure, RIGHTS-2: no personal data survives in the outbox). Reads every event: the
  // cost of one erasure is a scan of the outbox. Returns how many were scrubbed.
  Result<size_t> ScrubPersonalIn(WriteTxn& txn, const std::function<bool(const Event&)>& matches) const;

  // The last appended sequence (0 when none).
  Result<uint64_t> LastSeq() const;

  // A consumer's place: 0 when it has none yet.
  Result<uint64_t> CursorOf(const std::string& consumer) const;
  Status SetCursorIn(WriteTxn& txn, const std::string& consumer, uint64_t seq) const;

  Database& database() const { return *db_; }
  const std::string& node() const { return node_; }
  const Table& events_table() const { return events_; }
  const Table& cursors_table() const { return cursors_; }

 private:
  EventOutbox(std::shared_ptr<Database> db, std::string node, Table events, Table cursors)
      : db_(std::move(db)), node_(std::move(node)), events_(std::move(events)), cursors_(std::move(cursors)) {}
  std::shared_ptr<Database> db_;
  std::string node_;
  Table events_;
  Table cursors_;
};

}  // namespace kronika::srs
