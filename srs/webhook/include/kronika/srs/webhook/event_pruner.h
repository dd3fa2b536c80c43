// EventPruner: keeps the events outbox from growing without bound (issue 17; `[events]
// keep_days`). Its thread (`kr-ev-prune`) deletes, once at start and then every hour, the
// events committed more than keep_days ago, oldest first, in transactions of at most
// kPruneBatch rows, and appends one `events.pruned` event ({"count", "through_seq"}) in the
// same transaction as each deletion, so a pull-feed reader whose cursor fell behind sees
// that events are gone. The newest event is never deleted: the next sequence number is
// taken from it (event_outbox.h), so deleting it would start the numbering again at 1.
//
// Pruning does not look at webhook cursors: config validation keeps every webhook's
// max_age within keep_days, so an event old enough to prune was delivered or parked (or
// the daemon was down longer than keep_days, which the events.pruned event reports).
//
// Threads: Start()/Stop() on one thread; PruneOnce() anywhere (one LMDB write at a time).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "kronika/mutex.h"
#include "kronika/result.h"
#include "kronika/srs/store/event_outbox.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs {

inline constexpr size_t kPruneBatch = 10000;
inline constexpr std::chrono::hours kPruneInterval{1};

struct PruneResult {
  uint64_t deleted = 0;
  uint64_t through_seq = 0;  // the last deleted sequence (0 when none)
};

// Deletes the events committed before `cutoff_ms_utc` (at most `max_rows`), never the newest;
// appends an events.pruned event at `now_ms_utc` when it deleted any. Errors: LMDB.
Result<PruneResult> PruneEvents(const EventOutbox& outbox, int64_t cutoff_ms_utc, int64_t now_ms_utc,
                                size_t max_rows = kPruneBatch);

class EventPruner {
 public:
  // `outbox` must outlive this object. `on_pruned(n)` (may be empty) after each deletion.
  EventPruner(std::shared_ptr<EventOutbox> outbox, int keep_days, std::function<void(uint64_t)> on_pruned = {});
  ~EventPruner();  // Stop()
  EventPruner(const EventPruner&) = delete;
  EventPruner& operator=(const EventPruner&) = delete;

  void Start();
  void Stop();

 private:
  void Loop();
  std::shared_ptr<EventOutbox> outbox_;
  const std::chrono::milliseconds keep_;
  std::function<void(uint64_t)> on_pruned_;
  Mutex mu_;
  CondVar cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace kronika::srs
