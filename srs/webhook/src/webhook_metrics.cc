#include "kronika/srs/webhook/webhook_metrics.h"

#include <algorithm>

#include "kronika/srs/core/metrics.h"

namespace kronika::srs {
namespace {

// Loopback deliveries take milliseconds; a retried one minutes or hours (max_age).
const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400};

prometheus::ClientMetric Labelled(const std::string& endpoint, double value) {
  prometheus::ClientMetric metric;
  metric.label.push_back({"endpoint", endpoint});
  metric.gauge.value = value;
  return metric;
}

}  // namespace

WebhookMetrics::WebhookMetrics(prometheus::Registry& registry)
    : delivered_(prometheus::BuildCounter()
                     .Name(kMetricWebhookDelivered)
                     .Help("Events a webhook endpoint answered with 2xx (issue 17)")
                     .Register(registry)),
      failures_(prometheus::BuildCounter()
                    .Name(kMetricWebhookFailures)
                    .Help("Webhook POSTs that failed: a non-2xx answer, no connection, TLS, or the timeout")
                    .Register(registry)),
      parked_(prometheus::BuildCounter()
                  .Name(kMetricWebhookParked)
                  .Help("Events a webhook endpoint gave up on after max_age (each logged and appended to "
                        "the outbox as a webhook.parked event)")
                  .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name(kMetricWebhookLatency)
                   .Help("Seconds from an event's commit to the 2xx of its webhook POST, retries included")
                   .Register(registry)) {}

WebhookMetrics::Endpoint WebhookMetrics::For(const std::string& endpoint) {
  const std::map<std::string, std::string> labels = {{"endpoint", endpoint}};
  return Endpoint{&delivered_.Add(labels), &failures_.Add(labels), &parked_.Add(labels),
                  &latency_.Add(labels, kLatencyBuckets)};
}

std::vector<prometheus::MetricFamily> WebhookGaugeFamilies(const std::vector<WebhookState>& states,
                                                           int64_t now_ms_utc) {
  prometheus::MetricFamily retrying{kMetricWebhookRetrying,
                                    "1 while the event a webhook endpoint is on has failed at least once",
                                    prometheus::MetricType::Gauge,
                                    {}};
  prometheus::MetricFamily oldest{kMetricWebhookOldestAge,
                                  "Age of the oldest event a webhook endpoint still has to deliver; 0 when it "
                                  "is caught up",
                                  prometheus::MetricType::Gauge,
                                  {}};
  for (const WebhookState& s : states) {
    retrying.metric.push_back(Labelled(s.endpoint, s.retrying ? 1 : 0));
    const double age_s = s.oldest_undelivered_ms_utc == 0
                             ? 0.0
                             : static_cast<double>(std::max<int64_t>(0, now_ms_utc - s.oldest_undelivered_ms_utc)) / 1000.0;
    oldest.metric.push_back(Labelled(s.endpoint, age_s));
  }
  return {std::move(retrying), std::move(oldest)};
}

}  // namespace kronika::srs
