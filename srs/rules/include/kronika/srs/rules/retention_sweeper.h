// RetentionSweeper (RET-3, RET-5): deletes recordings whose retention period ended and
// brings each site back under its storage quota, never touching a recording under legal
// hold (RET-2) or in progress.
//
// One sweep: 1) the clock guard of policy::PlanSweep (first site's tolerances) with the
// last completed sweep from the policy db and, in the daemon, the steady-clock time since
// it: a wall clock stepped back or ahead refuses the whole sweep (an NTP step never deletes
// early); 2) batches of Store::ExpiredBefore(now) planned by PlanSweep and carried out by
// ExecuteDeletions (holds re-checked in the logging transaction); 3) for each site with a
// quota, PlanQuota over that site's recordings (evict-oldest: evictions carried out;
// refuse-new: the on_quota callback tells the INVITE gate); 4) metrics.
// Expiries were fixed at recording start (RET-1); records without one (0) are kept.
//
// Threads: SweepOnce() from any thread; sweeps are serialised (the background thread and
// a sweep asked for over the admin socket never overlap). Start()/Stop() from the owner's
// thread. The background thread is "kr-sweeper": a pass that throws is logged, counted in
// kronika_thread_faults_total{thread="kr-sweeper"} and skipped; the next pass runs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "kronika/mutex.h"
#include "kronika/policy/quota.h"
#include "kronika/result.h"
#include "kronika/srs/config/site_config.h"
#include "kronika/srs/rules/deletions.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/rules/rules_metrics.h"
#include "kronika/srs/store/store.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs {

inline constexpr char kSweeperThreadName[] = "kr-sweeper";  // thread_boundary.h

struct SweepOptions {
  std::filesystem::path data_dir;
  bool overwrite = true;  // policy.overwrite_on_delete
  size_t batch = 1000;    // recordings planned and deleted per policy-db/store transaction
};

struct SweepReport {
  bool refused = false;
  std::string text;             // PlanSweep's line (why refused, or what it did)
  size_t deleted = 0;           // retention-expired
  size_t kept_on_hold = 0;      // expired but held
  size_t evicted = 0;           // quota-eviction
  std::vector<std::string> quota_texts;  // one line per site with a quota
};

class RetentionSweeper {
 public:
  // All borrowed; must outlive the sweeper. `metrics` may be null.
  using QuotaCallback = std::function<void(const std::string& site, const policy::QuotaPlan& plan)>;
  RetentionSweeper(Store* store, RulesDb* db, const SitePolicies* sites, RulesMetrics* metrics,
                   SweepOptions options, QuotaCallback on_quota = {});
  ~RetentionSweeper();  // Stop()

  // One sweep at `now_ms_utc`. `monotonic_since_last_ms`: steady-clock ms since the last
  // completed sweep of this process (nullopt: unknown, e.g. the CLI). Error only when the
  // store or the policy db fails; a refusal by the clock guard is a report with refused.
  Result<SweepReport> SweepOnce(int64_t now_ms_utc, std::optional<int64_t> monotonic_since_last_ms,
                                bool operator_confirmed = false);
  // The same, with the steady-clock time since this process's last completed sweep.
  Result<SweepReport> SweepNow(int64_t now_ms_utc, bool operator_confirmed = false);

  // Background thread: a sweep now and every `interval` (system clock for "now").
  void Start(std::chrono::milliseconds interval);
  void Stop();
  // RET-5: a sweep now rather than at the next interval (an evict-oldest site reached its
  // quota). Any thread, never blocks; wakes coalesce.
  void Wake();

 private:
  // Store legal_hold flags set from `holds`; returns how many held recordings are past expiry.
  Result<size_t> SyncHoldMirror(const policy::HoldSet& holds, int64_t now_ms_utc);
  Result<size_t> EnforceQuota(int64_t now_ms_utc, const policy::HoldSet& holds, SweepReport& report);
  void Loop(std::chrono::milliseconds interval) EXCLUDES(mu_, sweep_mu_);

  Store* store_;
  RulesDb* db_;
  const SitePolicies* sites_;
  RulesMetrics* metrics_;
  SweepOptions options_;
  QuotaCallback on_quota_;
  Mutex sweep_mu_;  // one SweepOnce() at a time
  std::optional<std::chrono::steady_clock::time_point> last_sweep_steady_ GUARDED_BY(sweep_mu_);

  Mutex mu_;
  CondVar cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool woken_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace kronika::srs
