// CONSENT-1: the consent basis from what the SRC put in RFC 7865 extension data - the
// vendor-neutral `consent` element/attribute and a site's mapping of vendor elements.
#include <catch2/catch.hpp>

#include "kronika/policy/consent.h"
#include "test_sites.h"

namespace kronika::policy {
namespace {

using testing::BydgoszczLike;
using testing::MustValidate;

SitePolicy WithVendorMapping() {
  SitePolicy site = BydgoszczLike();
  site.consent.extension_elements = {"announcementPlayed", "recNotice"};
  site.consent.extension_values = {{" TRUE ", "announcement"}, {"false", "none"}, {"agent", "employee-statement"}};
  return MustValidate(site);
}

}  // namespace

TEST_CASE("CONSENT-1 the neutral consent clue names the basis the SRC reports") {
  const SitePolicy site = BydgoszczLike();
  ConsentClueReading r = ConsentHintsFrom(site.consent, {{"consent", " Announcement "}});
  CHECK(r.hints.announcement_played == true);
  CHECK_FALSE(r.hints.employee_statement.has_value());
  CHECK(r.evidence == "consent=announcement");
  // An outgoing call whose site default is the employee statement: the SRC's word wins.
  const ConsentAssessment a = AssessConsent(site, Direction::kOutgoing, r.hints);
  CHECK(a.basis == ConsentBasis::kAnnouncementPlayed);
  CHECK(a.source == ConsentSource::kSrcMetadata);

  r = ConsentHintsFrom(site.consent, {{"consent", "employee-statement"}});
  CHECK(r.hints.employee_statement == true);
  CHECK(AssessConsent(site, Direction::kIncoming, r.hints).basis == ConsentBasis::kEmployeeStatement);
}

TEST_CASE("CONSENT-1 'none' overrides the site default, 'unknown' and garbage say nothing") {
  const SitePolicy site = BydgoszczLike();
  ConsentClueReading none = ConsentHintsFrom(site.consent, {{"consent", "none"}});
  CHECK(none.hints.announcement_played == false);
  CHECK(none.hints.employee_statement == false);
  const ConsentAssessment a = AssessConsent(site, Direction::kIncoming, none.hints);
  CHECK(a.basis == ConsentBasis::kUnknown);
  CHECK(a.source == ConsentSource::kSrcMetadata);

  for (const char* value : {"unknown", "yes", ""}) {
    const ConsentClueReading r = ConsentHintsFrom(site.consent, {{"consent", value}});
    CHECK_FALSE(r.hints.announcement_played.has_value());
    CHECK_FALSE(r.hints.employee_statement.has_value());
    CHECK(r.evidence.empty());
    CHECK(AssessConsent(site, Direction::kIncoming, r.hints).source == ConsentSource::kSiteDefault);
  }
}

TEST_CASE("CONSENT-1 a positive statement wins over 'none', announcement is preferred") {
  const SitePolicy site = BydgoszczLike();
  const ConsentClueReading r =
      ConsentHintsFrom(site.consent, {{"consent", "none"}, {"consent", "employee-statement"}, {"consent", "announcement"}});
  CHECK(r.hints.announcement_played == true);
  CHECK(r.hints.employee_statement == true);
  CHECK(r.evidence == "consent=announcement");
  CHECK(AssessConsent(site, Direction::kOutgoing, r.hints).basis == ConsentBasis::kAnnouncementPlayed);
}

TEST_CASE("CONSENT-1 vendor elements are read only through the site's mapping") {
  const SitePolicy plain = BydgoszczLike();
  CHECK_FALSE(ConsentHintsFrom(plain.consent, {{"announcementPlayed", "true"}}).hints.announcement_played.has_value());

  const SitePolicy site = WithVendorMapping();
  ConsentClueReading r = ConsentHintsFrom(site.consent, {{"announcementPlayed", "True"}});
  CHECK(r.hints.announcement_played == true);
  CHECK(r.evidence == "announcementPlayed=true");
  r = ConsentHintsFrom(site.consent, {{"recNotice", "agent"}});
  CHECK(r.hints.employee_statement == true);
  r = ConsentHintsFrom(site.consent, {{"announcementPlayed", "false"}});
  CHECK(r.hints.announcement_played == false);
  CHECK(AssessConsent(site, Direction::kIncoming, r.hints).basis == ConsentBasis::kUnknown);
  // A value the mapping does not list is no hint.
  r = ConsentHintsFrom(site.consent, {{"announcementPlayed", "maybe"}, {"otherElement", "true"}});
  CHECK_FALSE(r.hints.announcement_played.has_value());
  CHECK(r.evidence.empty());
}

TEST_CASE("CONSENT-1 site validation: mapping targets and element names are checked, values lower-cased") {
  SitePolicy site = BydgoszczLike();
  site.consent.extension_values = {{"yes", "played"}};
  Result<SitePolicy> bad = ValidateSitePolicy(site);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message ==
        "policy: consent.extension_values: \"yes\" -> \"played\": not announcement, employee-statement, none or unknown");
  site = BydgoszczLike();
  site.consent.extension_elements = {"ns:announcement"};
  CHECK_FALSE(ValidateSitePolicy(site).ok());
  const SitePolicy ok = WithVendorMapping();
  CHECK(ok.consent.extension_values.count("true") == 1);
  CHECK(ok.consent.extension_values.count(" TRUE ") == 0);
}

}  // namespace kronika::policy
