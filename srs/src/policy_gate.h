// PolicyGate: the recording policy at the SIPREC INVITE and on every store snapshot
// (SCOPE-1, SCOPE-2, CONSENT-1..3, RET-1, RET-5).
//
// Admit(): once per initial INVITE, after the metadata is parsed and before anything is
// answered. Checks, in order: the do-not-record list in the policy db (CONSENT-3; one LMDB
// read transaction per participant, about a microsecond each, no lock shared with the
// writers), policy::Decide() with the site's rules (do_not_record of the site file, call
// class and direction, working hours in the site's zone), and a quota the last sweep found
// full under at_limit = "refuse-new" (RET-5). A refusal is a SipReply with the site's
// reject_status (default 603) or 503 for the quota, and a Warning line naming the rule;
// it is counted in kronika_policy_decisions_total. Participant 0 of the RFC 7865
// metadata is taken as the caller (what the SBCs of the interop corpus send first).
// not_recorded = "answer-and-drop" is not supported by the SIP layer yet: such sites are
// answered with reject_status too (logged once at start).
//
// Stamp(): on every snapshot before Store::Enqueue: fills retention_expiry_ms_utc from the
// start instant and the site's months (RET-1; deterministic, so every snapshot of a
// recording carries the same expiry), adds a "consent" timeline event with the basis and
// its source (CONSENT-1/2), and marks the DTMF event of the site's information-clause key
// (CONSENT-2).
//
// Threads: Admit()/Stamp() on the SIP thread; SetQuotaPlan() from the sweeper thread.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "kronika/policy/quota.h"
#include "kronika/policy/scope.h"
#include "kronika/srs/recording_record.h"
#include "policy_db.h"
#include "policy_metrics.h"
#include "session_manager.h"
#include "site_config.h"

namespace kronika::srs {

class PolicyGate {
 public:
  // All borrowed. `site_name`: config site.name (the site of new calls). `db`, `metrics`
  // may be null.
  PolicyGate(const SitePolicies* sites, std::string site_name, PolicyDb* db, PolicyMetrics* metrics);

  std::optional<SipReply> Admit(const RecordingRecord& snapshot);
  void Stamp(RecordingRecord& record) const;
  void SetQuotaPlan(const std::string& site, const policy::QuotaPlan& plan);

  // The policy governing new calls; nullptr when no site is configured.
  const policy::SitePolicy* site() const { return site_; }

 private:
  const SitePolicies* sites_;
  const policy::SitePolicy* site_;
  PolicyDb* db_;
  PolicyMetrics* metrics_;
  std::mutex mu_;
  std::map<std::string, std::string> quota_full_;  // site -> text, refuse-new sites at the limit; mu_
};

// The policy's call facts from a snapshot (numbers canonical under `plan`).
policy::CallFacts FactsOf(const RecordingRecord& snapshot, const policy::NumberPlan& plan);

}  // namespace kronika::srs
