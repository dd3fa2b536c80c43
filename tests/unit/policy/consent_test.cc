// CONSENT-1, CONSENT-2: consent basis per recording, DTMF '*' for the information clause.
#include "kronika/policy/consent.h"

#include <catch2/catch.hpp>

#include "test_sites.h"

namespace kronika::policy {

using testing::BoleslawiecLike;
using testing::BydgoszczLike;

TEST_CASE("CONSENT-1 site defaults: announcement on incoming, employee statement on outgoing") {
  const SitePolicy site = BydgoszczLike();
  const ConsentAssessment in = AssessConsent(site, Direction::kIncoming, {});
  CHECK(in.basis == ConsentBasis::kAnnouncementPlayed);
  CHECK(in.source == ConsentSource::kSiteDefault);
  CHECK(in.text == "consent: announcement (site default for incoming calls) (CONSENT-2)");
  const ConsentAssessment out = AssessConsent(site, Direction::kOutgoing, {});
  CHECK(out.basis == ConsentBasis::kEmployeeStatement);
  CHECK(out.source == ConsentSource::kSiteDefault);
  const ConsentAssessment internal = AssessConsent(site, Direction::kInternal, {});
  CHECK(internal.basis == ConsentBasis::kUnknown);
  CHECK(internal.source == ConsentSource::kNone);
  CHECK(AssessConsent(site, Direction::kUnknown, {}).basis == ConsentBasis::kUnknown);
  CHECK(AssessConsent(BoleslawiecLike(), Direction::kInternal, {}).basis ==
        ConsentBasis::kEmployeeStatement);
}

TEST_CASE("CONSENT-2 what the SRC reports wins over the site default") {
  const SitePolicy site = BydgoszczLike();
  ConsentHints played;
  played.announcement_played = true;
  const ConsentAssessment a = AssessConsent(site, Direction::kOutgoing, played);
  CHECK(a.basis == ConsentBasis::kAnnouncementPlayed);
  CHECK(a.source == ConsentSource::kSrcMetadata);
  ConsentHints not_played;
  not_played.announcement_played = false;
  const ConsentAssessment b = AssessConsent(site, Direction::kIncoming, not_played);
  CHECK(b.basis == ConsentBasis::kUnknown);
  CHECK(b.source == ConsentSource::kSrcMetadata);
  // "No announcement" says nothing against the employee statement on outgoing calls.
  CHECK(AssessConsent(site, Direction::kOutgoing, not_played).basis ==
        ConsentBasis::kEmployeeStatement);
  ConsentHints statement;
  statement.employee_statement = true;
  CHECK(AssessConsent(site, Direction::kUnknown, statement).basis ==
        ConsentBasis::kEmployeeStatement);
  CHECK(AssessConsent(site, Direction::kUnknown, statement).source == ConsentSource::kSrcMetadata);
}

TEST_CASE("CONSENT-2 '*' from the caller of an incoming call requests the information clause") {
  const SitePolicy site = BoleslawiecLike();
  const DtmfClassification star = ClassifyDtmf(site, 10, Direction::kIncoming, true);
  CHECK(star.meaning == DtmfMeaning::kInformationClauseRequested);
  CHECK(star.symbol == '*');
  CHECK(star.text == "dtmf: '*' information clause requested (CONSENT-2)");
  // Sender unknown: still the clause, and the text says so.
  const DtmfClassification unknown = ClassifyDtmf(site, 10, Direction::kIncoming, std::nullopt);
  CHECK(unknown.meaning == DtmfMeaning::kInformationClauseRequested);
  CHECK_THAT(unknown.text, Catch::Contains("sender not identified"));
  // The employee pressing '*', '*' on an outgoing call, other keys: plain key presses.
  CHECK(ClassifyDtmf(site, 10, Direction::kIncoming, false).meaning == DtmfMeaning::kKeyPress);
  CHECK(ClassifyDtmf(site, 10, Direction::kOutgoing, true).meaning == DtmfMeaning::kKeyPress);
  CHECK(ClassifyDtmf(site, 11, Direction::kIncoming, true).meaning == DtmfMeaning::kKeyPress);
  CHECK(ClassifyDtmf(site, 11, Direction::kIncoming, true).symbol == '#');
  // A site without an info-clause key: '*' is just a key.
  CHECK(ClassifyDtmf(BydgoszczLike(), 10, Direction::kIncoming, true).meaning ==
        DtmfMeaning::kKeyPress);
  // RFC 4733 events beyond the keypad.
  CHECK(ClassifyDtmf(site, 16, Direction::kIncoming, true).meaning == DtmfMeaning::kNotAKey);
  CHECK(ClassifyDtmf(site, -1, Direction::kIncoming, true).symbol == '?');
}

TEST_CASE("CONSENT-2 RFC 4733 event codes map to keypad symbols") {
  const std::string all = "0123456789*#ABCD";
  for (int e = 0; e < 16; ++e) CHECK(DtmfSymbol(e) == all[static_cast<size_t>(e)]);
  CHECK(DtmfSymbol(16) == '?');
  CHECK(ConsentSourceName(ConsentSource::kSrcMetadata) == "src-metadata");
}

}  // namespace kronika::policy
