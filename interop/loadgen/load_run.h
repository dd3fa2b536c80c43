// LoadRun: drives the SIPREC sessions of a LoadPlan on one sofia-sip su_root thread and
// reports what happened. RTP goes through RtpSender threads.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "load_plan.h"

namespace kronika::loadgen {

struct LoadReport {
  int attempted = 0;
  int answered = 0;          // 200 OK to the initial INVITE
  int completed = 0;         // BYE answered 200
  std::map<int, int> failures_by_code;  // initial INVITE final responses >= 300 (408 = timeout)
  int mid_call_failures = 0; // re-INVITE/UPDATE/BYE not answered 200
  int holds = 0, updates = 0;
  double wall_seconds = 0;
  double setup_rate_per_s = 0;        // answered / time spent starting calls
  double setup_latency_p50_ms = 0, setup_latency_p99_ms = 0, setup_latency_max_ms = 0;
  uint64_t rtp_packets_sent = 0, rtp_bytes_sent = 0, rtp_send_errors = 0, rtp_late_ticks = 0;
  uint64_t rtp_exhausted_packets = 0;  // SRTP packets not sent: a stream outlived its table
  double audio_seconds = 0;            // length of the looped audio
  size_t encoded_bytes = 0;            // its encoded size (one loop)
  int max_concurrent = 0;
};

// Runs the whole plan: reads and encodes the audio once (plan.audio_path or a tone), starts
// the sender threads, then the calls. Errors: the audio cannot be read or encoded, an RTP
// or SIP port cannot be bound.
Result<LoadReport> RunLoad(const LoadPlan& plan);
std::string ReportJson(const LoadPlan& plan, const LoadReport& report);

}  // namespace kronika::loadgen
