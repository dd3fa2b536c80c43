// Decide(): is this call recorded? (SCOPE-1, SCOPE-2, CONSENT-3)
//
// Called once per SIPREC INVITE (and again on a metadata update that changes the
// participants), before anything is written. Inputs are facts the SRS has already
// parsed: participant numbers from the RFC 7865 metadata, which of them placed the call,
// and the start instant. The answer says whether to record, why (an enum for metrics and
// a one-line text for logs and the SIP Warning header), and what to do otherwise.
//
// Rules, in the order they are applied (the first that refuses wins):
//  1. CONSENT-3: a participant on the site's do-not-record list -> not recorded.
//  2. SCOPE-1 class: internal = at least two known participants, all internal under the
//     number plan; everything else is external. An unknown number (anonymous caller,
//     missing metadata) is never internal: it cannot be shown to be an employee.
//  3. SCOPE-1 direction of external calls: caller internal -> outgoing; caller external
//     or anonymous while another participant is internal -> incoming; caller not known
//     (or no internal participant at all) -> unknown. An unknown direction is recorded
//     only when the site records both incoming and outgoing calls.
//  4. SCOPE-2 schedule: the start instant, in the site's zone, inside working hours and
//     not on a listed holiday.
//
// Threads: pure function, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/policy/schedule.h"
#include "kronika/policy/site_policy.h"

namespace kronika::policy {

struct CallFacts {
  // Participant numbers: E.164 ("+48523456789") or extension digits ("214"), as produced
  // by sdp::NormalizePhoneNumber or CanonicalNumber(); "" for an unknown participant.
  std::vector<std::string> participants;
  std::optional<size_t> caller_index;  // index into participants of the calling party
  int64_t start_ms_utc = 0;            // recording (call) start, ms since epoch UTC
};

enum class CallClass { kInternal, kExternal };
enum class Direction { kIncoming, kOutgoing, kInternal, kUnknown };

enum class DecisionReason {
  kInScope,              // record
  kDoNotRecord,          // CONSENT-3
  kInternalExcluded,     // SCOPE-1
  kIncomingExcluded,     // SCOPE-1
  kOutgoingExcluded,     // SCOPE-1
  kDirectionUnknown,     // SCOPE-1: external, direction unknown, site records only one way
  kOutsideWorkingHours,  // SCOPE-2 (before/after/between windows)
  kClosedDay,            // SCOPE-2 (a weekday without windows: weekend)
  kHoliday,              // SCOPE-2
};

struct Decision {
  bool record = false;
  DecisionReason reason = DecisionReason::kInScope;
  std::string
      text;  // one line, e.g. "policy: internal call not recorded at site bydgoszcz (SCOPE-1)"
  // What to do when !record (copied from the site policy).
  NotRecordedAction action_if_not = NotRecordedAction::kReject;
  int reject_status = 603;  // SIP status for kReject
  // What was established on the way (valid whatever the outcome).
  CallClass call_class = CallClass::kExternal;
  Direction direction = Direction::kUnknown;
  LocalTime local_start;  // start instant on the site's wall clock
};

// REQUIRES: policy from ValidateSitePolicy().
Decision Decide(const SitePolicy& policy, const CallFacts& facts);

// The class and direction alone (rules 2 and 3 above).
CallClass ClassifyCall(const NumberPlan& plan, const CallFacts& facts);
Direction DirectionOf(const NumberPlan& plan, const CallFacts& facts);

// The first participant on the do-not-record list, or nullopt. Participants are compared
// in canonical form (CanonicalNumber with the site's plan).
std::optional<std::string> DoNotRecordMatch(const SitePolicy& policy, const CallFacts& facts);

// Stable names for metrics labels and logs: "in-scope", "do-not-record",
// "internal-excluded", ...; "incoming", "outgoing", "internal", "unknown".
std::string_view DecisionReasonName(DecisionReason reason);
std::string_view DirectionName(Direction direction);

}  // namespace kronika::policy
