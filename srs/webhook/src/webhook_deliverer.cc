#include "kronika/srs/webhook/webhook_deliverer.h"

#include <algorithm>
#include <random>

#include "curl_poster.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/webhook/retry_delay.h"
#include "kronika/srs/webhook/webhook_signature.h"
#include "kronika/thread_boundary.h"

namespace kronika::srs {
namespace {

constexpr std::chrono::milliseconds kOutboxErrorPause{1000};  // after an LMDB read/write error
constexpr int kLogEveryNthFailure = 10;                        // of one event, after the first

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool WebhookEndpoint::Wants(std::string_view type) const {
  if (types.empty() || (types.size() == 1 && types[0] == "*")) return true;
  return std::find(types.begin(), types.end(), type) != types.end();
}

std::string WebhookConsumer(const std::string& endpoint_name) { return "webhook:" + endpoint_name; }

Result<WebhookEndpoint> WebhookEndpointFrom(const WebhookConfig& config) {
  WebhookEndpoint e;
  e.name = config.name;
  e.url = config.url;
  e.types = config.types;
  ASSIGN_OR_RETURN(e.secret, LoadWebhookSecret(config));
  e.personal_data = config.personal_data;
  ASSIGN_OR_RETURN(int64_t max_age, ParseDurationMs(config.max_age));
  ASSIGN_OR_RETURN(int64_t timeout, ParseDurationMs(config.timeout));
  e.max_age = std::chrono::milliseconds(max_age);
  e.timeout = std::chrono::milliseconds(timeout);
  e.ca_file = config.ca_file;
  return e;
}

class WebhookDeliverer::Worker {
 public:
  Worker(WebhookDeliverer& owner, size_t index, WebhookEndpoint endpoint, WebhookMetrics* metrics,
         const WebhookDelivererOptions& options)
      : owner_(owner),
        index_(index),
        endpoint_(std::move(endpoint)),
        consumer_(WebhookConsumer(endpoint_.name)),
        options_(options),
        poster_(endpoint_.url, endpoint_.ca_file, endpoint_.timeout, &owner.stopping_),
        rng_(std::random_device{}()) {
    if (metrics != nullptr) metrics_ = metrics->For(endpoint_.name);
  }

  void Start() {
    thread_ = std::thread([this] {
      NameCurrentThread("kr-webhook-" + std::to_string(index_));
      while (!Stopping()) {
        // A throw (a bug; nothing here throws by design) skips nothing: the loop starts
        // over from the cursor in LMDB after a pause.
        if (!RunGuarded(CurrentThreadName(), FaultEffect::kRecovered, [this] { Loop(); })) {
          Sleep(kOutboxErrorPause);
        }
      }
    });
  }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }

  WebhookState State() const {
    return WebhookState{endpoint_.name, retrying_.load(std::memory_order_relaxed),
                        pending_since_ms_.load(std::memory_order_relaxed)};
  }

 private:
  enum class Outcome { kDelivered, kParked, kStopped };

  bool Stopping() const { return owner_.stopping_.load(std::memory_order_acquire); }
  int64_t NowMs() const { return options_.now_ms_utc ? options_.now_ms_utc() : SystemNowMs(); }

  // Sleeps `d` or until Stop(); false when stopping.
  bool Sleep(std::chrono::milliseconds d) {
    MutexLock lock(owner_.mu_);
    owner_.cv_.WaitFor(owner_.mu_, d, [this] { return Stopping(); });
    return !Stopping();
  }

  // Waits for Wake() or the poll interval.
  void WaitForEvents() {
    MutexLock lock(owner_.mu_);
    const uint64_t seen = owner_.wakes_;
    owner_.cv_.WaitFor(owner_.mu_, options_.poll_interval,
                       [&]() REQUIRES(owner_.mu_) { return Stopping() || owner_.wakes_ != seen; });
  }

  Status SaveCursor(uint64_t seq) {
    const EventOutbox& outbox = *owner_.outbox_;
    return outbox.database().Write([&](WriteTxn& txn) { return outbox.SetCursorIn(txn, consumer_, seq); });
  }

  void Loop() {
    Result<uint64_t> cursor = owner_.outbox_->CursorOf(consumer_);
    uint64_t done = 0;  // every event up to here is delivered, parked or not wanted
    if (cursor.ok()) {
      done = *cursor;
    } else if (cursor.error().code == ErrorCode::kCorrupt) {
      // At least once: sending old events again (receivers drop ids they know) beats an
      // endpoint stuck for good on a damaged row. The next 2xx writes a good cursor.
      Logf(LogLevel::kError, "", "webhook %s: its cursor does not decode (%s): starting from the oldest event kept",
           endpoint_.name.c_str(), cursor.error().message.c_str());
    } else {
      Logf(LogLevel::kError, "", "webhook %s: cannot read its cursor: %s", endpoint_.name.c_str(),
           cursor.error().message.c_str());
      Sleep(kOutboxErrorPause);
      return;
    }
    while (!Stopping()) {
      Result<std::vector<Event>> events = owner_.outbox_->ReadAfter(done, options_.batch);
      if (!events.ok()) {
        Logf(LogLevel::kError, "", "webhook %s: cannot read the outbox: %s", endpoint_.name.c_str(),
             events.error().message.c_str());
        Sleep(kOutboxErrorPause);
        continue;
      }
      if (events->empty()) {
        pending_since_ms_.store(0, std::memory_order_relaxed);
        WaitForEvents();
        continue;
      }
      uint64_t skipped_to = done;  // events not wanted since the last saved cursor
      for (const Event& e : *events) {
        if (!endpoint_.Wants(e.type)) {
          skipped_to = e.seq;
          continue;
        }
        pending_since_ms_.store(e.time_ms_utc, std::memory_order_relaxed);
        if (Deliver(e) == Outcome::kStopped) return;
        done = skipped_to = e.seq;
      }
      if (skipped_to > done) {  // a batch that ended with events this endpoint does not want
        if (Status s = SaveCursor(skipped_to); !s.ok()) {
          Logf(LogLevel::kError, "", "webhook %s: cannot save its cursor: %s", endpoint_.name.c_str(),
               s.error().message.c_str());
          Sleep(kOutboxErrorPause);
          continue;
        }
        done = skipped_to;
      }
    }
  }

  Outcome Deliver(const Event& e) {
    const std::string body = EventJson(e, endpoint_.personal_data).dump();
    int failures = 0;
    std::string last_failure;
    while (!Stopping()) {
      const int64_t now_s = NowMs() / 1000;
      const std::vector<std::string> headers = {
          "Content-Type: application/json",
          std::string(kEventIdHeader) + ": " + e.id,
          std::string(kEventTypeHeader) + ": " + e.type,
          std::string(kTimestampHeader) + ": " + std::to_string(now_s),
          std::string(kSignatureHeader) + ": " + WebhookSignature(endpoint_.secret, now_s, body)};
      const PostResult result = poster_.Post(headers, body);
      if (Stopping() && !result.Succeeded()) return Outcome::kStopped;
      if (result.Succeeded()) {
        // The cursor is saved before anything else: a crash after the 2xx re-sends this one event.
        while (!SaveCursorOrPause(e.seq)) {
          if (Stopping()) return Outcome::kStopped;
        }
        retrying_.store(false, std::memory_order_relaxed);
        if (metrics_) {
          metrics_->delivered->Increment();
          metrics_->latency->Observe(static_cast<double>(std::max<int64_t>(0, NowMs() - e.time_ms_utc)) / 1000.0);
        }
        if (failures > 0) {
          Logf(LogLevel::kInfo, e.recording_id, "webhook %s: delivered event %s after %d failed attempts",
               endpoint_.name.c_str(), e.id.c_str(), failures);
        }
        return Outcome::kDelivered;
      }
      ++failures;
      last_failure = result.Describe();
      retrying_.store(true, std::memory_order_relaxed);
      if (metrics_) metrics_->failures->Increment();
      const int64_t age_ms = NowMs() - e.time_ms_utc;
      if (age_ms >= endpoint_.max_age.count()) return Park(e, failures, last_failure);
      std::chrono::milliseconds delay = RetryDelay(failures, Uniform(), options_.first_retry, options_.max_retry);
      // Wake up in time to park the event once it reaches max_age.
      delay = std::clamp(std::chrono::milliseconds(endpoint_.max_age.count() - age_ms), kMinRetryDelay, delay);
      if (failures == 1 || failures % kLogEveryNthFailure == 0) {
        Logf(LogLevel::kWarn, e.recording_id, "webhook %s: event %s (%s) failed (attempt %d): %s; next try in %lld ms",
             endpoint_.name.c_str(), e.id.c_str(), e.type.c_str(), failures, last_failure.c_str(),
             static_cast<long long>(delay.count()));
      }
      if (!Sleep(delay)) return Outcome::kStopped;
    }
    return Outcome::kStopped;
  }

  bool SaveCursorOrPause(uint64_t seq) {
    Status s = SaveCursor(seq);
    if (s.ok()) return true;
    Logf(LogLevel::kError, "", "webhook %s: cannot save its cursor: %s", endpoint_.name.c_str(),
         s.error().message.c_str());
    Sleep(kOutboxErrorPause);
    return false;
  }

  Outcome Park(const Event& e, int failures, const std::string& last_failure) {
    const EventOutbox& outbox = *owner_.outbox_;
    const int64_t now_ms = NowMs();
    EventDraft parked;
    parked.type = "webhook.parked";
    parked.recording_id = e.recording_id;
    parked.data = {{"endpoint", endpoint_.name}, {"event_id", e.id},        {"event_seq", e.seq},
                   {"event_type", e.type},       {"attempts", failures},    {"last_error", last_failure}};
    for (;;) {
      Status s = outbox.database().Write([&](WriteTxn& txn) -> Status {
        RETURN_IF_ERROR(outbox.SetCursorIn(txn, consumer_, e.seq));
        // A parked webhook.parked event adds no other: a dead endpoint must not feed itself.
        if (e.type != "webhook.parked") {
          Result<Event> appended = outbox.AppendIn(txn, parked, now_ms);
          if (!appended.ok()) return appended.error();
        }
        return OkStatus();
      });
      if (s.ok()) break;
      Logf(LogLevel::kError, "", "webhook %s: cannot park event %s: %s", endpoint_.name.c_str(), e.id.c_str(),
           s.error().message.c_str());
      if (!Sleep(kOutboxErrorPause)) return Outcome::kStopped;
    }
    retrying_.store(false, std::memory_order_relaxed);
    if (metrics_) metrics_->parked->Increment();
    Logf(LogLevel::kError, e.recording_id,
         "webhook %s: parked event %s (%s) after %d attempts over %lld s (max_age): %s",
         endpoint_.name.c_str(), e.id.c_str(), e.type.c_str(), failures,
         static_cast<long long>((now_ms - e.time_ms_utc) / 1000), last_failure.c_str());
    owner_.Wake();  // the webhook.parked event is for the other endpoints too
    return Outcome::kParked;
  }

  double Uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }

  WebhookDeliverer& owner_;
  const size_t index_;
  const WebhookEndpoint endpoint_;
  const std::string consumer_;
  const WebhookDelivererOptions& options_;
  std::optional<WebhookMetrics::Endpoint> metrics_;
  CurlPoster poster_;  // this thread's only
  std::mt19937_64 rng_;
  std::atomic<bool> retrying_{false};
  std::atomic<int64_t> pending_since_ms_{0};
  std::thread thread_;
};

WebhookDeliverer::WebhookDeliverer(std::shared_ptr<EventOutbox> outbox, std::vector<WebhookEndpoint> endpoints,
                                   WebhookMetrics* metrics, WebhookDelivererOptions options)
    : outbox_(std::move(outbox)), options_(std::move(options)) {
  for (size_t i = 0; i < endpoints.size(); ++i) {
    workers_.push_back(std::make_unique<Worker>(*this, i, std::move(endpoints[i]), metrics, options_));
  }
}

WebhookDeliverer::~WebhookDeliverer() { Stop(); }

void WebhookDeliverer::Start() {
  if (started_) return;
  started_ = true;
  stopping_.store(false, std::memory_order_release);
  for (auto& w : workers_) w->Start();
}

void WebhookDeliverer::Stop() {
  {
    MutexLock lock(mu_);
    stopping_.store(true, std::memory_order_release);
  }
  cv_.SignalAll();
  for (auto& w : workers_) w->Join();
}

void WebhookDeliverer::Wake() {
  {
    MutexLock lock(mu_);
    ++wakes_;
  }
  cv_.SignalAll();
}

std::vector<WebhookState> WebhookDeliverer::States() const {
  std::vector<WebhookState> out;
  for (const auto& w : workers_) out.push_back(w->State());
  return out;
}

}  // namespace kronika::srs
