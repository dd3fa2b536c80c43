// WebhookDeliverer: sends the events of the outbox (srs/store event_outbox.h) to the
// configured HTTPS endpoints (issue 17 item 3; docs/api.md "Webhooks").
//
// One thread per endpoint (`kr-webhook-<i>`): an endpoint that is down or slow (a POST
// can take its whole `timeout`) holds up only its own events, and each endpoint's events go
// strictly in sequence order, one POST at a time, so order per recording holds without any
// bookkeeping. A handful of endpoints is the expected case; each thread sleeps on a
// condition variable between polls.
//
// Per endpoint: read the events after its cursor (consumer "webhook:<name>" in
// events.cursors); skip those whose type it does not want; POST each other one
// (EventJson, the personal part only with personal_data) with Kronika-Event-Id,
// Kronika-Event-Type, Kronika-Timestamp and Kronika-Signature (webhook_signature.h). A 2xx
// moves the cursor past the event in LMDB, so a kill -9 sends at most the event in flight
// again, with the same id. Anything else is retried after RetryDelay (full jitter, 1 s
// doubling to 5 min) until the event is older than max_age; then it is parked: the cursor
// moves past it, a `webhook.parked` event naming it is appended to the outbox in the same
// transaction (so the other endpoints and, later, the pull feed see it; a parked
// `webhook.parked` event adds none), it is logged and counted.
//
// Nothing on the SIP, media or store-writer path waits for this: they only append to the
// outbox (one LMDB write in their own transaction); this class only reads the outbox and
// writes its cursors and webhook.parked rows.
//
// Threads: construct, Start() and Stop() on one thread (the daemon's main thread); Wake()
// and States() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kronika/mutex.h"
#include "kronika/result.h"
#include "kronika/srs/config/config.h"
#include "kronika/srs/core/event.h"
#include "kronika/srs/store/event_outbox.h"
#include "kronika/srs/webhook/webhook_metrics.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs {

struct WebhookEndpoint {
  std::string name;                       // label, cursor "webhook:<name>"
  std::string url;                        // https://...
  std::vector<std::string> types;         // event types sent; empty or {"*"} = every type
  std::string secret;                     // HMAC key (the secret itself, not its file)
  bool personal_data = false;             // send EventJson's "personal" part
  std::chrono::milliseconds max_age{24LL * 3600 * 1000};  // retried this long after the event's commit
  std::chrono::milliseconds timeout{10000};               // one POST
  std::string ca_file;                    // "" = the system CAs

  bool Wants(std::string_view type) const;
};

// The endpoint of a validated [[webhooks]] entry, its secret read (LoadWebhookSecret).
Result<WebhookEndpoint> WebhookEndpointFrom(const WebhookConfig& config);

// The events.cursors name of an endpoint: "webhook:<name>".
std::string WebhookConsumer(const std::string& endpoint_name);

struct WebhookDelivererOptions {
  std::chrono::milliseconds poll_interval{50};  // new events are found this soon without Wake()
  size_t batch = 256;                           // events read per outbox read
  std::chrono::milliseconds first_retry = std::chrono::milliseconds(1000);
  std::chrono::milliseconds max_retry = std::chrono::milliseconds(5 * 60 * 1000);
  // Wall clock in ms since the epoch (event ages, Kronika-Timestamp); tests may shift it.
  std::function<int64_t()> now_ms_utc;
};

class WebhookDeliverer {
 public:
  // `outbox` and `metrics` (may be null) must outlive this object.
  WebhookDeliverer(std::shared_ptr<EventOutbox> outbox, std::vector<WebhookEndpoint> endpoints,
                   WebhookMetrics* metrics, WebhookDelivererOptions options = {});
  ~WebhookDeliverer();  // Stop()
  WebhookDeliverer(const WebhookDeliverer&) = delete;
  WebhookDeliverer& operator=(const WebhookDeliverer&) = delete;

  // Starts one thread per endpoint. Idempotent.
  void Start();
  // Stops the threads; a POST under way is abandoned within a second (its event is sent again
  // at the next start). Idempotent.
  void Stop();
  // New events were committed: look now rather than at the next poll.
  void Wake();

  std::vector<WebhookState> States() const;

 private:
  class Worker;
  std::shared_ptr<EventOutbox> outbox_;
  const WebhookDelivererOptions options_;  // the workers borrow it
  std::vector<std::unique_ptr<Worker>> workers_;
  bool started_ = false;  // Start()/Stop() thread only
  std::atomic<bool> stopping_{false};
  Mutex mu_;
  CondVar cv_;
  uint64_t wakes_ GUARDED_BY(mu_) = 0;
  friend class Worker;
};

}  // namespace kronika::srs
