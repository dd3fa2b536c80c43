// People-facing text and times (srs/core i18n.h, issue 16 item 1) against the catalogues the
// build compiled from po/ (build/locale, found beside the test binary).
#include "kronika/srs/core/i18n.h"

#include <catch2/catch.hpp>

#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {
namespace {

int64_t Utc(const char* iso) { return *ParseUtcTime(iso); }

TEST_CASE("Polish is the default language and English is the source text") {
  CHECK(Tr("pl", "December") == "grudnia");
  CHECK(Tr("", "December") == "grudnia");
  CHECK(Tr("en", "December") == "December");
}

TEST_CASE("an unknown language or a text no catalogue has stays as written") {
  CHECK(Tr("de", "December") == "December");
  CHECK(Tr("pl", "a text nobody translated") == "a text nobody translated");
  CHECK(TrN("pl", "one file", "%d files", 5) == "%d files");
  CHECK(TrN("en", "one file", "%d files", 1) == "one file");
}

TEST_CASE("times people read are the office's wall clock with the zone shown", "[needs-tzdata]") {
  // Winter (CET, UTC+1) and summer (CEST, UTC+2) in Warsaw.
  CHECK(FormatLocalTime(Utc("2026-12-07T00:46:52Z"), "Europe/Warsaw", "pl") == "07.12.2026, 01:46:52 CET");
  CHECK(FormatLocalTime(Utc("2026-07-01T22:30:00Z"), "Europe/Warsaw", "pl") == "02.07.2026, 00:30:00 CEST");
  CHECK(FormatLocalTime(Utc("2026-12-07T00:46:52Z"), "Europe/Warsaw", "en") == "2026-12-07 01:46:52 CET");
  // The POSIX rule form of the same zone needs no tzdata and agrees.
  CHECK(FormatLocalTime(Utc("2026-07-01T22:30:00Z"), "CET-1CEST,M3.5.0,M10.5.0/3", "pl") ==
        "02.07.2026, 00:30:00 CEST");
}

TEST_CASE("an unknown zone formats in UTC and says so", "[needs-tzdata]") {
  CHECK_FALSE(IsKnownTimeZone("Europe/Warsow"));
  CHECK(IsKnownTimeZone("Europe/Warsaw"));
  CHECK(FormatLocalTime(Utc("2026-12-07T00:46:52Z"), "Europe/Warsow", "pl") == "07.12.2026, 00:46:52 UTC");
}

TEST_CASE("document dates use the genitive month in Polish", "[needs-tzdata]") {
  CHECK(FormatLocalDate(Utc("2026-12-06T23:30:00Z"), "Europe/Warsaw", "pl") == "7 grudnia 2026 r.");
  CHECK(FormatLocalDate(Utc("2026-05-03T10:00:00Z"), "Europe/Warsaw", "pl") == "3 maja 2026 r.");
  CHECK(FormatLocalDate(Utc("2026-12-06T23:30:00Z"), "Europe/Warsaw", "en") == "7 December 2026");
}

}  // namespace
}  // namespace kronika::srs
