// Consent basis and DTMF meaning (CONSENT-1, CONSENT-2).
//
// All five regulations rely on consent by conduct: the caller hears an announcement and
// continues the call (Lubliniec §3, Bydgoszcz §4.4, Bolesławiec §1.3, Halinów §1.3.2,
// Szczecin §1.4); on outgoing calls the employee says it (Bydgoszcz §4.2, Bolesławiec
// §1.4, Halinów §1.3.3) or, in Lubliniec, the callee hears "połączenie jest nagrywane".
// The SRS stores per recording which basis it relied on and whether that came from the
// SRC's metadata or from the site's documented default.
//
// Bolesławiec §1.3: the caller may press '*' to hear the information clause; the SRS
// keeps every DTMF event (RFC 4733) with its time and marks that one.
//
// Threads: pure functions, any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/policy/scope.h"
#include "kronika/policy/site_policy.h"

namespace kronika::policy {

// What the SRC said about this call, if anything (e.g. a vendor metadata extension or a
// header the SBC adds after its announcement). nullopt = not said.
struct ConsentHints {
  std::optional<bool> announcement_played;
  std::optional<bool> employee_statement;
};

// CONSENT-1 from RFC 7865 extension data. What an SRC may say, in a documented,
// vendor-neutral form (docs/compliance.md "Consent hints"): an element with local name
// `consent` in any namespace, its value in the attribute `basis` or else its text, or an
// attribute with local name `consent` on any element; values "announcement",
// "employee-statement", "none" (the SRC states that neither happened) or "unknown" (no
// hint). A site may also name vendor elements (ConsentPolicy::extension_elements) whose
// values it maps (extension_values) to one of those four meanings.
enum class ConsentClueMeaning { kAnnouncement, kEmployeeStatement, kNone, kUnknown };
std::optional<ConsentClueMeaning> ParseConsentClueMeaning(std::string_view name);

// Clue values compare case-insensitively and without surrounding whitespace: this is the form
// both the validated extension_values keys and the values looked up in them take.
std::string NormalizeConsentValue(std::string_view text);

inline constexpr std::string_view kConsentClueName = "consent";  // element / attribute local name

// One element or attribute found in the metadata: local name and its value as sent.
struct ConsentClue {
  std::string name;   // "consent" or one of the site's extension_elements
  std::string value;  // text or attribute value, untrimmed
};

struct ConsentClueReading {
  ConsentHints hints;
  std::string evidence;  // "consent=announcement" - which clue decided, "" when none did
};

// Reads the clues in document order: `consent` values in the neutral vocabulary, the site's
// elements through extension_values (values it does not list are ignored, as are unknown
// names). Any clue for a basis sets it true; "none" sets both false unless a clue set one
// true (a positive statement wins over a negative one).
ConsentClueReading ConsentHintsFrom(const ConsentPolicy& policy, const std::vector<ConsentClue>& clues);

enum class ConsentSource {
  kSrcMetadata,  // the SRC told us
  kSiteDefault,  // the site's documented practice for this direction
  kNone,         // neither
};

struct ConsentAssessment {
  ConsentBasis basis = ConsentBasis::kUnknown;
  ConsentSource source = ConsentSource::kNone;
  std::string text;  // "consent: announcement played (SRC metadata) (CONSENT-2)"
};

// Rules: an explicit SRC hint wins (announcement first, then employee statement); a hint
// saying the announcement was NOT played also rules out an announcement default; without
// hints the site default for the call's direction applies (unknown direction: unknown).
ConsentAssessment AssessConsent(const SitePolicy& policy, Direction direction,
                                const ConsentHints& hints);

enum class DtmfMeaning {
  kInformationClauseRequested,  // the site's info-clause key pressed by the caller
  kKeyPress,                    // any other key (kept in the metadata all the same)
  kNotAKey,                     // RFC 4733 event outside 0..15 (tones, flash ...)
};

struct DtmfClassification {
  DtmfMeaning meaning = DtmfMeaning::kKeyPress;
  char symbol = '?';  // '0'..'9', '*', '#', 'A'..'D'; '?' for kNotAKey
  std::string text;   // "dtmf: '*' information clause requested (CONSENT-2)"
};

// `event_code`: RFC 4733 event (0-9 digits, 10 '*', 11 '#', 12-15 A-D).
// `from_caller`: true when the key came from the calling party, false when from another
// participant, nullopt when the SRS cannot tell. The info-clause meaning needs an incoming
// call and a key not known to come from someone other than the caller.
DtmfClassification ClassifyDtmf(const SitePolicy& policy, int event_code, Direction direction,
                                std::optional<bool> from_caller);

// RFC 4733 event code -> key symbol, '?' outside 0..15.
char DtmfSymbol(int event_code);

std::string_view ConsentSourceName(ConsentSource source);  // "src-metadata", "site-default", "none"

}  // namespace kronika::policy
