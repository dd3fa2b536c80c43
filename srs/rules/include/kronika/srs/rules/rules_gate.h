// RulesGate: the recording policy at the SIPREC INVITE and on every store snapshot
// (SCOPE-1, SCOPE-2, SCOPE-5, CONSENT-1..3, RET-1, RET-5).
//
// Admit(): once per initial INVITE, after the metadata is parsed and before anything is
// answered or any RTP port is taken. Checks, in order: the do-not-record list (CONSENT-3;
// RulesDb's in-memory snapshot, dnr_snapshot.h: one hash lookup per participant, no LMDB
// and no other I/O on the SIP thread; a DNR write through the daemon is in it before the
// write returns), policy::Decide() with the site's rules (do_not_record of
// the site file, call class and direction, working hours in the site's zone), and the
// site's storage figure against its quota (RET-5, QuotaUsage: a mutex-guarded number, no
// store read). A call out of scope gets the site's not_recorded action - reject with
// reject_status, or answer-and-drop: 200 OK on the DiscardSocket's port, nothing stored
// (discard_socket.h) - and a refuse-new site at its limit gets quota.refuse_status with
// Retry-After and a Warning. Every decision is counted in kronika_policy_decisions_total
// by decision and reason, and a not-recorded call is logged with its Call-ID and the rule,
// never with a participant's number. Participant 0 of the RFC 7865 metadata is taken as
// the caller (what the SBCs of the interop corpus send first).
//
// Stamp(): on every snapshot before Store::Enqueue: fills retention_expiry_ms_utc from the
// start instant and the site's months (RET-1; deterministic, so every snapshot of a
// recording carries the same expiry), adds a "consent" timeline event with the basis and
// its source (CONSENT-1/2: hints read from the INVITE's metadata extension data, else the
// site default), marks the DTMF event of the site's information-clause key (CONSENT-2),
// and adds a finished recording's bytes to its site's usage (RET-5; an evict-oldest site
// crossing its limit wakes the sweeper through the evict waker).
//
// Threads: Admit()/Stamp() on the SIP thread; SetQuotaPlan()/OnDeleted() from the
// sweeper or HTTP threads.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "kronika/mutex.h"
#include "kronika/policy/consent.h"
#include "kronika/policy/quota.h"
#include "kronika/policy/quota_usage.h"
#include "kronika/policy/scope.h"
#include "kronika/srs/config/site_config.h"
#include "kronika/srs/core/recording_record.h"
#include "kronika/srs/rules/discard_socket.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/rules/rules_metrics.h"
#include "kronika/srs/session/session_manager.h"
#include "kronika/thread_annotations.h"
#include "kronika/thread_role.h"

namespace kronika::srs {

class RulesGate {
 public:
  // All borrowed. `site_name`: config site.name (the site of new calls). `db`, `metrics`
  // may be null; `db` gives the do-not-record snapshot (RulesDb::DoNotRecordSnapshot). `media_ip`: the address our SDP advertises (media.bind_ip); the discard
  // socket of answer-and-drop is bound there when the site uses that action.
  RulesGate(const SitePolicies* sites, std::string site_name, RulesDb* db, RulesMetrics* metrics,
             const std::string& media_ip = "");

  AdmitDecision Admit(const RecordingRecord& snapshot);
  void Stamp(RecordingRecord& record);

  // RET-5 usage figure: the sweep's plan for `site` re-syncs it (used bytes after any
  // eviction); OnDeleted() subtracts a recording the daemon deleted outside the sweep.
  void SetQuotaPlan(const std::string& site, const policy::QuotaPlan& plan);
  void OnDeleted(const std::string& site, uint64_t file_bytes);
  // Called (any thread, must not block) when a finished recording takes an evict-oldest
  // site to its limit: the daemon wakes the sweeper.
  void SetEvictWaker(std::function<void()> wake) { evict_waker_ = std::move(wake); }
  uint64_t UsedBytes(const std::string& site);

  // The policy governing new calls, as last (re)loaded; nullptr when no site is configured.
  const policy::SitePolicy* site() const { return sites_->ForRecording(site_name_); }

 private:
  void Publish(const policy::SitePolicy& site, const policy::QuotaChange& change);
  // Binds the discard socket the first time a site answers and drops (at start, or after a
  // reload switched the site to that action). SIP thread.
  void OpenDiscardSocketFor(const policy::SitePolicy& site);

  const SitePolicies* sites_;
  const std::string site_name_;
  const std::string media_ip_;
  RulesDb* db_;
  RulesMetrics* metrics_;
  std::unique_ptr<DiscardSocket> discard_;
  std::function<void()> evict_waker_;
  // CONSENT-1: the consent event of recordings whose metadata carried a hint, until their
  // final snapshot (SIP thread only, like Stamp()).
  std::unordered_map<std::string, TimelineEvent> consent_by_id_;
  ThreadRole sip_thread_{"the SIP thread's RulesGate"};  // Admit, Stamp
  Mutex mu_;
  policy::QuotaUsage usage_ GUARDED_BY(mu_);
};

// The policy's call facts from a snapshot (numbers canonical under `plan`).
policy::CallFacts FactsOf(const RecordingRecord& snapshot, const policy::NumberPlan& plan);

// CONSENT-1: what the SRC's metadata says about consent under `policy` (consent.h).
policy::ConsentClueReading ConsentCluesOf(const policy::ConsentPolicy& policy, const std::string& metadata_xml);

}  // namespace kronika::srs
