#include "kronika/policy/scope.h"

#include <algorithm>

namespace kronika::policy {
namespace {

std::string Canonical(const NumberPlan& plan, const std::string& n) {
  std::optional<std::string> c = CanonicalNumber(plan, n);
  return c ? *c : std::string();
}

bool IsInternal(const NumberPlan& plan, const std::string& n) {
  return IsInternalNumber(plan, Canonical(plan, n));
}

}  // namespace

CallClass ClassifyCall(const NumberPlan& plan, const CallFacts& facts) {
  if (facts.participants.size() < 2) return CallClass::kExternal;
  const bool all_internal = std::all_of(facts.participants.begin(), facts.participants.end(),
                                        [&](const std::string& n) { return IsInternal(plan, n); });
  return all_internal ? CallClass::kInternal : CallClass::kExternal;
}

Direction DirectionOf(const NumberPlan& plan, const CallFacts& facts) {
  if (ClassifyCall(plan, facts) == CallClass::kInternal) return Direction::kInternal;
  if (!facts.caller_index || *facts.caller_index >= facts.participants.size())
    return Direction::kUnknown;
  const size_t caller = *facts.caller_index;
  if (IsInternal(plan, facts.participants[caller])) return Direction::kOutgoing;
  for (size_t i = 0; i < facts.participants.size(); ++i) {
    if (i != caller && IsInternal(plan, facts.participants[i])) return Direction::kIncoming;
  }
  return Direction::kUnknown;  // nobody of the office takes part (e.g. external forwarding)
}

std::optional<std::string> DoNotRecordMatch(const SitePolicy& policy, const CallFacts& facts) {
  const std::vector<std::string>& list = policy.scope.do_not_record;  // sorted by validation
  for (const std::string& n : facts.participants) {
    const std::string c = Canonical(policy.numbers, n);
    if (!c.empty() && std::binary_search(list.begin(), list.end(), c)) return c;
  }
  return std::nullopt;
}

Decision Decide(const SitePolicy& policy, const CallFacts& facts) {
  Decision d;
  d.action_if_not = policy.scope.not_recorded_action;
  d.reject_status = policy.scope.reject_status;
  d.call_class = ClassifyCall(policy.numbers, facts);
  d.direction = DirectionOf(policy.numbers, facts);
  const ScheduleCheck schedule = CheckSchedule(policy.hours, policy.zone, facts.start_ms_utc);
  d.local_start = schedule.local;
  const std::string at = " at site " + policy.site_id;
  const std::string when = policy.zone.FormatHuman(facts.start_ms_utc);

  auto refuse = [&](DecisionReason reason, const std::string& text) {
    d.record = false;
    d.reason = reason;
    d.text = "policy: " + text + at;
    return d;
  };

  if (std::optional<std::string> match = DoNotRecordMatch(policy, facts)) {
    return refuse(DecisionReason::kDoNotRecord,
                  "participant " + *match + " is on the do-not-record list (CONSENT-3)");
  }
  const ScopePolicy& scope = policy.scope;
  switch (d.direction) {
    case Direction::kInternal:
      if (!scope.record_internal)
        return refuse(DecisionReason::kInternalExcluded, "internal call not recorded (SCOPE-1)");
      break;
    case Direction::kIncoming:
      if (!scope.record_incoming)
        return refuse(DecisionReason::kIncomingExcluded,
                      "incoming external call not recorded (SCOPE-1)");
      break;
    case Direction::kOutgoing:
      if (!scope.record_outgoing)
        return refuse(DecisionReason::kOutgoingExcluded,
                      "outgoing external call not recorded (SCOPE-1)");
      break;
    case Direction::kUnknown:
      if (!(scope.record_incoming && scope.record_outgoing)) {
        return refuse(DecisionReason::kDirectionUnknown,
                      "external call of unknown direction not recorded: site records one direction "
                      "only (SCOPE-1)");
      }
      break;
  }
  switch (schedule.verdict) {
    case ScheduleVerdict::kHoliday:
      return refuse(DecisionReason::kHoliday,
                    "call at " + when + " falls on a public holiday (SCOPE-2)");
    case ScheduleVerdict::kClosedDay:
      return refuse(DecisionReason::kClosedDay,
                    "call at " + when + " falls on a day without working hours (SCOPE-2)");
    case ScheduleVerdict::kOutsideWindow:
      return refuse(DecisionReason::kOutsideWorkingHours,
                    "call at " + when + " is outside working hours (SCOPE-2)");
    case ScheduleVerdict::kAlways:
    case ScheduleVerdict::kInWindow:
      break;
  }
  d.record = true;
  d.reason = DecisionReason::kInScope;
  d.text =
      "policy: " + std::string(DirectionName(d.direction)) + " call at " + when + " recorded" + at;
  return d;
}

std::string_view DecisionReasonName(DecisionReason reason) {
  switch (reason) {
    case DecisionReason::kInScope:
      return "in-scope";
    case DecisionReason::kDoNotRecord:
      return "do-not-record";
    case DecisionReason::kInternalExcluded:
      return "internal-excluded";
    case DecisionReason::kIncomingExcluded:
      return "incoming-excluded";
    case DecisionReason::kOutgoingExcluded:
      return "outgoing-excluded";
    case DecisionReason::kDirectionUnknown:
      return "direction-unknown";
    case DecisionReason::kOutsideWorkingHours:
      return "outside-working-hours";
    case DecisionReason::kClosedDay:
      return "closed-day";
    case DecisionReason::kHoliday:
      return "holiday";
  }
  return "unknown";
}

std::string_view DirectionName(Direction direction) {
  switch (direction) {
    case Direction::kIncoming:
      return "incoming";
    case Direction::kOutgoing:
      return "outgoing";
    case Direction::kInternal:
      return "internal";
    case Direction::kUnknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace kronika::policy
