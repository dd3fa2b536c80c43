// QuotaUsage: the per-site figure of stored bytes between sweeps, so that the storage quota
// (RET-5) is applied at every INVITE rather than only at the periodic sweep.
//
// The daemon adds a recording's size when it finishes, subtracts it when the daemon
// deletes one, and replaces the figure with the store's own sum at each sweep (which also
// catches what another process - the CLI - deleted, and anything the running figure
// missed). Admit() then decides a new INVITE from the figure alone, without reading the
// store: refuse-new sites at or above the limit are refused; evict-oldest sites are always
// admitted, and Add() reports when a finished recording carried usage across the limit so
// that the caller wakes the sweeper to evict at once.
//
// Threads: a plain value; the caller serialises access (srs PolicyGate holds a mutex).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "kronika/policy/quota.h"
#include "kronika/policy/site_policy.h"

namespace kronika::policy {

struct QuotaAdmission {
  bool admit = true;
  QuotaStatus status;  // of the current figure
  std::string text;    // refusal: "quota: 100% of 10 MiB used (warning at 90%) (RET-5); new recordings refused ..."
};

struct QuotaChange {
  QuotaStatus status;          // after the change
  bool crossed_limit = false;  // the change took usage from below the limit to at/above it
  bool level_changed = false;  // status.level differs from before (for alerts and metrics)
};

class QuotaUsage {
 public:
  // Sweep: the store's sum for `site` (replaces the running figure).
  QuotaChange Resync(const QuotaPolicy& quota, std::string_view site, uint64_t bytes);
  // A recording of `site` finished with `bytes` on disk.
  QuotaChange Add(const QuotaPolicy& quota, std::string_view site, uint64_t bytes);
  // A recording of `site` with `bytes` was deleted (never below 0).
  QuotaChange Remove(const QuotaPolicy& quota, std::string_view site, uint64_t bytes);

  uint64_t Used(std::string_view site) const;
  // May a new recording of `site` start? Only refuse-new sites at or above the limit say no.
  QuotaAdmission Admit(const QuotaPolicy& quota, std::string_view site) const;

 private:
  QuotaChange Set(const QuotaPolicy& quota, std::string_view site, uint64_t bytes);
  std::map<std::string, uint64_t, std::less<>> used_;
};

}  // namespace kronika::policy
