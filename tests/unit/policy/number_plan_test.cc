// SCOPE-1 internal number plan; canonical numbers for CONSENT-3 and RIGHTS-1.
#include "kronika/policy/number_plan.h"

#include <catch2/catch.hpp>

namespace kronika::policy {

TEST_CASE("SCOPE-1 canonical numbers from what people type") {
  const NumberPlan pl;  // +48, 9-digit national numbers
  CHECK(CanonicalNumber(pl, "+48 601 234 567") == "+48601234567");
  CHECK(CanonicalNumber(pl, "0048-601-234-567") == "+48601234567");
  CHECK(CanonicalNumber(pl, "601234567") == "+48601234567");
  CHECK(CanonicalNumber(pl, "(075) 645-64-53") == "+48756456453");  // old trunk 0
  CHECK(CanonicalNumber(pl, "214") == "214");
  CHECK(CanonicalNumber(pl, "0") == "0");
  CHECK(CanonicalNumber(pl, "+4930123456") == "+4930123456");
  CHECK(CanonicalNumber(pl, "anonymous") == std::nullopt);
  CHECK(CanonicalNumber(pl, "") == std::nullopt);
  CHECK(CanonicalNumber(pl, "+") == std::nullopt);
  CHECK(CanonicalNumber(pl, "+1234567890123456") == std::nullopt);  // 16 digits
  CHECK(CanonicalNumber(pl, "12a") == std::nullopt);
  NumberPlan seven_digit_extensions;  // a 7-digit string is also a possible Polish number
  seven_digit_extensions.extension_lengths = {7};
  CHECK(CanonicalNumber(seven_digit_extensions, "123 45 67") == "1234567");
  CHECK(CanonicalNumber(seven_digit_extensions, "601234567") == "+48601234567");
  NumberPlan no_country;
  no_country.country_code = "";
  CHECK(CanonicalNumber(no_country, "601234567") == "601234567");
}

TEST_CASE("SCOPE-1 internal numbers: prefixes, ranges and extension lengths") {
  NumberPlan plan;
  plan.internal_prefixes = {"+48 52 300"};
  plan.internal_ranges = {{"+48523456000", "+48523456099"}, {"7000", "8099"}};
  plan.extension_lengths = {3};
  REQUIRE(NormalizeNumberPlan(plan, "numbers").ok());
  CHECK(plan.internal_prefixes[0] == "+4852300");
  CHECK(IsInternalNumber(plan, "+48523001234"));
  CHECK_FALSE(IsInternalNumber(plan, "+48523011234"));
  CHECK(IsInternalNumber(plan, "+48523456000"));
  CHECK(IsInternalNumber(plan, "+48523456099"));
  CHECK_FALSE(IsInternalNumber(plan, "+48523456100"));
  CHECK_FALSE(IsInternalNumber(plan, "+4852345609"));  // shorter: not in the block
  CHECK(IsInternalNumber(plan, "7042"));
  CHECK(IsInternalNumber(plan, "7100"));
  CHECK(IsInternalNumber(plan, "8099"));
  CHECK_FALSE(IsInternalNumber(plan, "8100"));
  CHECK_FALSE(IsInternalNumber(plan, "6999"));
  CHECK(IsInternalNumber(plan, "214"));
  CHECK_FALSE(IsInternalNumber(plan, "2140"));
  CHECK_FALSE(IsInternalNumber(plan, "+48601234567"));
  CHECK_FALSE(IsInternalNumber(plan, ""));
}

TEST_CASE("SCOPE-1 a broken number plan is refused naming the field") {
  struct Case {
    NumberPlan plan;
    const char* message;
  };
  NumberPlan bad_prefix;
  bad_prefix.internal_prefixes = {"+48", "52x"};
  NumberPlan bad_range;
  bad_range.internal_ranges = {{"200", "299"}, {"200", "2999"}};
  NumberPlan mixed_form;
  mixed_form.internal_ranges = {{"+4852", "48520"}};
  NumberPlan reversed;
  reversed.internal_ranges = {{"299", "200"}};
  NumberPlan bad_len;
  bad_len.extension_lengths = {0};
  NumberPlan national_len;
  national_len.extension_lengths = {9};
  NumberPlan bad_cc;
  bad_cc.country_code = "+48";
  const Case cases[] = {
      {bad_prefix, "numbers.internal_prefixes[1]: \"52x\" is not a number prefix"},
      {bad_range, "numbers.internal_ranges[1]: first and last differ in length or form"},
      {mixed_form, "numbers.internal_ranges[0]: first and last differ in length or form"},
      {reversed, "numbers.internal_ranges[0]: first is above last"},
      {bad_len, "numbers.extension_lengths[0]: 0 not in 1..15"},
      {national_len, "numbers.extension_lengths[0]: 9 equals national_number_length"},
      {bad_cc, "numbers.country_code: \"+48\" is not a country calling code"},
  };
  for (const Case& c : cases) {
    NumberPlan p = c.plan;
    const Status s = NormalizeNumberPlan(p, "numbers");
    REQUIRE_FALSE(s.ok());
    CHECK_THAT(s.error().message, Catch::StartsWith(c.message));
  }
}

}  // namespace kronika::policy
