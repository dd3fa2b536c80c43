// SitePolicy: everything the recording rules of one office say, as one plain struct.
//
// The daemon's config loader (srs/, toml++) fills a SitePolicy from a site file such as
// config/sites/bydgoszcz.toml (the TOML keys are given beside each field) and calls
// ValidateSitePolicy() once at start. Every other function of this module REQUIRES a
// policy that came out of ValidateSitePolicy(): numbers canonical, lists sorted, the time
// zone parsed. Defaults are the strictest common ground of the five regulations in
// shared/regulations (see docs/compliance.md): external calls both ways, no internal
// calls, 24/7, 3 months.
//
// Threads: a plain value; build once, then share read-only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/policy/number_plan.h"
#include "kronika/policy/schedule.h"
#include "kronika/policy/time_zone.h"
#include "kronika/result.h"

namespace kronika::policy {

// What the SRS does with a recording session the policy says not to record (SCOPE-4: it
// answers fast or refuses fast, and the call itself never depends on it).
enum class NotRecordedAction {
  kReject,         // answer the SIPREC INVITE with reject_status (default 603 Decline: a
                   // 6xx tells the SRC not to retry another SRS, which would decide alike)
  kAnswerAndDrop,  // 200 OK, receive nothing into storage (for SRCs that alarm on rejects)
};

// The consent basis a recording relies on (CONSENT-1, CONSENT-2).
enum class ConsentBasis {
  kAnnouncementPlayed,  // "announcement": the caller heard the recorded message
  kEmployeeStatement,   // "employee-statement": the employee said the call is recorded
  kUnknown,             // "unknown": nothing known
};

// What happens when the storage quota is reached (RET-5).
enum class QuotaAction {
  kEvictOldest,  // "evict-oldest": delete the oldest recordings not on hold to make room
  kRefuseNew,    // "refuse-new": keep everything, do not record new calls
};

struct ScopePolicy {             // [scope]
  bool record_incoming = true;   // incoming  (SCOPE-1)
  bool record_outgoing = true;   // outgoing  (SCOPE-1)
  bool record_internal = false;  // internal  (SCOPE-1; Bolesławiec: true)
  NotRecordedAction not_recorded_action = NotRecordedAction::kReject;  // not_recorded
  int reject_status = 603;                 // reject_status, SIP 400..699
  std::vector<std::string> do_not_record;  // do_not_record: numbers (CONSENT-3)
};

struct ConsentPolicy {                                        // [consent]
  ConsentBasis incoming = ConsentBasis::kAnnouncementPlayed;  // incoming
  ConsentBasis outgoing = ConsentBasis::kEmployeeStatement;   // outgoing
  ConsentBasis internal = ConsentBasis::kUnknown;             // internal
  std::string info_clause_dtmf;  // info_clause_dtmf: "" or one of 0-9 * # A-D (Bolesławiec "*")
  // CONSENT-1 hints in RFC 7865 extension data (consent.h ConsentHintsFrom): besides the
  // vendor-neutral `consent` element / attribute, these element local names (any
  // namespace, ASCII case ignored), e.g. ["announcementPlayed"] - extension_elements.
  std::vector<std::string> extension_elements;
  // Their values (trimmed, compared case-insensitively, stored lower-case) -> "announcement",
  // "employee-statement", "none" or "unknown" - extension_values, a TOML inline table
  // such as { "true" = "announcement", "false" = "none" }.
  std::map<std::string, std::string> extension_values;
};

struct RetentionPolicy {              // [retention]
  int months = 3;                     // months: 1..120, calendar months from the day of recording
  int64_t sweep_max_gap_hours = 168;  // sweep_max_gap_hours: wall-clock step the sweeper
                                      // accepts without monotonic proof, 1..8760
  int64_t sweep_clock_tolerance_s = 600;  // sweep_clock_tolerance_s: allowed disagreement
                                          // between clocks, 1..86400
};

struct QuotaPolicy {       // [quota]
  uint64_t limit_mib = 0;  // limit_mib: storage for recordings in MiB; 0 = no quota
  int warn_percent = 90;   // warn_percent: alert at this share of the limit, 1..100
  QuotaAction at_limit = QuotaAction::kEvictOldest;  // at_limit
  int refuse_status = 503;  // refuse_status: SIP 4xx-6xx for INVITEs refused at the limit (refuse-new)
  int retry_after_s = 300;  // retry_after_s: Retry-After of that refusal, 0 = none, 0..86400
};

struct SitePolicy {
  std::string site_id;                                            // [site] id: [a-z0-9_-]{1,32}
  std::string time_zone_rule = std::string(kEuropeWarsawTzRule);  // [site] time_zone
  NumberPlan numbers;                                             // [numbers]
  WorkingHours hours;  // [hours]: always, mon..sun, holidays
  ScopePolicy scope;
  ConsentPolicy consent;
  RetentionPolicy retention;
  QuotaPolicy quota;

  // Derived by ValidateSitePolicy() from time_zone_rule; callers do not set it.
  TimeZone zone;
};

// Checks every field and returns the policy canonicalised (numbers in canonical form,
// windows and holidays sorted, zone parsed). The first problem is returned as an error
// "policy: <section.key>: <what is wrong>", e.g.
// "policy: retention.months: 0 not in 1..120".
Result<SitePolicy> ValidateSitePolicy(SitePolicy policy);

// Stable config spellings of the enums, and their inverses (nullopt for anything else).
std::string_view NotRecordedActionName(NotRecordedAction action);  // "reject", "answer-and-drop"
std::string_view ConsentBasisName(
    ConsentBasis basis);  // "announcement", "employee-statement", "unknown"
std::string_view QuotaActionName(QuotaAction action);  // "evict-oldest", "refuse-new"
std::optional<NotRecordedAction> ParseNotRecordedAction(std::string_view name);
std::optional<ConsentBasis> ParseConsentBasis(std::string_view name);
std::optional<QuotaAction> ParseQuotaAction(std::string_view name);

}  // namespace kronika::policy
