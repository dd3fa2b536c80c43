// The one phone-number normaliser (libphonenumber) on the forms people type and SRCs send,
// with the default country a deployment configures.
#include "kronika/phone/phone_number.h"

#include <catch2/catch.hpp>

namespace kronika::phone {
namespace {

struct Case {
  const char* text;
  const char* country_code;
  const char* e164;
  const char* canonical;
};

TEST_CASE("numbers normalise to E.164, or stay extensions, whatever form they are written in") {
  const Case kCases[] = {
      {"+48 22 123 45 67", "48", "+48221234567", "+48221234567"},
      {"+48-22-123-45-67", "48", "+48221234567", "+48221234567"},
      {"0048 (22) 123.45.67", "48", "+48221234567", "+48221234567"},
      {"221234567", "48", "+48221234567", "+48221234567"},
      {"0221234567", "48", "+48221234567", "+48221234567"},   // old trunk 0 / outside-line digit
      {"(075) 645-64-53", "48", "+48756456453", "+48756456453"},
      {"48221234567", "48", "+48221234567", "+48221234567"},  // carries its country code
      {"15550001002", "48", "+15550001002", "+15550001002"},
      {"15550001002", "1", "+15550001002", "+15550001002"},   // US trunk prefix 1
      {"0733165805", "972", "+972733165805", "+972733165805"},  // Israel: trunk prefix 0
      {"06 1234 5678", "39", "+390612345678", "+390612345678"},  // Italy: the 0 is the number's
      {"00493012345", "48", "+493012345", "+493012345"},
      {"1002", "48", "", "1002"},  // extensions and short codes
      {"9000", "48", "", "9000"},
      {"112", "48", "", "112"},
      {"7711", "1", "", "7711"},
      {"0", "48", "", "0"},
      {"601234567", "", "", "601234567"},  // no country configured: national forms stay
      {"+1234567890123456", "48", "", nullptr},  // 16 digits
      {"+", "48", "", nullptr},
      {"anonymous", "48", "", nullptr},
      {"12a", "48", "", nullptr},
      {"", "48", "", nullptr},
  };
  for (const Case& c : kCases) {
    INFO(c.text << " with country " << c.country_code);
    CHECK(ToE164(c.text, c.country_code) == c.e164);
    const std::optional<std::string> canonical = Canonical(c.text, c.country_code);
    if (c.canonical == nullptr) {
      CHECK_FALSE(canonical.has_value());
    } else {
      CHECK(canonical == c.canonical);
    }
  }
}

TEST_CASE("a global phone-context completes a local number (RFC 3966)") {
  CHECK(ToE164("221234567", "1", "+48") == "+48221234567");
  CHECK(ToE164("221234567", "48", "example.com") == "+48221234567");  // a domain context: the default
}

TEST_CASE("separators go, other text stays, for the number index") {
  CHECK(WithoutSeparators("+48 (22) 123-45.67/8\t9") == "+4822123456789");
  CHECK(WithoutSeparators("anonymous") == "anonymous");
  CHECK(WithoutSeparators("*97") == "*97");
  CHECK(Dialable("+48 22 123") == "+4822123");
  CHECK(Dialable("*97").empty());
  CHECK(Dialable("4+8").empty());
}

}  // namespace
}  // namespace kronika::phone
