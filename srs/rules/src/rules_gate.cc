#include "kronika/srs/rules/rules_gate.h"

#include <utility>

#include "kronika/policy/retention.h"
#include "kronika/policy/scope.h"
#include "kronika/sdp/metadata_clues.h"
#include "kronika/srs/core/log.h"

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

policy::ConsentClueReading ConsentCluesOf(const policy::ConsentPolicy& policy, const std::string& metadata_xml) {
  if (metadata_xml.empty()) return {};
  std::vector<std::string> names = policy.extension_elements;
  names.emplace_back(policy::kConsentClueName);
  Result<std::vector<sdp::MetadataClue>> found =
      sdp::FindMetadataClues(metadata_xml, names, policy::kConsentClueName, "basis");
  if (!found.ok()) return {};  // the session's parser accepted it; a damaged copy says nothing
  std::vector<policy::ConsentClue> clues;
  for (sdp::MetadataClue& c : *found) clues.push_back({std::move(c.name), std::move(c.value)});
  return policy::ConsentHintsFrom(policy, clues);
}

RulesGate::RulesGate(const SitePolicies* sites, std::string site_name, RulesDb* db, RulesMetrics* metrics,
                       const std::string& media_ip)
    : sites_(sites), site_name_(std::move(site_name)), media_ip_(media_ip), db_(db), metrics_(metrics) {
  if (const policy::SitePolicy* current = site()) OpenDiscardSocketFor(*current);
}

void RulesGate::OpenDiscardSocketFor(const policy::SitePolicy& site) {
  if (discard_ != nullptr || site.scope.not_recorded_action != policy::NotRecordedAction::kAnswerAndDrop) return;
  Result<std::unique_ptr<DiscardSocket>> discard = DiscardSocket::Open(media_ip_);
  if (discard.ok()) {
    discard_ = std::move(*discard);
    Logf(LogLevel::kInfo, "", "policy: site %s: calls out of scope are answered and dropped (discard port %u)",
         site.site_id.c_str(), static_cast<unsigned>(discard_->port()));
  } else {
    Logf(LogLevel::kWarn, "", "%s; calls out of scope are answered a=inactive", discard.error().message.c_str());
  }
}

AdmitDecision RulesGate::Admit(const RecordingRecord& snapshot) {
  sip_thread_.Check("RulesGate::Admit");
  AdmitDecision result;
  // One generation of the site policies for the whole decision (a SIGHUP may replace them).
  const policy::SitePolicy* const current = site();
  if (current == nullptr) return result;
  const policy::CallFacts facts = FactsOf(snapshot, current->numbers);
  auto refuse = [&](int status, std::string text, std::string_view reason, int retry_after_s) {
    if (metrics_) metrics_->OnDecision(false, reason);
    Logf(LogLevel::kInfo, "", "not recorded: Call-ID %s: %s", snapshot.sip_call_id.c_str(), text.c_str());
    result.action = AdmitDecision::Action::kRefuse;
    result.refusal.status = status;
    result.refusal.warning = std::move(text);
    result.refusal.reason_key = "policy";
    result.refusal.retry_after_s = retry_after_s;
    return result;
  };
  // Out of scope (SCOPE-1/2/5, CONSENT-3): the site's not_recorded action. The log line
  // carries the Call-ID and the rule only: Decide()'s texts never contain a number.
  auto not_recorded = [&](std::string text, std::string_view reason) {
    if (current->scope.not_recorded_action == policy::NotRecordedAction::kReject) {
      return refuse(current->scope.reject_status, std::move(text), reason, 0);
    }
    if (metrics_) metrics_->OnDecision(false, reason);
    Logf(LogLevel::kInfo, "", "not recorded (answered, media dropped): Call-ID %s: %s", snapshot.sip_call_id.c_str(),
         text.c_str());
    result.action = AdmitDecision::Action::kAnswerAndDrop;
    OpenDiscardSocketFor(*current);
    result.discard_port = discard_ ? discard_->port() : 0;
    return result;
  };
  if (db_ != nullptr) {
    // One snapshot for the whole decision; no LMDB on the SIP thread (issue 13 item 4).
    const std::shared_ptr<const DnrSnapshot> dnr = db_->DoNotRecordSnapshot();
    for (const std::string& number : facts.participants) {
      if (number.empty()) continue;
      if (dnr->Contains(number)) {
        return not_recorded("policy: a participant is on the do-not-record list at site " + current->site_id +
                                " (CONSENT-3)",
                            policy::DecisionReasonName(policy::DecisionReason::kDoNotRecord));
      }
    }
  }
  const policy::Decision decision = policy::Decide(*current, facts);
  if (!decision.record) return not_recorded(decision.text, policy::DecisionReasonName(decision.reason));
  policy::QuotaAdmission quota;
  {
    MutexLock lock(mu_);
    quota = usage_.Admit(current->quota, current->site_id);
  }
  if (!quota.admit) {  // RET-5, before any RTP port is taken
    return refuse(current->quota.refuse_status, quota.text, "quota-full", current->quota.retry_after_s);
  }
  if (metrics_) metrics_->OnDecision(true, policy::DecisionReasonName(decision.reason));
  return result;
}

void RulesGate::Stamp(RecordingRecord& record) {
  sip_thread_.Check("RulesGate::Stamp");
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
    // CONSENT-1: the first metadata that carries a hint decides for the whole recording
    // (a later partial update without it changes nothing); until then the site default.
    auto known = consent_by_id_.find(record.recording_id);
    if (known == consent_by_id_.end()) {
      const policy::ConsentClueReading clues = ConsentCluesOf(site->consent, record.metadata_xml_last);
      const policy::ConsentAssessment consent = policy::AssessConsent(*site, direction, clues.hints);
      TimelineEvent event{record.start_ms_utc, "consent",
                          std::string(policy::ConsentBasisName(consent.basis)) + " (" +
                              std::string(policy::ConsentSourceName(consent.source)) + ", " +
                              std::string(policy::DirectionName(direction)) + "): " + consent.text +
                              (clues.evidence.empty() ? "" : " [metadata " + clues.evidence + "]")};
      if (consent.source != policy::ConsentSource::kSrcMetadata) {
        record.timeline.insert(record.timeline.begin(), std::move(event));
      } else {
        known = consent_by_id_.emplace(record.recording_id, std::move(event)).first;
      }
    }
    if (known != consent_by_id_.end()) record.timeline.insert(record.timeline.begin(), known->second);
  }
  if (record.state != RecordingState::kActive) {
    consent_by_id_.erase(record.recording_id);
    if (record.file_bytes > 0) {  // RET-5: the finished file counts against the site's quota
      policy::QuotaChange change;
      {
        MutexLock lock(mu_);
        change = usage_.Add(site->quota, site->site_id, record.file_bytes);
      }
      Publish(*site, change);
    }
  }
}

void RulesGate::SetQuotaPlan(const std::string& site, const policy::QuotaPlan& plan) {
  const policy::SitePolicy* s = sites_->Find(site);
  if (s == nullptr) return;
  MutexLock lock(mu_);
  usage_.Resync(s->quota, site, plan.evictions.empty() ? plan.status.used_bytes : plan.used_after_bytes);
}

void RulesGate::OnDeleted(const std::string& site, uint64_t file_bytes) {
  const policy::SitePolicy* s = sites_->ForRecording(site);
  if (s == nullptr) return;
  policy::QuotaChange change;
  {
    MutexLock lock(mu_);
    change = usage_.Remove(s->quota, s->site_id, file_bytes);
  }
  Publish(*s, change);
}

uint64_t RulesGate::UsedBytes(const std::string& site) {
  MutexLock lock(mu_);
  return usage_.Used(site);
}

void RulesGate::Publish(const policy::SitePolicy& site, const policy::QuotaChange& change) {
  if (site.quota.limit_mib == 0) return;
  const bool alert =
      change.status.level == policy::QuotaLevel::kWarning || change.status.level == policy::QuotaLevel::kFull;
  if (metrics_) {
    metrics_->SetQuota(site.site_id, static_cast<double>(change.status.used_bytes),
                       static_cast<double>(change.status.limit_bytes), alert);
  }
  if (change.level_changed && alert) {
    Logf(LogLevel::kWarn, "", "site %s: %s", site.site_id.c_str(), change.status.text.c_str());
  }
  if (change.crossed_limit && site.quota.at_limit == policy::QuotaAction::kEvictOldest && evict_waker_) {
    evict_waker_();  // RET-5: evict the oldest recordings not on hold now, not at the next sweep
  }
}

}  // namespace kronika::srs
