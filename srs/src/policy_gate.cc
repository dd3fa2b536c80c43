#include "policy_gate.h"

#include "kronika/policy/consent.h"
#include "kronika/policy/retention.h"
#include "kronika/policy/scope.h"
#include "kronika/srs/log.h"

namespace kronika::srs {

policy::CallFacts FactsOf(const RecordingRecord& snapshot, const policy::NumberPlan& plan) {
  policy::CallFacts facts;
  for (const ParticipantRecord& p : snapshot.participants) {
    const std::string& raw = !p.number_e164.empty() ? p.number_e164 : p.number_original;
    facts.participants.push_back(raw.empty() ? std::string() : policy::CanonicalNumber(plan, raw).value_or(""));
  }
  if (!facts.participants.empty()) facts.caller_index = 0;
  facts.start_ms_utc = snapshot.start_ms_utc;
  return facts;
}

PolicyGate::PolicyGate(const SitePolicies* sites, std::string site_name, PolicyDb* db, PolicyMetrics* metrics)
    : sites_(sites), site_(sites->ForRecording(site_name)), db_(db), metrics_(metrics) {
  if (site_ != nullptr && site_->scope.not_recorded_action == policy::NotRecordedAction::kAnswerAndDrop) {
    Logf(LogLevel::kWarn, "", "policy: site %s: not_recorded = answer-and-drop is not supported yet; "
         "calls out of scope are rejected with %d", site_->site_id.c_str(), site_->scope.reject_status);
  }
}

std::optional<SipReply> PolicyGate::Admit(const RecordingRecord& snapshot) {
  if (site_ == nullptr) return std::nullopt;
  const policy::CallFacts facts = FactsOf(snapshot, site_->numbers);
  auto refuse = [&](int status, std::string text, std::string_view reason) {
    if (metrics_) metrics_->OnDecision(false, reason);
    Logf(LogLevel::kInfo, "", "not recorded: Call-ID %s: %s", snapshot.sip_call_id.c_str(), text.c_str());
    SipReply reply;
    reply.status = status;
    reply.warning = std::move(text);
    reply.reason_key = "policy";
    if (status == 503) reply.retry_after_s = 300;
    return reply;
  };
  if (db_ != nullptr) {
    for (const std::string& number : facts.participants) {
      if (number.empty()) continue;
      Result<bool> listed = db_->IsDoNotRecord(number);
      if (listed.ok() && *listed) {
        return refuse(site_->scope.reject_status,
                      "policy: a participant is on the do-not-record list at site " + site_->site_id + " (CONSENT-3)",
                      policy::DecisionReasonName(policy::DecisionReason::kDoNotRecord));
      }
    }
  }
  const policy::Decision decision = policy::Decide(*site_, facts);
  if (!decision.record) return refuse(decision.reject_status, decision.text, policy::DecisionReasonName(decision.reason));
  {
    std::lock_guard lock(mu_);
    auto full = quota_full_.find(site_->site_id);
    if (full != quota_full_.end()) return refuse(503, full->second, "quota-full");
  }
  if (metrics_) metrics_->OnDecision(true, policy::DecisionReasonName(decision.reason));
  return std::nullopt;
}

void PolicyGate::Stamp(RecordingRecord& record) const {
  const policy::SitePolicy* site = sites_->ForRecording(record.site);
  if (site == nullptr) return;
  if (record.retention_expiry_ms_utc == 0) {
    record.retention_expiry_ms_utc = policy::StampRetention(*site, record.start_ms_utc).expires_at_ms_utc;
  }
  const policy::CallFacts facts = FactsOf(record, site->numbers);
  const policy::Direction direction = policy::DirectionOf(site->numbers, facts);
  bool has_consent = false;
  for (TimelineEvent& e : record.timeline) {
    has_consent = has_consent || e.kind == "consent";
    if (e.kind == "dtmf" && !e.detail.empty() && !site->consent.info_clause_dtmf.empty() &&
        e.detail.find("CONSENT-2") == std::string::npos) {
      int code = -1;
      for (int c = 0; c < 16; ++c) {
        if (policy::DtmfSymbol(c) == e.detail[0]) code = c;
      }
      if (code < 0) continue;
      const policy::DtmfClassification dtmf = policy::ClassifyDtmf(*site, code, direction, std::nullopt);
      if (dtmf.meaning == policy::DtmfMeaning::kInformationClauseRequested) e.detail += " - " + dtmf.text;
    }
  }
  if (!has_consent) {
    const policy::ConsentAssessment consent = policy::AssessConsent(*site, direction, policy::ConsentHints{});
    record.timeline.insert(record.timeline.begin(),
                           TimelineEvent{record.start_ms_utc, "consent",
                                         std::string(policy::ConsentBasisName(consent.basis)) + " (" +
                                             std::string(policy::ConsentSourceName(consent.source)) + ", " +
                                             std::string(policy::DirectionName(direction)) + "): " + consent.text});
  }
}

void PolicyGate::SetQuotaPlan(const std::string& site, const policy::QuotaPlan& plan) {
  const policy::SitePolicy* s = sites_->Find(site);
  std::lock_guard lock(mu_);
  if (s != nullptr && s->quota.at_limit == policy::QuotaAction::kRefuseNew && !plan.admit_new) {
    quota_full_[site] = "quota: site " + site + " storage full, new recordings refused (RET-5): " + plan.status.text;
  } else {
    quota_full_.erase(site);
  }
}

}  // namespace kronika::srs
