#include "media_metrics.h"

#include <string>
#include <utility>

#include "kronika/srs/core/metrics.h"

namespace kronika::srs {
namespace {

// One family with a single "reason" label and one series per reason.
prometheus::MetricFamily ReasonCounter(std::string name, std::string help,
                                       std::vector<std::pair<std::string, double>> by_reason) {
  prometheus::MetricFamily family{std::move(name), std::move(help),
                                  prometheus::MetricType::Counter, {}};
  for (auto& [reason, value] : by_reason) {
    prometheus::ClientMetric metric;
    metric.label.push_back({"reason", reason});
    metric.counter.value = value;
    family.metric.push_back(std::move(metric));
  }
  return family;
}

}  // namespace

std::vector<prometheus::MetricFamily> MediaFamilies(const media::MediaStats& s) {
  auto d = [](uint64_t v) { return static_cast<double>(v); };
  std::vector<prometheus::MetricFamily> out;
  out.push_back(GaugeFamily("kronika_recordings_active", "Recordings with an open file",
                            d(s.recordings_active)));
  out.push_back(GaugeFamily("kronika_rtp_ports_in_use", "RTP ports bound by recordings",
                            d(s.rtp_ports_in_use)));
  out.push_back(CounterFamily("kronika_recordings_opened_total", "Recordings started by the media engine",
                              d(s.recordings_opened_total)));
  out.push_back(CounterFamily("kronika_recordings_failed_total",
                              "Recordings stopped by a media or disk failure",
                              d(s.recordings_failed_total)));
  out.push_back(ReasonCounter("kronika_media_refusals_total",
                              "Recordings the media engine refused (answered 503), by reason",
                              {{"no_port", d(s.rtp_port_exhausted_total)},
                               {"disk_full", d(s.disk_full_refusals_total)},
                               {"queue_full", d(s.queue_full_total)},
                               {"worker_overloaded", d(s.overload_refusals_total)}}));
  out.push_back(CounterFamily("kronika_rtp_packets_total", "RTP packets accepted",
                              d(s.rtp_packets_total)));
  out.push_back(CounterFamily("kronika_rtp_received_bytes_total", "RTP bytes accepted",
                              d(s.rtp_bytes_total)));
  out.push_back(CounterFamily("kronika_rtp_lost_packets_total",
                              "RTP packets missing from the sequence (never arrived in time)",
                              d(s.rtp_packets_lost_total)));
  out.push_back(ReasonCounter("kronika_rtp_dropped_packets_total", "RTP packets dropped, by reason",
                              {{"foreign_source", d(s.rtp_foreign_source_total)},
                               {"not_sdp_host", d(s.rtp_not_sdp_host_total)},
                               {"wrong_ssrc", d(s.rtp_wrong_ssrc_total)},
                               {"invalid", d(s.rtp_invalid_total)},
                               {"late", d(s.rtp_packets_late_total)}}));
  out.push_back(CounterFamily("kronika_rtp_relatches_total",
                              "Streams that moved to another RTP source or SSRC (re-INVITE, or the latched one went silent)",
                              d(s.rtp_relatches_total)));
  out.push_back(CounterFamily("kronika_rtp_no_media_streams_total",
                              "Streams without RTP media.no_rtp_warning_ms after it was due (firewall or NAT?)",
                              d(s.rtp_no_media_streams_total)));
  out.push_back(CounterFamily("kronika_rtp_timeouts_total",
                              "Streams that went silent for longer than media.rtp_timeout_ms",
                              d(s.rtp_timeouts_total)));
  out.push_back(CounterFamily("kronika_dtmf_events_total", "RFC 4733 DTMF events recorded",
                              d(s.dtmf_events_total)));
  out.push_back(CounterFamily("kronika_file_written_bytes_total", "Ogg Opus bytes written",
                              d(s.file_bytes_written_total)));
  out.push_back(CounterFamily("kronika_file_write_errors_total", "Failed writes to recording files",
                              d(s.file_write_errors_total)));
  out.push_back(CounterFamily("kronika_recorded_audio_seconds_total",
                              "Seconds of audio written to recordings", s.recorded_seconds_total));
  return out;
}

}  // namespace kronika::srs
