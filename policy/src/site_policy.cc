#include "kronika/policy/site_policy.h"

#include <algorithm>

#include "kronika/policy/consent.h"

namespace kronika::policy {
namespace {

constexpr int kMaxRetentionMonths = 120;
constexpr int64_t kMaxSweepGapHours = 8760;
constexpr int64_t kMaxClockToleranceS = 86400;
constexpr size_t kMaxSiteIdLength = 32;

Error Problem(const std::string& field, const std::string& what) {
  return MakeError(ErrorCode::kInvalidInput, "policy: " + field + ": " + what);
}

Error Prefixed(const Error& inner) {
  return MakeError(inner.code, "policy: " + inner.message);
}

bool IsDtmfSymbol(const std::string& s) {
  return s.size() == 1 && std::string_view("0123456789*#ABCD").find(s[0]) != std::string_view::npos;
}

}  // namespace

Result<SitePolicy> ValidateSitePolicy(SitePolicy p) {
  if (p.site_id.empty() || p.site_id.size() > kMaxSiteIdLength ||
      !std::all_of(p.site_id.begin(), p.site_id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      })) {
    return Problem("site.id", "\"" + p.site_id + "\" is not 1..32 of [a-z0-9_-]");
  }
  Result<TimeZone> zone = TimeZone::Parse(p.time_zone_rule);
  if (!zone.ok()) return Problem("site.time_zone", zone.error().message);
  p.zone = std::move(zone).value();

  if (Status s = NormalizeNumberPlan(p.numbers, "numbers"); !s.ok()) return Prefixed(s.error());
  if (Status s = NormalizeWorkingHours(p.hours, "hours"); !s.ok()) return Prefixed(s.error());

  if (p.scope.reject_status < 400 || p.scope.reject_status > 699) {
    return Problem("scope.reject_status",
                   std::to_string(p.scope.reject_status) + " is not a SIP 4xx-6xx status");
  }
  if (!p.scope.record_incoming && !p.scope.record_outgoing && !p.scope.record_internal) {
    return Problem("scope",
                   "incoming, outgoing and internal are all false (nothing would be recorded)");
  }
  for (size_t i = 0; i < p.scope.do_not_record.size(); ++i) {
    std::string& n = p.scope.do_not_record[i];
    std::optional<std::string> canonical = CanonicalNumber(p.numbers, n);
    if (!canonical) {
      return Problem("scope.do_not_record[" + std::to_string(i) + "]",
                     "\"" + n + "\" is not a phone number");
    }
    n = *canonical;
  }
  std::sort(p.scope.do_not_record.begin(), p.scope.do_not_record.end());
  p.scope.do_not_record.erase(
      std::unique(p.scope.do_not_record.begin(), p.scope.do_not_record.end()),
      p.scope.do_not_record.end());

  if (!p.consent.info_clause_dtmf.empty() && !IsDtmfSymbol(p.consent.info_clause_dtmf)) {
    return Problem("consent.info_clause_dtmf",
                   "\"" + p.consent.info_clause_dtmf + "\" is not one DTMF key (0-9 * # A-D)");
  }

  if (p.retention.months < 1 || p.retention.months > kMaxRetentionMonths) {
    return Problem("retention.months", std::to_string(p.retention.months) + " not in 1..120");
  }
  if (p.retention.sweep_max_gap_hours < 1 || p.retention.sweep_max_gap_hours > kMaxSweepGapHours) {
    return Problem("retention.sweep_max_gap_hours",
                   std::to_string(p.retention.sweep_max_gap_hours) + " not in 1..8760");
  }
  if (p.retention.sweep_clock_tolerance_s < 1 ||
      p.retention.sweep_clock_tolerance_s > kMaxClockToleranceS) {
    return Problem("retention.sweep_clock_tolerance_s",
                   std::to_string(p.retention.sweep_clock_tolerance_s) + " not in 1..86400");
  }
  if (p.quota.warn_percent < 1 || p.quota.warn_percent > 100) {
    return Problem("quota.warn_percent", std::to_string(p.quota.warn_percent) + " not in 1..100");
  }
  if (p.quota.refuse_status < 400 || p.quota.refuse_status > 699) {
    return Problem("quota.refuse_status",
                   std::to_string(p.quota.refuse_status) + " is not a SIP 4xx-6xx status");
  }
  if (p.quota.retry_after_s < 0 || p.quota.retry_after_s > 86400) {
    return Problem("quota.retry_after_s", std::to_string(p.quota.retry_after_s) + " not in 0..86400");
  }
  for (const std::string& name : p.consent.extension_elements) {
    if (name.empty() || name.find_first_of(" \t<>:\"'") != std::string::npos) {
      return Problem("consent.extension_elements", "\"" + name + "\" is not an XML local name");
    }
  }
  std::map<std::string, std::string> values;
  for (const auto& [value, meaning] : p.consent.extension_values) {
    if (!ParseConsentClueMeaning(meaning)) {
      return Problem("consent.extension_values", "\"" + value + "\" -> \"" + meaning +
                                                     "\": not announcement, employee-statement, none or unknown");
    }
    values[NormalizeConsentValue(value)] = meaning;
  }
  p.consent.extension_values = std::move(values);
  return p;
}

std::string_view NotRecordedActionName(NotRecordedAction action) {
  return action == NotRecordedAction::kReject ? "reject" : "answer-and-drop";
}

std::string_view ConsentBasisName(ConsentBasis basis) {
  switch (basis) {
    case ConsentBasis::kAnnouncementPlayed:
      return "announcement";
    case ConsentBasis::kEmployeeStatement:
      return "employee-statement";
    case ConsentBasis::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view QuotaActionName(QuotaAction action) {
  return action == QuotaAction::kEvictOldest ? "evict-oldest" : "refuse-new";
}

std::optional<NotRecordedAction> ParseNotRecordedAction(std::string_view name) {
  if (name == "reject") return NotRecordedAction::kReject;
  if (name == "answer-and-drop") return NotRecordedAction::kAnswerAndDrop;
  return std::nullopt;
}

std::optional<ConsentBasis> ParseConsentBasis(std::string_view name) {
  if (name == "announcement") return ConsentBasis::kAnnouncementPlayed;
  if (name == "employee-statement") return ConsentBasis::kEmployeeStatement;
  if (name == "unknown") return ConsentBasis::kUnknown;
  return std::nullopt;
}

std::optional<QuotaAction> ParseQuotaAction(std::string_view name) {
  if (name == "evict-oldest") return QuotaAction::kEvictOldest;
  if (name == "refuse-new") return QuotaAction::kRefuseNew;
  return std::nullopt;
}

}  // namespace kronika::policy
