#include "kronika/srs/store/event_outbox.h"

#include <unistd.h>

#include <climits>

#include "database_impl.h"
#include "kronika/srs/store/record_codec.h"

namespace kronika::srs {
namespace {

constexpr uint64_t kEventRowVersion = 1;

Error Malformed(const char* field) {
  return Error{ErrorCode::kCorrupt, std::string("events: a row is cut short or malformed at ") + field};
}

}  // namespace

std::string EventCodec::Encode(const Event& e) {
  RecordWriter w;
  w.U(kEventRowVersion);
  w.Str(e.type);
  w.S(e.time_ms_utc);
  w.Str(e.node);
  w.Str(e.recording_id);
  w.Str(e.data_json);
  w.Str(e.personal_json);
  return w.Take();
}

Result<Event> EventCodec::Decode(std::string_view key, std::string_view bytes) {
  Result<uint64_t> seq = SeqOfKey("events", key);
  if (!seq.ok()) return seq.error();
  RecordReader r(bytes);
  uint64_t version = 0;
  if (!r.U(version)) return Malformed("version");
  if (version > kEventRowVersion) {
    return Error{ErrorCode::kCorrupt, "events: row version " + std::to_string(version) +
                                          " is newer than this build reads (upgrade kronika)"};
  }
  Event e;
  e.seq = *seq;
  if (!r.Str(e.type)) return Malformed("type");
  if (!r.S(e.time_ms_utc)) return Malformed("time");
  if (!r.Str(e.node)) return Malformed("node");
  if (!r.Str(e.recording_id)) return Malformed("recording_id");
  if (!r.Str(e.data_json)) return Malformed("data");
  if (!r.Str(e.personal_json)) return Malformed("personal");
  e.id = EventId(e.node, e.seq);
  return e;
}

Result<std::shared_ptr<EventOutbox>> EventOutbox::Open(std::shared_ptr<Database> db, std::string node) {
  if (node.empty()) return Error{ErrorCode::kInvalidInput, "events: the node name is empty"};
  ASSIGN_OR_RETURN(Table events, db->OpenTable(kEventsTable));
  ASSIGN_OR_RETURN(Table cursors, db->OpenTable(kEventCursorsTable));
  return std::shared_ptr<EventOutbox>(new EventOutbox(std::move(db), std::move(node), std::move(events),
                                                      std::move(cursors)));
}

std::string EventOutbox::DefaultNode() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "kronika";
  return name;
}

Status EventOutbox::SetNode(Database& db, std::string node) {
  if (node.empty()) return Error{ErrorCode::kInvalidInput, "events: the node name is empty"};
  Database::Impl& impl = db.impl();
  MutexLock lock(impl.events_mu);
  if (std::shared_ptr<EventOutbox> open = impl.outbox.lock(); open && open->node() != node) {
    return Error{ErrorCode::kConflict,
                 "events: the outbox is already open as node " + open->node() + ", not " + node};
  }
  impl.event_node = std::move(node);
  return OkStatus();
}

Result<std::shared_ptr<EventOutbox>> EventOutbox::Of(const std::shared_ptr<Database>& db) {
  Database::Impl& impl = db->impl();
  MutexLock lock(impl.events_mu);
  if (std::shared_ptr<EventOutbox> open = impl.outbox.lock()) return open;
  ASSIGN_OR_RETURN(std::shared_ptr<EventOutbox> outbox,
                   Open(db, impl.event_node.empty() ? DefaultNode() : impl.event_node));
  impl.outbox = outbox;
  return outbox;
}

Result<size_t> EventOutbox::ScrubPersonalIn(WriteTxn& txn, const std::function<bool(const Event&)>& matches) const {
  std::vector<std::pair<std::string, Event>> scrub;
  RETURN_IF_ERROR(txn.Scan(events_, [&](std::string_view key, std::string_view value) {
    Result<Event> e = EventCodec::Decode(key, value);
    if (!e.ok()) return true;  // reported by the readers; it stays for an operator
    if (e->personal_json != "{}" && matches(*e)) scrub.emplace_back(std::string(key), std::move(e).value());
    return true;
  }));
  for (auto& [key, e] : scrub) {
    e.personal_json = "{}";
    RETURN_IF_ERROR(txn.Put(events_, key, EventCodec::Encode(e)));
  }
  return scrub.size();
}

Result<Event> EventOutbox::AppendIn(WriteTxn& txn, const EventDraft& draft, int64_t time_ms_utc) const {
  if (!IsEventType(draft.type)) return Error{ErrorCode::kInvalidInput, "events: unknown type " + draft.type};
  ASSIGN_OR_RETURN(std::optional<std::string> last, txn.LastKey(events_));
  uint64_t seq = 1;
  if (last) {
    ASSIGN_OR_RETURN(uint64_t last_seq, SeqOfKey("events", *last));
    seq = last_seq + 1;
  }
  Event e;
  e.seq = seq;
  e.node = node_;
  e.id = EventId(node_, seq);
  e.type = draft.type;
  e.time_ms_utc = time_ms_utc;
  e.recording_id = draft.recording_id;
  // Text that is not UTF-8 (a Latin-1 SBC's Call-ID or display name kept as received) is
  // replaced by U+FFFD rather than thrown about: an event never stops the write it goes with.
  constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
  e.data_json = draft.data.is_object() ? draft.data.dump(-1, ' ', false, kReplace) : "{}";
  e.personal_json = draft.personal.is_object() ? draft.personal.dump(-1, ' ', false, kReplace) : "{}";
  RETURN_IF_ERROR(txn.Append(events_, SeqKey(seq), EventCodec::Encode(e)));
  return e;
}

Result<std::vector<Event>> EventOutbox::ReadAfterIn(const ReadTxn& txn, uint64_t after, size_t limit) const {
  std::vector<Event> out;
  if (limit == 0) return out;
  Status scanned = txn.ScanFrom(events_, SeqKey(after + 1), [&](std::string_view key, std::string_view value) {
    Result<Event> e = EventCodec::Decode(key, value);
    if (!e.ok()) {
      txn.ReportBadRow(events_, key, e.error());
      return true;
    }
    out.push_back(std::move(e).value());
    return out.size() < limit;
  });
  if (!scanned.ok()) return scanned.error();
  return out;
}

Result<std::vector<Event>> EventOutbox::ReadAfter(uint64_t after, size_t limit) const {
  std::vector<Event> out;
  RETURN_IF_ERROR(db_->Read([&](const ReadTxn& txn) -> Status {
    ASSIGN_OR_RETURN(out, ReadAfterIn(txn, after, limit));
    return OkStatus();
  }));
  return out;
}

Result<uint64_t> EventOutbox::LastSeq() const {
  uint64_t seq = 0;
  RETURN_IF_ERROR(db_->Read([&](const ReadTxn& txn) -> Status {
    ASSIGN_OR_RETURN(std::optional<std::string> last, txn.LastKey(events_));
    if (last) {
      ASSIGN_OR_RETURN(seq, SeqOfKey("events", *last));
    }
    return OkStatus();
  }));
  return seq;
}

Result<uint64_t> EventOutbox::CursorOf(const std::string& consumer) const {
  uint64_t seq = 0;
  RETURN_IF_ERROR(db_->Read([&](const ReadTxn& txn) -> Status {
    ASSIGN_OR_RETURN(std::optional<std::string> row, txn.Get(cursors_, consumer));
    if (!row) return OkStatus();
    RecordReader r(*row);
    uint64_t version = 0;
    if (!r.U(version) || !r.U(seq)) {
      seq = 0;
      Error why{ErrorCode::kCorrupt, "events: a cursor row is malformed"};
      txn.ReportBadRow(cursors_, consumer, why);
      return why;
    }
    return OkStatus();
  }));
  return seq;
}

Status EventOutbox::SetCursorIn(WriteTxn& txn, const std::string& consumer, uint64_t seq) const {
  RecordWriter w;
  w.U(kEventRowVersion);
  w.U(seq);
  return txn.Put(cursors_, consumer, w.Take());
}

}  // namespace kronika::srs
