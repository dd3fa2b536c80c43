// Store readers: Get, Query, ExpiredBefore (any thread, any process).
#include <algorithm>
#include <limits>
#include <memory>

#include "kronika/sdp/phone_number.h"
#include "kronika/srs/store/store.h"
#include "store_codec.h"
#include "store_impl.h"
#include "store_keys.h"

namespace kronika::srs {
namespace {

Error ReadError(const std::string& what, int rc) {
  return MakeError(ErrorCode::kIo, "store: " + what + ": " + mdb_strerror(rc));
}

// nullopt: not found; error: LMDB failure, or a record that does not decode (kCorrupt,
// reported to the database's BadRows).
Result<std::optional<RecordingRecord>> GetIn(const Store::Impl& impl, MDB_txn* txn,
                                             std::string_view id) {
  MDB_val key = LmdbVal(id), value;
  int rc = mdb_get(txn, impl.recordings, &key, &value);
  if (rc == MDB_NOTFOUND) return std::optional<RecordingRecord>();
  if (rc != 0) return ReadError("get " + std::string(id), rc);
  Result<RecordingRecord> rec = DecodeRecord(LmdbView(value));
  if (!rec.ok()) {
    impl.ReportBadRecord(id, rec.error());
    return MakeError(ErrorCode::kCorrupt, rec.error().message + " (record " + std::string(id) + ")");
  }
  return std::optional<RecordingRecord>(std::move(rec).value());
}

// For listings and index walks: a record that does not decode is skipped (reported once,
// counted), like one that is gone.
Result<std::optional<RecordingRecord>> GetOrSkip(const Store::Impl& impl, MDB_txn* txn,
                                                 std::string_view id) {
  Result<std::optional<RecordingRecord>> rec = GetIn(impl, txn, id);
  if (!rec.ok() && rec.error().code == ErrorCode::kCorrupt) return std::optional<RecordingRecord>();
  return rec;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return Lower(a) == Lower(b); });
  return it != haystack.end();
}

bool InTimeRange(const RecordingQuery& q, int64_t start_ms) {
  if (q.from_ms_utc && start_ms < *q.from_ms_utc) return false;
  if (q.to_ms_utc && start_ms >= *q.to_ms_utc) return false;
  return true;
}

// Filters not already applied by the index walk.
bool Matches(const RecordingQuery& q, const RecordingRecord& r) {
  if (!q.id.empty() && r.recording_id != q.id) return false;
  if (q.state && r.state != *q.state) return false;
  if (!q.metadata_status.empty() && r.metadata_status != q.metadata_status) return false;
  if (q.verdict && r.verdict != *q.verdict) return false;
  if (!InTimeRange(q, r.start_ms_utc)) return false;
  if (!q.participant.empty()) {
    bool any = std::any_of(r.participants.begin(), r.participants.end(),
                           [&](const ParticipantRecord& p) {
                             return ContainsIgnoreCase(p.name, q.participant) ||
                                    ContainsIgnoreCase(p.aor, q.participant);
                           });
    if (!any) return false;
  }
  return true;
}

// by_number keys to try for a number as typed: the canonical text, its E.164 form and
// its dialable digits.
std::vector<std::string> NumberQueryKeys(const RecordingQuery& q) {
  std::vector<std::string> keys;
  auto add = [&](std::string_view n) {
    std::string key = NumberIndexKey(n);
    if (!key.empty() && std::find(keys.begin(), keys.end(), key) == keys.end()) {
      keys.push_back(std::move(key));
    }
  };
  add(q.number);
  sdp::PhoneNumber normalized = sdp::NormalizePhoneNumber(q.number, q.default_country_code);
  add(normalized.e164);
  add(normalized.digits);
  return keys;
}

// Collects matching records in index order until offset + limit are found.
// With `count_all`, goes on to the end of the walk and counts every match.
class Collector {
 public:
  explicit Collector(const RecordingQuery& q, bool count_all = false)
      : q_(q),
        want_(q.limit == 0 ? std::numeric_limits<size_t>::max() : q.offset + q.limit),
        count_all_(count_all) {}
  // False when enough rows were collected (and counting all is not asked for).
  bool Offer(RecordingRecord rec) {
    if (!Matches(q_, rec)) return true;
    if (seen_ >= q_.offset && seen_ < want_) out_.push_back(std::move(rec));
    ++seen_;
    return count_all_ || seen_ < want_;
  }
  std::vector<RecordingRecord> Take() { return std::move(out_); }
  size_t seen() const { return seen_; }

 private:
  const RecordingQuery& q_;
  size_t want_;
  bool count_all_;
  size_t seen_ = 0;
  std::vector<RecordingRecord> out_;
};

using Cursor = LmdbCursor;

// One number's entries in by_number, walked in (start, id) order within [from, to).
// Dup values are TimeKey(start, id), so LMDB keeps them sorted by time: the walk stops as
// soon as the query has its rows, whatever the number's total count (hotlines).
class NumberStream {
 public:
  NumberStream(const Store::Impl& impl, MDB_txn* txn, std::string number, const RecordingQuery& q)
      : cursor_(txn, impl.by_number), number_(std::move(number)), q_(q) {}

  int Start() {
    if (cursor_.open_rc() != 0) return cursor_.open_rc();
    MDB_val key = LmdbVal(number_), value;
    int rc;
    if (!q_.newest_first) {
      std::string seek = TimeKey(q_.from_ms_utc.value_or(std::numeric_limits<int64_t>::min()), "");
      value = LmdbVal(seek);
      rc = cursor_.Get(key, value, MDB_GET_BOTH_RANGE);
    } else {
      rc = MDB_NOTFOUND;
      if (q_.to_ms_utc) {
        std::string seek = TimeKey(*q_.to_ms_utc, "");
        value = LmdbVal(seek);
        rc = cursor_.Get(key, value, MDB_GET_BOTH_RANGE);
        if (rc == 0) rc = cursor_.Get(key, value, MDB_PREV_DUP);
        else if (rc != MDB_NOTFOUND) return rc;
        else rc = -1;  // every entry is before `to`: start from the last one
      }
      if (!q_.to_ms_utc || rc == -1) {
        key = LmdbVal(number_);
        rc = cursor_.Get(key, value, MDB_SET_KEY);
        if (rc == 0) rc = cursor_.Get(key, value, MDB_LAST_DUP);
      }
    }
    return Load(rc, value);
  }

  int Advance() {
    MDB_val key, value;
    int rc = cursor_.Get(key, value, q_.newest_first ? MDB_PREV_DUP : MDB_NEXT_DUP);
    return Load(rc, value);
  }

  bool valid() const { return valid_; }
  int64_t start() const { return start_; }
  const std::string& id() const { return id_; }

 private:
  int Load(int rc, const MDB_val& value) {
    valid_ = false;
    if (rc == MDB_NOTFOUND) return 0;
    if (rc != 0) return rc;
    if (!SplitTimeKey(LmdbView(value), start_, id_)) return 0;
    if (!q_.newest_first && q_.to_ms_utc && start_ >= *q_.to_ms_utc) return 0;
    if (q_.newest_first && q_.from_ms_utc && start_ < *q_.from_ms_utc) return 0;
    valid_ = true;
    return 0;
  }

  Cursor cursor_;
  std::string number_;
  const RecordingQuery& q_;
  bool valid_ = false;
  int64_t start_ = 0;
  std::string id_;
};

Status QueryByNumber(const Store::Impl& impl, MDB_txn* txn, const RecordingQuery& q,
                     Collector& out) {
  // Merge the streams of every form of the number (E.164, as typed, digits).
  std::vector<std::unique_ptr<NumberStream>> streams;
  for (std::string& number : NumberQueryKeys(q)) {
    auto stream = std::make_unique<NumberStream>(impl, txn, std::move(number), q);
    if (int rc = stream->Start(); rc != 0) return ReadError("walk by_number", rc);
    streams.push_back(std::move(stream));
  }
  auto before = [&](const NumberStream& a, const NumberStream& b) {
    bool less = a.start() != b.start() ? a.start() < b.start() : a.id() < b.id();
    bool same = a.start() == b.start() && a.id() == b.id();
    return !same && (q.newest_first ? !less : less);
  };
  int64_t last_start = 0;
  std::string last_id;
  bool emitted = false;
  for (;;) {
    NumberStream* next = nullptr;
    for (auto& s : streams) {
      if (s->valid() && (next == nullptr || before(*s, *next))) next = s.get();
    }
    if (next == nullptr) break;
    const bool duplicate = emitted && next->start() == last_start && next->id() == last_id;
    if (!duplicate) {
      last_start = next->start();
      last_id = next->id();
      emitted = true;
      Result<std::optional<RecordingRecord>> rec = GetOrSkip(impl, txn, last_id);
      if (!rec.ok()) return rec.error();
      // Skip stale entries (record gone or moved in time).
      if (rec->has_value() && (*rec)->start_ms_utc == last_start && !out.Offer(std::move(**rec))) {
        break;
      }
    }
    if (int rc = next->Advance(); rc != 0) return ReadError("walk by_number", rc);
  }
  return OkStatus();
}

Status QueryByStart(const Store::Impl& impl, MDB_txn* txn, const RecordingQuery& q,
                    Collector& out) {
  Cursor cursor(txn, impl.by_start);
  if (cursor.open_rc() != 0) return ReadError("open by_start cursor", cursor.open_rc());
  MDB_val key, value;
  int rc;
  std::string seek;
  if (!q.newest_first) {
    seek = TimeKey(q.from_ms_utc.value_or(std::numeric_limits<int64_t>::min()), "");
    key = LmdbVal(seek);
    rc = cursor.Get(key, value, MDB_SET_RANGE);
  } else if (q.to_ms_utc) {
    seek = TimeKey(*q.to_ms_utc, "");
    key = LmdbVal(seek);
    rc = cursor.Get(key, value, MDB_SET_RANGE);
    rc = cursor.Get(key, value, rc == 0 ? MDB_PREV : MDB_LAST);
  } else {
    rc = cursor.Get(key, value, MDB_LAST);
  }
  int64_t start = 0;
  std::string id;
  while (rc == 0) {
    if (!SplitTimeKey(LmdbView(key), start, id)) break;
    if (!q.newest_first && q.to_ms_utc && start >= *q.to_ms_utc) break;
    if (q.newest_first && q.from_ms_utc && start < *q.from_ms_utc) break;
    Result<std::optional<RecordingRecord>> rec = GetOrSkip(impl, txn, id);
    if (!rec.ok()) return rec.error();
    // Skip stale entries (record gone, or moved in time after an unreadable version).
    if (rec->has_value() && (*rec)->start_ms_utc == start && !out.Offer(std::move(**rec))) return OkStatus();
    rc = cursor.Get(key, value, q.newest_first ? MDB_PREV : MDB_NEXT);
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return ReadError("walk by_start", rc);
  return OkStatus();
}

}  // namespace

Result<std::optional<RecordingRecord>> Store::Get(std::string_view recording_id) const {
  Result<LmdbTxn> txn = impl_->BeginRead();
  if (!txn.ok()) return txn.error();
  return GetIn(*impl_, txn->get(), recording_id);
}

Result<std::vector<RecordingRecord>> Store::Query(const RecordingQuery& query) const {
  Result<RecordingPage> page = QueryPage(query, false);
  if (!page.ok()) return page.error();
  return std::move(page->rows);
}

Result<RecordingPage> Store::QueryPage(const RecordingQuery& query, bool count_total) const {
  Result<LmdbTxn> txn = impl_->BeginRead();
  if (!txn.ok()) return txn.error();
  Collector out(query, count_total);
  if (!query.id.empty()) {
    Result<std::optional<RecordingRecord>> rec = GetOrSkip(*impl_, txn->get(), query.id);
    if (!rec.ok()) return rec.error();
    if (rec->has_value()) out.Offer(std::move(**rec));
  } else {
    Status s = query.number.empty() ? QueryByStart(*impl_, txn->get(), query, out)
                                    : QueryByNumber(*impl_, txn->get(), query, out);
    if (!s.ok()) return s.error();
  }
  RecordingPage page;
  page.total = count_total ? std::optional<size_t>(out.seen()) : std::nullopt;
  page.rows = out.Take();
  return page;
}

Result<std::vector<std::string>> Store::ExpiredBefore(int64_t now_ms_utc, size_t limit) const {
  Result<LmdbTxn> txn = impl_->BeginRead();
  if (!txn.ok()) return txn.error();
  std::vector<std::string> ids;
  Cursor cursor(txn->get(), impl_->by_expiry);
  if (cursor.open_rc() != 0) return ReadError("open by_expiry cursor", cursor.open_rc());
  MDB_val key, value;
  int rc = cursor.Get(key, value, MDB_FIRST);
  int64_t expiry = 0;
  std::string id;
  while (rc == 0 && ids.size() < limit) {
    if (!SplitTimeKey(LmdbView(key), expiry, id) || expiry > now_ms_utc) break;
    MDB_val hold_key = LmdbVal(id), hold_value;
    int hold_rc = mdb_get(txn->get(), impl_->by_hold, &hold_key, &hold_value);
    if (hold_rc == MDB_NOTFOUND) {
      ids.push_back(id);
    } else if (hold_rc != 0) {
      return ReadError("read by_hold", hold_rc);
    }
    rc = cursor.Get(key, value, MDB_NEXT);
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return ReadError("walk by_expiry", rc);
  return ids;
}

}  // namespace kronika::srs
