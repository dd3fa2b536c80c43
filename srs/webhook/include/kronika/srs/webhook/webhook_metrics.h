// The webhook series (names in srs/core metrics.h; docs/operations.md, "Webhooks"), label
// endpoint = the [[webhooks]] name:
//   kronika_webhook_delivered_total            events a 2xx answered
//   kronika_webhook_failures_total             attempts that failed (non-2xx, connect, TLS, timeout)
//   kronika_webhook_parked_total               events given up after max_age
//   kronika_webhook_delivery_latency_seconds   histogram: the event's commit -> its 2xx
//   kronika_webhook_retrying                   1 while the endpoint's current event failed at least once
//   kronika_webhook_oldest_undelivered_age_seconds  age of the event the endpoint is on; 0 caught up
// The two gauges are computed at scrape time (GaugeFamilies), so the age grows while a
// POST hangs. Thread-safe (prometheus-cpp counters; the gauges read atomics).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <string>
#include <vector>

namespace kronika::srs {

class WebhookMetrics {
 public:
  explicit WebhookMetrics(prometheus::Registry& registry);
  WebhookMetrics(const WebhookMetrics&) = delete;
  WebhookMetrics& operator=(const WebhookMetrics&) = delete;

  struct Endpoint {
    prometheus::Counter* delivered;
    prometheus::Counter* failures;
    prometheus::Counter* parked;
    prometheus::Histogram* latency;
  };
  // The series of one endpoint (created at 0, so alerts see them before the first event).
  Endpoint For(const std::string& endpoint);

 private:
  prometheus::Family<prometheus::Counter>& delivered_;
  prometheus::Family<prometheus::Counter>& failures_;
  prometheus::Family<prometheus::Counter>& parked_;
  prometheus::Family<prometheus::Histogram>& latency_;
};

// One endpoint's live state, for the gauges.
struct WebhookState {
  std::string endpoint;
  bool retrying = false;
  int64_t oldest_undelivered_ms_utc = 0;  // commit time of the event it is on; 0 = caught up
};

// kronika_webhook_retrying and kronika_webhook_oldest_undelivered_age_seconds at `now_ms_utc`.
std::vector<prometheus::MetricFamily> WebhookGaugeFamilies(const std::vector<WebhookState>& states,
                                                           int64_t now_ms_utc);

}  // namespace kronika::srs
