#include "kronika/srs/rules/rules_metrics.h"

#include <string>

namespace kronika::srs {

RulesMetrics::RulesMetrics(prometheus::Registry& registry)
    : decisions_(prometheus::BuildCounter()
                     .Name("kronika_policy_decisions_total")
                     .Help("Recording decisions at INVITE by decision and reason (SCOPE-1, SCOPE-2, CONSENT-3, RET-5)")
                     .Register(registry)),
      deletions_(prometheus::BuildCounter()
                     .Name("kronika_retention_deletions_total")
                     .Help("Recordings deleted by cause: retention-expired, early-deletion, erasure-request, "
                           "quota-eviction")
                     .Register(registry)),
      sweeps_(prometheus::BuildCounter()
                  .Name("kronika_retention_sweeps_total")
                  .Help("Retention sweeps by result: completed, refused (clock not believable), failed")
                  .Register(registry)),
      holds_(prometheus::BuildGauge()
                 .Name("kronika_legal_holds_active")
                 .Help("Recordings under at least one active legal hold (RET-2)")
                 .Register(registry)),
      quota_used_(prometheus::BuildGauge()
                      .Name("kronika_quota_used_bytes")
                      .Help("Bytes of recordings counted against the site quota (RET-5)")
                      .Register(registry)),
      quota_limit_(prometheus::BuildGauge()
                       .Name("kronika_quota_limit_bytes")
                       .Help("Site quota in bytes, 0 = no quota (RET-5)")
                       .Register(registry)),
      quota_warning_(prometheus::BuildGauge()
                         .Name("kronika_quota_warning")
                         .Help("1 when the site's usage is at or above its warn_percent (RET-5)")
                         .Register(registry)) {}

void RulesMetrics::OnDecision(bool record, std::string_view reason) {
  decisions_.Add({{"decision", record ? "record" : "not-recorded"}, {"reason", std::string(reason)}}).Increment();
}
void RulesMetrics::OnDeletion(std::string_view cause, double count) {
  deletions_.Add({{"cause", std::string(cause)}}).Increment(count);
}
void RulesMetrics::OnSweep(std::string_view result) { sweeps_.Add({{"result", std::string(result)}}).Increment(); }
void RulesMetrics::SetHeldRecordings(double n) { holds_.Add({}).Set(n); }
void RulesMetrics::SetQuota(std::string_view site, double used_bytes, double limit_bytes, bool warning) {
  quota_used_.Add({{"site", std::string(site)}}).Set(used_bytes);
  quota_limit_.Add({{"site", std::string(site)}}).Set(limit_bytes);
  quota_warning_.Add({{"site", std::string(site)}}).Set(warning ? 1 : 0);
}

}  // namespace kronika::srs
