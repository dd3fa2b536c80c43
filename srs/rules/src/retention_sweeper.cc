#include "kronika/srs/rules/retention_sweeper.h"

#include <map>
#include <unordered_map>
#include <unordered_set>

#include "kronika/policy/retention.h"
#include "kronika/srs/core/log.h"
#include "kronika/thread_boundary.h"

namespace kronika::srs {

RetentionSweeper::RetentionSweeper(Store* store, RulesDb* db, const SitePolicies* sites, RulesMetrics* metrics,
                                   SweepOptions options, QuotaCallback on_quota)
    : store_(store), db_(db), sites_(sites), metrics_(metrics), options_(std::move(options)),
      on_quota_(std::move(on_quota)) {}

RetentionSweeper::~RetentionSweeper() { Stop(); }

Result<SweepReport> RetentionSweeper::SweepNow(int64_t now_ms_utc, bool operator_confirmed) {
  std::optional<int64_t> mono;
  {
    MutexLock lock(sweep_mu_);
    if (last_sweep_steady_) {
      mono = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                   *last_sweep_steady_)
                 .count();
    }
  }
  return SweepOnce(now_ms_utc, mono, operator_confirmed);
}

Result<SweepReport> RetentionSweeper::SweepOnce(int64_t now_ms_utc, std::optional<int64_t> monotonic_since_last_ms,
                                                bool operator_confirmed) {
  MutexLock sweeping(sweep_mu_);
  SweepReport report;
  if (sites_->empty()) {
    report.text = "retention: no site policy configured, nothing is deleted";
    return report;
  }
  const policy::SitePolicy& clock_policy = sites_->all().front();
  size_t unreadable_acts = 0;
  Result<policy::HoldSet> holds = db_->LoadHolds(&unreadable_acts);
  if (!holds.ok()) {
    if (metrics_) metrics_->OnSweep("failed");
    return holds.error();
  }
  if (unreadable_acts > 0) {
    // RET-2: an act that cannot be read may be a hold; deleting on this hold set could
    // delete a held recording. Refused (visibly, every sweep) until the log is repaired.
    report.refused = true;
    report.text = "retention: the legal hold log has " + std::to_string(unreadable_acts) +
                  " unreadable act(s) (see the log); no recording is deleted until it is repaired (RET-2)";
    Logf(LogLevel::kError, "", "%s", report.text.c_str());
    if (metrics_) metrics_->OnSweep("refused");
    return report;
  }
  std::unordered_set<std::string> held;
  for (const policy::Hold& h : holds->History()) {
    if (holds->IsHeld(h.recording_id)) held.insert(h.recording_id);
  }
  if (metrics_) metrics_->SetHeldRecordings(static_cast<double>(held.size()));
  // RET-2: the policy db decides; the store's legal_hold flag only mirrors it (and keeps
  // held ids out of ExpiredBefore). Repair the mirror of every recording a hold ever
  // touched, so that a stale flag can neither hide an expired recording after its lift nor
  // let one through; held recordings past their expiry are reported as kept.
  Result<size_t> kept_expired = SyncHoldMirror(*holds, now_ms_utc);
  if (!kept_expired.ok()) {
    if (metrics_) metrics_->OnSweep("failed");
    return kept_expired.error();
  }
  report.kept_on_hold += *kept_expired;

  policy::SweepClock clock;
  clock.now_ms_utc = now_ms_utc;
  clock.last_sweep_ms_utc = db_->LastSweep();
  clock.monotonic_since_last_sweep_ms = clock.last_sweep_ms_utc ? monotonic_since_last_ms : std::nullopt;
  clock.operator_confirmed = operator_confirmed;

  // The newest recording start is a trusted instant for the clock guard (PlanSweep): a call
  // recorded a minute ago proves the wall clock is not far behind. Passed as an entry that
  // is never deletable (in progress, no id in `records`).
  std::optional<policy::RecordingInfo> newest;
  {
    RecordingQuery q;
    q.limit = 1;
    q.newest_first = true;
    Result<std::vector<RecordingRecord>> rows = store_->Query(q);
    if (rows.ok() && !rows->empty()) {
      newest = policy::RecordingInfo{};
      newest->id = "\x01newest-start";
      newest->start_ms_utc = rows->front().start_ms_utc;
      newest->in_progress = true;
    }
  }
  const DeleteOptions delete_options{options_.data_dir, options_.overwrite, true};
  std::unordered_set<std::string> skipped;  // held or in progress: stay in ExpiredBefore
  bool first = true;
  for (;;) {
    Result<std::vector<std::string>> ids = store_->ExpiredBefore(now_ms_utc, options_.batch + skipped.size());
    if (!ids.ok()) {
      if (metrics_) metrics_->OnSweep("failed");
      return ids.error();
    }
    std::vector<policy::RecordingInfo> infos;
    std::unordered_map<std::string, RecordingRecord> records;
    for (const std::string& id : *ids) {
      if (skipped.count(id) != 0) continue;
      Result<std::optional<RecordingRecord>> r = store_->Get(id);
      if (!r.ok() && r.error().code == ErrorCode::kCorrupt) {  // reported by the store; kept
        skipped.insert(id);
        continue;
      }
      if (!r.ok()) return r.error();
      if (!r->has_value()) continue;
      const policy::SitePolicy* site = sites_->ForRecording((*r)->site);
      infos.push_back(InfoOf(**r, site != nullptr ? &site->numbers : nullptr));
      records.emplace(id, std::move(**r));
    }
    if (newest) infos.push_back(*newest);
    policy::SweepPlan plan = policy::PlanSweep(clock_policy, infos, *holds, clock);
    if (first) report.text = plan.text;
    first = false;
    if (plan.refused) {
      report.refused = true;
      report.text = plan.text;
      Logf(LogLevel::kWarn, "", "%s", plan.text.c_str());
      if (metrics_) metrics_->OnSweep("refused");
      return report;
    }
    for (const policy::KeptRecording& k : plan.kept_on_hold) skipped.insert(k.recording_id);
    for (const policy::RecordingInfo& info : infos) {
      if (info.in_progress) skipped.insert(info.id);
    }
    report.kept_on_hold += plan.kept_on_hold.size();
    if (plan.deletions.empty()) break;
    Result<DeleteOutcome> done = ExecuteDeletions(*store_, *db_, plan.deletions, records, delete_options, now_ms_utc);
    if (!done.ok()) {
      if (metrics_) metrics_->OnSweep("failed");
      return done.error();
    }
    for (const policy::KeptRecording& k : done->kept) skipped.insert(k.recording_id);
    report.kept_on_hold += done->kept.size();
    report.deleted += done->deleted.size();
    if (metrics_) metrics_->OnDeletion(policy::DeletionCauseName(policy::DeletionCause::kRetentionExpired),
                                       static_cast<double>(done->deleted.size()));
    for (const std::string& e : done->file_errors) Logf(LogLevel::kWarn, "", "retention: %s", e.c_str());
  }

  Result<size_t> evicted = EnforceQuota(now_ms_utc, *holds, report);
  if (!evicted.ok()) {
    if (metrics_) metrics_->OnSweep("failed");
    return evicted.error();
  }
  report.evicted = *evicted;
  if (Status s = db_->SetLastSweep(now_ms_utc); !s.ok()) return s.error();
  last_sweep_steady_ = std::chrono::steady_clock::now();
  if (metrics_) metrics_->OnSweep("completed");
  if (report.deleted > 0 || report.evicted > 0) {
    Logf(LogLevel::kInfo, "", "retention sweep: %zu expired deleted, %zu kept on hold, %zu evicted (quota)",
         report.deleted, report.kept_on_hold, report.evicted);
  }
  return report;
}

Result<size_t> RetentionSweeper::SyncHoldMirror(const policy::HoldSet& holds, int64_t now_ms_utc) {
  std::unordered_set<std::string> seen;
  size_t kept_expired = 0;
  size_t rewritten = 0;
  for (const policy::Hold& h : holds.History()) {
    if (!seen.insert(h.recording_id).second) continue;
    Result<std::optional<RecordingRecord>> r = store_->Get(h.recording_id);
    if (!r.ok() && r.error().code == ErrorCode::kCorrupt) continue;  // reported by the store
    if (!r.ok()) return r.error();
    if (!r->has_value()) continue;
    const bool is_held = holds.IsHeld(h.recording_id);
    if (is_held && (*r)->retention_expiry_ms_utc != 0 && (*r)->retention_expiry_ms_utc <= now_ms_utc) ++kept_expired;
    if ((*r)->state == RecordingState::kActive || (*r)->legal_hold == is_held) continue;
    RecordingRecord record = std::move(**r);
    record.legal_hold = is_held;
    if (!store_->Enqueue(std::move(record))) return MakeError(ErrorCode::kUnavailable, "store: legal_hold mirror update not queued");
    ++rewritten;
  }
  if (rewritten > 0) {
    if (Status s = store_->Flush(std::chrono::seconds(60)); !s.ok()) return s.error();
    Logf(LogLevel::kInfo, "", "retention: legal_hold flag of %zu recording(s) re-synced from the policy db (RET-2)",
         rewritten);
  }
  return kept_expired;
}

Result<size_t> RetentionSweeper::EnforceQuota(int64_t now_ms_utc, const policy::HoldSet& holds, SweepReport& report) {
  bool any_quota = false;
  for (const policy::SitePolicy& s : sites_->all()) any_quota = any_quota || s.quota.limit_mib > 0;
  if (!any_quota) {
    for (const policy::SitePolicy& s : sites_->all()) {
      if (metrics_) metrics_->SetQuota(s.site_id, 0, 0, false);
    }
    return size_t{0};
  }
  RecordingQuery all;
  all.limit = 0;
  Result<std::vector<RecordingRecord>> rows = store_->Query(all);
  if (!rows.ok()) return rows.error();
  std::map<std::string, std::vector<policy::RecordingInfo>> by_site;
  std::unordered_map<std::string, RecordingRecord> records;
  for (RecordingRecord& r : *rows) {
    const policy::SitePolicy* site = sites_->ForRecording(r.site);
    if (site == nullptr) continue;
    by_site[site->site_id].push_back(InfoOf(r, &site->numbers));
    records.emplace(r.recording_id, std::move(r));
  }
  size_t evicted = 0;
  for (const policy::SitePolicy& site : sites_->all()) {
    policy::QuotaPlan plan = policy::PlanQuota(site.quota, by_site[site.site_id], holds, 0, now_ms_utc);
    report.quota_texts.push_back(site.site_id + ": " + plan.text);
    if (!plan.evictions.empty()) {
      Result<DeleteOutcome> done = ExecuteDeletions(*store_, *db_, plan.evictions, records,
                                                    DeleteOptions{options_.data_dir, options_.overwrite, true},
                                                    now_ms_utc);
      if (!done.ok()) return done.error();
      evicted += done->deleted.size();
      if (metrics_) metrics_->OnDeletion(policy::DeletionCauseName(policy::DeletionCause::kQuotaEviction),
                                         static_cast<double>(done->deleted.size()));
    }
    const uint64_t used = plan.evictions.empty() ? plan.status.used_bytes : plan.used_after_bytes;
    if (metrics_) {
      metrics_->SetQuota(site.site_id, static_cast<double>(used), static_cast<double>(plan.status.limit_bytes),
                         plan.status.level == policy::QuotaLevel::kWarning || plan.status.level == policy::QuotaLevel::kFull);
    }
    if (plan.status.level == policy::QuotaLevel::kWarning || plan.status.level == policy::QuotaLevel::kFull) {
      Logf(LogLevel::kWarn, "", "%s", plan.status.text.c_str());
    }
    if (on_quota_) on_quota_(site.site_id, plan);
  }
  return evicted;
}

void RetentionSweeper::Start(std::chrono::milliseconds interval) {
  MutexLock lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, interval] {
    NameCurrentThread(kSweeperThreadName);
    Loop(interval);
  });
}

void RetentionSweeper::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void RetentionSweeper::Wake() {
  {
    MutexLock lock(mu_);
    woken_ = true;
  }
  cv_.SignalAll();
}

void RetentionSweeper::Loop(std::chrono::milliseconds interval) {
  for (;;) {
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    // The boundary (issue 13 item 4): a pass that throws stops where it was (what it
    // already deleted is logged as deleted) and the next pass starts over as usual.
    RunGuarded(kSweeperThreadName, FaultEffect::kRecovered, [&] {
      Result<SweepReport> report = SweepNow(now);
      if (!report.ok()) Logf(LogLevel::kError, "", "retention sweep failed: %s", report.error().message.c_str());
    });
    MutexLock lock(mu_);
    cv_.WaitFor(mu_, interval, [this]() REQUIRES(mu_) { return stopping_ || woken_; });
    if (stopping_) return;
    woken_ = false;
  }
}

}  // namespace kronika::srs
