// Site policies shaped like the regulations in shared/regulations/original, for tests.
// Numbers are fictitious (DID block +48 52 300 0xxx, extensions of three digits).
#pragma once

#include <catch2/catch.hpp>

#include "kronika/policy/civil_time.h"
#include "kronika/policy/site_policy.h"

namespace kronika::policy::testing {

inline int64_t Utc(int y, int mo, int d, int h, int mi, int s = 0) {
  return MsFromCivil(CivilDateTime{CivilDate{y, mo, d}, h, mi, s, 0});
}

inline SitePolicy MustValidate(SitePolicy p) {
  Result<SitePolicy> v = ValidateSitePolicy(std::move(p));
  if (!v.ok()) FAIL(v.error().message);
  return std::move(v).value();
}

inline NumberPlan OfficePlan() {
  NumberPlan plan;
  plan.internal_prefixes = {"+48 52 300 0"};
  plan.extension_lengths = {3};
  return plan;
}

// Polish statutory holidays of 2026 (ustawa o dniach wolnych od pracy, with 24 December
// since 2025): Easter 5 April, Pentecost 24 May, Corpus Christi 4 June.
inline std::vector<CivilDate> PolishHolidays2026() {
  return {{2026, 1, 1},   {2026, 1, 6},   {2026, 4, 5},   {2026, 4, 6},  {2026, 5, 1},
          {2026, 5, 3},   {2026, 5, 24},  {2026, 6, 4},   {2026, 8, 15}, {2026, 11, 1},
          {2026, 11, 11}, {2026, 12, 24}, {2026, 12, 25}, {2026, 12, 26}};
}

// Bydgoszcz MOPS 2023: external calls both ways, internal excluded (§1.2, §2), only in
// working hours (§3.2; the regulation does not state the hours: 08:00-16:00 Mon-Fri
// here), 3 months (§3.4). Holidays: the 2026 list.
inline SitePolicy BydgoszczLike() {
  SitePolicy p;
  p.site_id = "bydgoszcz";
  p.numbers = OfficePlan();
  p.hours.always = false;
  for (Weekday d : {Weekday::kMonday, Weekday::kTuesday, Weekday::kWednesday, Weekday::kThursday,
                    Weekday::kFriday}) {
    p.hours.weekly[static_cast<size_t>(d)] = {TimeWindow{8 * 60, 16 * 60}};
  }
  p.hours.holidays = PolishHolidays2026();
  p.scope.record_internal = false;
  p.retention.months = 3;
  return MustValidate(p);
}

// Bolesławiec UM 2019: incoming, outgoing and internal (§1.1), 24/7 (§1.6), 3 months
// (§2.4), '*' plays the information clause (§1.3).
inline SitePolicy BoleslawiecLike() {
  SitePolicy p;
  p.site_id = "boleslawiec";
  p.numbers = OfficePlan();
  p.scope.record_internal = true;
  p.consent.internal = ConsentBasis::kEmployeeStatement;
  p.consent.info_clause_dtmf = "*";
  p.retention.months = 3;
  return MustValidate(p);
}

}  // namespace kronika::policy::testing
