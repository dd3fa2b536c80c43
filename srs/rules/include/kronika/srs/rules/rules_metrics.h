// Prometheus families of the recording rules (issue 7), registered on the daemon's registry
// (Metrics::registry()). Labels are bounded: decision 2 values, reason ~10, cause 4,
// result 3, site = configured sites only.
//   kronika_policy_decisions_total{decision="record|not-recorded",reason}   SCOPE-1,2,5 CONSENT-3
//   kronika_retention_deletions_total{cause}                  RET-3,4,5 RIGHTS-2
//   kronika_retention_sweeps_total{result="completed|refused|failed"}       RET-3
//   kronika_legal_holds_active                                RET-2 (recordings held)
//   kronika_quota_used_bytes{site}, kronika_quota_limit_bytes{site},
//   kronika_quota_warning{site} (1 at or above warn_percent)  RET-5
// Threads: prometheus-cpp metrics are thread-safe; call from any thread.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <string_view>

namespace kronika::srs {

class RulesMetrics {
 public:
  explicit RulesMetrics(prometheus::Registry& registry);
  void OnDecision(bool record, std::string_view reason);
  void OnDeletion(std::string_view cause, double count = 1);
  void OnSweep(std::string_view result);
  void SetHeldRecordings(double n);
  void SetQuota(std::string_view site, double used_bytes, double limit_bytes, bool warning);

 private:
  prometheus::Family<prometheus::Counter>& decisions_;
  prometheus::Family<prometheus::Counter>& deletions_;
  prometheus::Family<prometheus::Counter>& sweeps_;
  prometheus::Family<prometheus::Gauge>& holds_;
  prometheus::Family<prometheus::Gauge>& quota_used_;
  prometheus::Family<prometheus::Gauge>& quota_limit_;
  prometheus::Family<prometheus::Gauge>& quota_warning_;
};

}  // namespace kronika::srs
