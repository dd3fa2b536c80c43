// Metrics: every Prometheus series Kronika exports, defined in one place.
//
// Names follow Prometheus conventions (kronika_ prefix, unit suffixes, _total for
// counters). Label values come from small fixed sets (SIP method, status code, reason
// keyword, codec) - never a call id, recording id or number.
//
// Threads: the SIP-thread helpers (OnSipRequest ...) are called on the SIP thread; they
// use prometheus-cpp counters, which are thread-safe, so other threads may call them too.
// Hot media paths do not touch this class: workers keep plain per-worker counters and a
// collector callback (AddCollector) turns their sums into families at scrape time.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/mutex.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs {

// Metric names, one constant each, so dashboards, alerts and code agree.
inline constexpr char kMetricBuildInfo[] = "kronika_build_info";
inline constexpr char kMetricSipRequests[] = "kronika_sip_requests_total";
inline constexpr char kMetricSipResponses[] = "kronika_sip_responses_total";
inline constexpr char kMetricSessionsActive[] = "kronika_sessions_active";
inline constexpr char kMetricSessionsStarted[] = "kronika_sessions_started_total";
inline constexpr char kMetricSessionsRejected[] = "kronika_sessions_rejected_total";
inline constexpr char kMetricSessionSetupSeconds[] = "kronika_session_setup_seconds";
inline constexpr char kMetricBadInput[] = "kronika_sip_bad_input_total";
inline constexpr char kMetricRequestsRefused[] = "kronika_sip_requests_refused_total";
inline constexpr char kMetricRecordingsFinished[] = "kronika_recordings_finished_total";
inline constexpr char kMetricMetadataDefects[] = "kronika_metadata_defects_total";
inline constexpr char kMetricRecordingsMetadata[] = "kronika_recordings_metadata_total";
// Thread boundaries (common/kronika/thread_boundary.h, issue 13 item 4), by thread name.
inline constexpr char kMetricThreadFaults[] = "kronika_thread_faults_total";
inline constexpr char kMetricThreadFailed[] = "kronika_thread_failed";
// Webhooks (issue 17), label endpoint = the [[webhooks]] name.
inline constexpr char kMetricWebhookDelivered[] = "kronika_webhook_delivered_total";
inline constexpr char kMetricWebhookFailures[] = "kronika_webhook_failures_total";
inline constexpr char kMetricWebhookRetrying[] = "kronika_webhook_retrying";
inline constexpr char kMetricWebhookParked[] = "kronika_webhook_parked_total";
inline constexpr char kMetricWebhookOldestAge[] = "kronika_webhook_oldest_undelivered_age_seconds";
inline constexpr char kMetricWebhookLatency[] = "kronika_webhook_delivery_latency_seconds";
inline constexpr char kMetricEventsPruned[] = "kronika_events_pruned_total";
// Threads whose series exist at 0 from the start (so an alert sees the first fault); the
// others (kr-media-<N>, kr-http-w<N>) appear once they are named or have a fault.
inline constexpr std::string_view kThreadsAlwaysExported[] = {"kr-sip", "kr-http-io"};

// The reason keywords sessions are refused with, and the kinds of malformed input
// (a subset of the reasons). Kept here so the label set stays bounded and documented.
inline constexpr std::string_view kSessionRejectReasons[] = {
    "overload", "store", "no_port", "disk", "media", "media_overload", "not_siprec", "bad_sdp",
    "no_codec", "bad_multipart", "bad_encoding", "policy", "unauthenticated", "shutdown",
    "too_many_streams", "source_limit", "source_not_allowed", "too_large"};
inline constexpr std::string_view kBadInputKinds[] = {"bad_sdp", "no_codec", "bad_multipart",
                                                       "bad_encoding", "not_siprec", "media",
                                                       "too_many_streams"};
// Metadata defects (sdp::MetadataDefectName; a unit test keeps the two lists in step) and
// metadata statuses (sdp::MetadataStatusName). A defect never refuses a call (issue 14).
inline constexpr std::string_view kMetadataDefectReasons[] = {
    "missing", "too_large", "too_deep", "xml_error", "not_recording", "unknown_encoding",
    "invalid_bytes", "empty_id", "duplicate_id", "unmapped_stream"};
inline constexpr std::string_view kMetadataStatuses[] = {"complete", "partial", "unparsed"};
// Requests of any method refused at the SIP edge before the session logic (issue 12):
// a source outside sip.allowed_sources (403), a message over sip.max_message_bytes (513).
inline constexpr std::string_view kRequestRefusalReasons[] = {"source_not_allowed", "too_large"};

// kronika_thread_faults_total{thread} and kronika_thread_failed{thread} from the process's
// thread-fault tally (every thread named with NameCurrentThread or that had a fault).
std::vector<prometheus::MetricFamily> ThreadFaultFamilies();

// Builds one family by hand, for collector callbacks.
prometheus::MetricFamily GaugeFamily(std::string name, std::string help, double value);
prometheus::MetricFamily CounterFamily(std::string name, std::string help, double value);

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // SIP: every request received and every final/provisional response sent.
  // `method` is normalised to a fixed set (INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE,
  // INFO, PRACK, REFER, NOTIFY, SUBSCRIBE, MESSAGE, REGISTER, OTHER).
  void OnSipRequest(std::string_view method);
  void OnSipResponse(std::string_view method, int status);

  // Sessions: `reason` is a short keyword (overload, no_port, disk, store, bad_sdp,
  // bad_multipart, bad_metadata, not_siprec, no_codec, policy ...).
  void OnSessionStarted(double setup_seconds);
  void OnSessionRejected(std::string_view reason);
  void OnBadInput(std::string_view kind);
  void OnRequestRefused(std::string_view reason);  // kRequestRefusalReasons
  // state: completed, interrupted, failed; verdict: kVerdictNames (completeness_record.h).
  void OnRecordingFinished(std::string_view state, std::string_view verdict);
  // A metadata document (or the lack of one) had this defect; `reason` is one of
  // kMetadataDefectReasons. Counted once per document that has it.
  void OnMetadataDefect(std::string_view reason);
  // A recording ended with this metadata status (kMetadataStatuses).
  void OnRecordingMetadata(std::string_view status);
  void SetActiveSessions(double n);

  // Adds a callback run at each scrape; it returns families computed from live state
  // (media worker counters, store map use, disk free). Call before serving.
  using Collector = std::function<std::vector<prometheus::MetricFamily>()>;
  void AddCollector(Collector collector);

  // Text exposition format 0.0.4 of everything above; safe from any thread.
  std::string Render() const;

  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& sip_requests_;
  prometheus::Family<prometheus::Counter>& sip_responses_;
  prometheus::Family<prometheus::Counter>& sessions_started_;
  prometheus::Family<prometheus::Counter>& sessions_rejected_;
  prometheus::Family<prometheus::Counter>& bad_input_;
  prometheus::Family<prometheus::Counter>& requests_refused_;
  prometheus::Family<prometheus::Counter>& recordings_finished_;
  prometheus::Family<prometheus::Counter>& metadata_defects_;
  prometheus::Family<prometheus::Counter>& recordings_metadata_;
  prometheus::Family<prometheus::Gauge>& sessions_active_family_;
  prometheus::Family<prometheus::Histogram>& setup_seconds_family_;
  prometheus::Gauge& sessions_active_;
  prometheus::Histogram& setup_seconds_;

  mutable Mutex collectors_mu_;
  std::vector<Collector> collectors_ GUARDED_BY(collectors_mu_);
};

// Method name reduced to the fixed label set above.
std::string_view NormalizeSipMethod(std::string_view method);

}  // namespace kronika::srs
