#include "kronika/srs/webhook/event_pruner.h"

#include <string>
#include <vector>

#include "kronika/srs/core/log.h"
#include "kronika/thread_boundary.h"

namespace kronika::srs {
namespace {

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<PruneResult> PruneEvents(const EventOutbox& outbox, int64_t cutoff_ms_utc, int64_t now_ms_utc,
                                size_t max_rows) {
  PruneResult result;
  const Table& events = outbox.events_table();
  RETURN_IF_ERROR(outbox.database().Write([&](WriteTxn& txn) -> Status {
    result = PruneResult{};
    ASSIGN_OR_RETURN(std::optional<std::string> last, txn.LastKey(events));
    if (!last) return OkStatus();
    std::vector<std::string> doomed;
    RETURN_IF_ERROR(txn.Scan(events, [&](std::string_view key, std::string_view value) {
      if (key == *last || doomed.size() >= max_rows) return false;  // the newest stays
      Result<Event> e = EventCodec::Decode(key, value);
      if (!e.ok()) {  // kept on disk for an operator, like every unreadable row
        txn.ReportBadRow(events, key, e.error());
        return true;
      }
      if (e->time_ms_utc >= cutoff_ms_utc) return false;  // sequence order is commit order
      doomed.emplace_back(key);
      result.through_seq = e->seq;
      return true;
    }));
    for (const std::string& key : doomed) {
      ASSIGN_OR_RETURN(bool erased, txn.Erase(events, key));
      if (erased) ++result.deleted;
    }
    if (result.deleted == 0) return OkStatus();
    EventDraft pruned;
    pruned.type = "events.pruned";
    pruned.data = {{"count", result.deleted}, {"through_seq", result.through_seq}};
    Result<Event> appended = outbox.AppendIn(txn, pruned, now_ms_utc);
    if (!appended.ok()) return appended.error();
    return OkStatus();
  }));
  return result;
}

EventPruner::EventPruner(std::shared_ptr<EventOutbox> outbox, int keep_days, std::function<void(uint64_t)> on_pruned)
    : outbox_(std::move(outbox)),
      keep_(std::chrono::hours(24) * keep_days),
      on_pruned_(std::move(on_pruned)) {}

EventPruner::~EventPruner() { Stop(); }

void EventPruner::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    NameCurrentThread("kr-ev-prune");
    Loop();
  });
}

void EventPruner::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void EventPruner::Loop() {
  for (;;) {
    RunGuarded(CurrentThreadName(), FaultEffect::kRecovered, [this] {
      for (;;) {  // batch after batch until nothing old is left
        const int64_t now = SystemNowMs();
        Result<PruneResult> pruned = PruneEvents(*outbox_, now - keep_.count(), now);
        if (!pruned.ok()) {
          Logf(LogLevel::kError, "", "events: pruning failed: %s", pruned.error().message.c_str());
          return;
        }
        if (pruned->deleted == 0) return;
        Logf(LogLevel::kInfo, "", "events: pruned %llu events older than %lld days (through seq %llu)",
             static_cast<unsigned long long>(pruned->deleted),
             static_cast<long long>(keep_.count() / (24LL * 3600 * 1000)),
             static_cast<unsigned long long>(pruned->through_seq));
        if (on_pruned_) on_pruned_(pruned->deleted);
        MutexLock lock(mu_);
        if (stopping_) return;
      }
    });
    MutexLock lock(mu_);
    if (cv_.WaitFor(mu_, kPruneInterval, [this]() REQUIRES(mu_) { return stopping_; })) return;
  }
}

}  // namespace kronika::srs
