#include "kronika/srs/core/metrics.h"

#include <prometheus/text_serializer.h>

#include <array>
#include <map>
#include <sstream>

#include "kronika/srs/core/completeness_record.h"
#include "kronika/thread_boundary.h"

namespace kronika::srs {
namespace {

// Setup latency buckets: a SIPREC INVITE should be answered in well under 10 ms; SBCs
// time out recording legs after a few seconds, so the top bucket is 2 s.
const prometheus::Histogram::BucketBoundaries kSetupBucketsSeconds = {
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0};

std::string Version() {
#ifdef KRONIKA_VERSION
  return KRONIKA_VERSION;
#else
  return "dev";
#endif
}

}  // namespace

std::string_view NormalizeSipMethod(std::string_view method) {
  static constexpr std::array<std::string_view, 13> kKnown = {
      "INVITE", "ACK",    "BYE",       "CANCEL",  "OPTIONS", "UPDATE",  "INFO",
      "PRACK",  "REFER",  "NOTIFY",    "SUBSCRIBE", "MESSAGE", "REGISTER"};
  for (std::string_view known : kKnown) {
    if (known == method) return known;
  }
  return "OTHER";
}

prometheus::MetricFamily GaugeFamily(std::string name, std::string help, double value) {
  prometheus::MetricFamily family{std::move(name), std::move(help), prometheus::MetricType::Gauge, {}};
  prometheus::ClientMetric metric;
  metric.gauge.value = value;
  family.metric.push_back(std::move(metric));
  return family;
}

prometheus::MetricFamily CounterFamily(std::string name, std::string help, double value) {
  prometheus::MetricFamily family{std::move(name), std::move(help), prometheus::MetricType::Counter, {}};
  prometheus::ClientMetric metric;
  metric.counter.value = value;
  family.metric.push_back(std::move(metric));
  return family;
}

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      sip_requests_(prometheus::BuildCounter()
                        .Name(kMetricSipRequests)
                        .Help("SIP requests received, by method")
                        .Register(*registry_)),
      sip_responses_(prometheus::BuildCounter()
                         .Name(kMetricSipResponses)
                         .Help("SIP responses sent, by request method and status code")
                         .Register(*registry_)),
      sessions_started_(prometheus::BuildCounter()
                            .Name(kMetricSessionsStarted)
                            .Help("Recording sessions answered with 200 OK")
                            .Register(*registry_)),
      sessions_rejected_(prometheus::BuildCounter()
                             .Name(kMetricSessionsRejected)
                             .Help("Recording sessions refused, by reason")
                             .Register(*registry_)),
      bad_input_(prometheus::BuildCounter()
                     .Name(kMetricBadInput)
                     .Help("Malformed SIP bodies (SDP, multipart, metadata XML), by kind")
                     .Register(*registry_)),
      requests_refused_(prometheus::BuildCounter()
                            .Name(kMetricRequestsRefused)
                            .Help("SIP requests refused before the session logic (source not allowed, "
                                  "message too large), by reason")
                            .Register(*registry_)),
      recordings_finished_(prometheus::BuildCounter()
                               .Name(kMetricRecordingsFinished)
                               .Help("Recordings closed, by final state and completeness verdict")
                               .Register(*registry_)),
      metadata_defects_(prometheus::BuildCounter()
                            .Name(kMetricMetadataDefects)
                            .Help("Metadata documents read with a defect (recorded anyway), by reason")
                            .Register(*registry_)),
      recordings_metadata_(prometheus::BuildCounter()
                               .Name(kMetricRecordingsMetadata)
                               .Help("Recordings closed, by metadata status (complete, partial, unparsed)")
                               .Register(*registry_)),
      sessions_active_family_(prometheus::BuildGauge()
                                  .Name(kMetricSessionsActive)
                                  .Help("Recording sessions currently established")
                                  .Register(*registry_)),
      setup_seconds_family_(prometheus::BuildHistogram()
                                .Name(kMetricSessionSetupSeconds)
                                .Help("Time from INVITE received to 200 OK sent")
                                .Register(*registry_)),
      sessions_active_(sessions_active_family_.Add({})),
      setup_seconds_(setup_seconds_family_.Add({}, kSetupBucketsSeconds)) {
  prometheus::BuildGauge()
      .Name(kMetricBuildInfo)
      .Help("Build information; the value is always 1")
      .Register(*registry_)
      .Add({{"version", Version()}})
      .Set(1);
  sessions_started_.Add({});
  // Every label value we can emit exists from the start at 0, so rate() and the alert
  // rules see a series before the first refusal (a missing series reads as "no data").
  for (std::string_view reason : kSessionRejectReasons) {
    sessions_rejected_.Add({{"reason", std::string(reason)}});
  }
  for (std::string_view kind : kBadInputKinds) bad_input_.Add({{"kind", std::string(kind)}});
  for (std::string_view reason : kRequestRefusalReasons) requests_refused_.Add({{"reason", std::string(reason)}});
  for (std::string_view state : {"completed", "interrupted", "failed"}) {
    for (std::string_view verdict : kVerdictNames) {
      recordings_finished_.Add({{"state", std::string(state)}, {"verdict", std::string(verdict)}});
    }
  }
  for (std::string_view reason : kMetadataDefectReasons) metadata_defects_.Add({{"reason", std::string(reason)}});
  for (std::string_view status : kMetadataStatuses) recordings_metadata_.Add({{"status", std::string(status)}});
  collectors_.push_back(ThreadFaultFamilies);
}

void Metrics::OnMetadataDefect(std::string_view reason) {
  metadata_defects_.Add({{"reason", std::string(reason)}}).Increment();
}

void Metrics::OnRecordingMetadata(std::string_view status) {
  if (status.empty()) return;  // a record never judged (cannot happen for a live session)
  recordings_metadata_.Add({{"status", std::string(status)}}).Increment();
}

void Metrics::OnSipRequest(std::string_view method) {
  sip_requests_.Add({{"method", std::string(NormalizeSipMethod(method))}}).Increment();
}

void Metrics::OnSipResponse(std::string_view method, int status) {
  sip_responses_
      .Add({{"method", std::string(NormalizeSipMethod(method))}, {"code", std::to_string(status)}})
      .Increment();
}

void Metrics::OnSessionStarted(double setup_seconds) {
  sessions_started_.Add({}).Increment();
  setup_seconds_.Observe(setup_seconds);
}

void Metrics::OnSessionRejected(std::string_view reason) {
  sessions_rejected_.Add({{"reason", std::string(reason)}}).Increment();
}

void Metrics::OnRequestRefused(std::string_view reason) {
  requests_refused_.Add({{"reason", std::string(reason)}}).Increment();
}

void Metrics::OnBadInput(std::string_view kind) {
  bad_input_.Add({{"kind", std::string(kind)}}).Increment();
}

void Metrics::OnRecordingFinished(std::string_view state, std::string_view verdict) {
  recordings_finished_.Add({{"state", std::string(state)}, {"verdict", std::string(verdict)}}).Increment();
}

void Metrics::SetActiveSessions(double n) { sessions_active_.Set(n); }

void Metrics::AddCollector(Collector collector) {
  MutexLock lock(collectors_mu_);
  collectors_.push_back(std::move(collector));
}

std::vector<prometheus::MetricFamily> ThreadFaultFamilies() {
  std::map<std::string, ThreadFaultState> by_thread;
  for (std::string_view name : kThreadsAlwaysExported) by_thread[std::string(name)].thread = name;
  for (ThreadFaultState& state : ThreadFaults::Process().Snapshot()) by_thread[state.thread] = std::move(state);
  prometheus::MetricFamily faults{kMetricThreadFaults,
                                  "Exceptions caught at a thread's boundary (the item was skipped or the "
                                  "component marked failed), by thread",
                                  prometheus::MetricType::Counter,
                                  {}};
  prometheus::MetricFamily failed{kMetricThreadFailed,
                                  "1 while the thread's component is failed after a fault (/readyz says 503), "
                                  "else 0",
                                  prometheus::MetricType::Gauge,
                                  {}};
  for (const auto& [name, state] : by_thread) {
    prometheus::ClientMetric count;
    count.label.push_back({"thread", name});
    count.counter.value = static_cast<double>(state.faults);
    faults.metric.push_back(std::move(count));
    prometheus::ClientMetric flag;
    flag.label.push_back({"thread", name});
    flag.gauge.value = state.failed ? 1 : 0;
    failed.metric.push_back(std::move(flag));
  }
  return {std::move(faults), std::move(failed)};
}

std::string Metrics::Render() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  {
    MutexLock lock(collectors_mu_);
    for (const Collector& collector : collectors_) {
      std::vector<prometheus::MetricFamily> extra = collector();
      families.insert(families.end(), std::make_move_iterator(extra.begin()),
                      std::make_move_iterator(extra.end()));
    }
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace kronika::srs
