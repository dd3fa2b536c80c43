// The internal number plan of a site: which participant numbers belong to the office
// (SCOPE-1), and the one canonical form numbers are compared in (CONSENT-3, RIGHTS-1).
//
// Canonical form: "+<digits>" for a full E.164 number, plain "<digits>" for an extension or
// any short number - kronika/phone's, the one normaliser the metadata parser
// (sdp/phone_number.h) and the number index use too, so a number typed by an operator
// ("+48 52 123-45-67", "0048...", "052 ...", "601234567") compares equal to the same number
// sent by an SRC.
//
// Threads: pure functions on values, any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/result.h"

namespace kronika::policy {

// An inclusive block of numbers, e.g. a DID block "+48523456000".."+48523456999" or
// extensions "200".."299". Both ends canonical, same form ('+' or not), same length.
struct NumberRange {
  std::string first;
  std::string last;
};

struct NumberPlan {
  std::string country_code = "48";             // digits without '+'; national numbers get it
  int national_number_length = 9;              // digits of a national significant number (PL: 9);
                                               // an extension length may not equal it
  std::vector<std::string> internal_prefixes;  // canonical prefixes: "+4852340", "2"
  std::vector<NumberRange> internal_ranges;
  std::vector<int> extension_lengths;  // digit-only numbers of these lengths are internal
};

// Canonical form of a number typed by a person or sent by an SRC: phone::Canonical() with
// the plan's country code (separators removed, "00" -> "+", national forms -> E.164 when
// libphonenumber finds them possible, other digit strings - extensions, short numbers - as
// they are), except that a digit string of one of the plan's extension_lengths stays an
// extension. nullopt when nothing number-like is left ("anonymous", "", "+", "12a").
std::optional<std::string> CanonicalNumber(const NumberPlan& plan, std::string_view raw);

// True when `canonical` (from CanonicalNumber) is internal under the plan: it starts with
// one of internal_prefixes, or lies in one of internal_ranges, or is all digits with a
// length in extension_lengths. Unknown ("") is never internal.
bool IsInternalNumber(const NumberPlan& plan, std::string_view canonical);

// Checks and canonicalises the plan in place. Errors name the field under `field`,
// e.g. "numbers.internal_ranges[1]: first and last differ in length".
Status NormalizeNumberPlan(NumberPlan& plan, std::string_view field);

}  // namespace kronika::policy
