// Metrics: what a Prometheus scrape of a running daemon shows.
#include "kronika/srs/core/metrics.h"

#include <catch2/catch.hpp>

namespace kronika::srs {
namespace {

TEST_CASE("metrics: SIP requests and responses are counted by method and code") {
  Metrics metrics;
  metrics.OnSipRequest("INVITE");
  metrics.OnSipRequest("INVITE");
  metrics.OnSipRequest("FOO");  // unknown methods share one label value
  metrics.OnSipResponse("INVITE", 200);
  metrics.OnSipResponse("INVITE", 503);
  const std::string text = metrics.Render();
  CHECK_THAT(text, Catch::Contains("kronika_sip_requests_total{method=\"INVITE\"} 2"));
  CHECK_THAT(text, Catch::Contains("kronika_sip_requests_total{method=\"OTHER\"} 1"));
  CHECK_THAT(text, Catch::Contains("kronika_sip_responses_total{code=\"503\",method=\"INVITE\"} 1"));
  CHECK_THAT(text, Catch::Contains("kronika_build_info{version="));
}

TEST_CASE("metrics: setup latency lands in the histogram buckets") {
  Metrics metrics;
  metrics.OnSessionStarted(0.003);
  metrics.SetActiveSessions(1);
  const std::string text = metrics.Render();
  CHECK_THAT(text, Catch::Contains("kronika_session_setup_seconds_bucket{le=\"0.002\"} 0"));
  CHECK_THAT(text, Catch::Contains("kronika_session_setup_seconds_bucket{le=\"0.005\"} 1"));
  CHECK_THAT(text, Catch::Contains("kronika_sessions_started_total 1"));
  CHECK_THAT(text, Catch::Contains("kronika_sessions_active 1"));
}

TEST_CASE("metrics: collectors add live families at scrape time") {
  Metrics metrics;
  double packets = 10;
  metrics.AddCollector([&packets] {
    return std::vector<prometheus::MetricFamily>{
        CounterFamily("kronika_rtp_packets_total", "RTP packets received", packets)};
  });
  CHECK_THAT(metrics.Render(), Catch::Contains("kronika_rtp_packets_total 10"));
  packets = 25;
  CHECK_THAT(metrics.Render(), Catch::Contains("kronika_rtp_packets_total 25"));
}

TEST_CASE("metrics: finished recordings are counted by state and completeness verdict, every series from 0") {
  Metrics metrics;
  const std::string before = metrics.Render();
  CHECK_THAT(before, Catch::Contains("kronika_recordings_finished_total{state=\"completed\",verdict=\"one-way\"} 0"));
  CHECK_THAT(before, Catch::Contains("kronika_recordings_finished_total{state=\"failed\",verdict=\"partial\"} 0"));
  metrics.OnRecordingFinished("completed", "one-way");
  metrics.OnRecordingFinished("completed", "one-way");
  metrics.OnRecordingFinished("completed", "complete");
  const std::string text = metrics.Render();
  CHECK_THAT(text, Catch::Contains("kronika_recordings_finished_total{state=\"completed\",verdict=\"one-way\"} 2"));
  CHECK_THAT(text, Catch::Contains("kronika_recordings_finished_total{state=\"completed\",verdict=\"complete\"} 1"));
}

}  // namespace
}  // namespace kronika::srs
