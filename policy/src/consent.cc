#include "kronika/policy/consent.h"

#include <algorithm>
#include <cctype>

namespace kronika::policy {
namespace {

constexpr int kLastDtmfKeyEvent = 15;

ConsentAssessment Make(ConsentBasis basis, ConsentSource source, const std::string& why) {
  ConsentAssessment a;
  a.basis = basis;
  a.source = source;
  a.text = "consent: " + std::string(ConsentBasisName(basis)) + " (" + why + ") (CONSENT-2)";
  return a;
}

}  // namespace

std::string NormalizeConsentValue(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  text = text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<ConsentClueMeaning> ParseConsentClueMeaning(std::string_view name) {
  const std::string n = NormalizeConsentValue(name);
  if (n == "announcement") return ConsentClueMeaning::kAnnouncement;
  if (n == "employee-statement") return ConsentClueMeaning::kEmployeeStatement;
  if (n == "none") return ConsentClueMeaning::kNone;
  if (n == "unknown") return ConsentClueMeaning::kUnknown;
  return std::nullopt;
}

ConsentClueReading ConsentHintsFrom(const ConsentPolicy& policy, const std::vector<ConsentClue>& clues) {
  // First evidence per meaning; AssessConsent prefers announcement, then employee statement.
  std::string announcement, employee, none;
  for (const ConsentClue& clue : clues) {
    std::optional<ConsentClueMeaning> meaning;
    if (clue.name == kConsentClueName) {
      meaning = ParseConsentClueMeaning(clue.value);
    } else if (std::find(policy.extension_elements.begin(), policy.extension_elements.end(), clue.name) !=
               policy.extension_elements.end()) {
      auto mapped = policy.extension_values.find(NormalizeConsentValue(clue.value));
      if (mapped != policy.extension_values.end()) meaning = ParseConsentClueMeaning(mapped->second);
    }
    if (!meaning) continue;
    std::string* slot = *meaning == ConsentClueMeaning::kAnnouncement        ? &announcement
                        : *meaning == ConsentClueMeaning::kEmployeeStatement ? &employee
                        : *meaning == ConsentClueMeaning::kNone              ? &none
                                                                             : nullptr;
    if (slot != nullptr && slot->empty()) *slot = clue.name + "=" + NormalizeConsentValue(clue.value);
  }
  ConsentClueReading reading;
  if (!announcement.empty()) reading.hints.announcement_played = true;
  if (!employee.empty()) reading.hints.employee_statement = true;
  if (!none.empty()) {
    if (!reading.hints.announcement_played) reading.hints.announcement_played = false;
    if (!reading.hints.employee_statement) reading.hints.employee_statement = false;
  }
  reading.evidence = !announcement.empty() ? announcement : !employee.empty() ? employee : none;
  return reading;
}

ConsentAssessment AssessConsent(const SitePolicy& policy, Direction direction,
                                const ConsentHints& hints) {
  if (hints.announcement_played == true) {
    return Make(ConsentBasis::kAnnouncementPlayed, ConsentSource::kSrcMetadata,
                "SRC reports the announcement played");
  }
  if (hints.employee_statement == true) {
    return Make(ConsentBasis::kEmployeeStatement, ConsentSource::kSrcMetadata,
                "SRC reports the employee statement");
  }
  ConsentBasis fallback = ConsentBasis::kUnknown;
  switch (direction) {
    case Direction::kIncoming:
      fallback = policy.consent.incoming;
      break;
    case Direction::kOutgoing:
      fallback = policy.consent.outgoing;
      break;
    case Direction::kInternal:
      fallback = policy.consent.internal;
      break;
    case Direction::kUnknown:
      fallback = ConsentBasis::kUnknown;
      break;
  }
  // An SRC that says "no announcement" (or "no statement") overrides a default of that kind.
  if ((fallback == ConsentBasis::kAnnouncementPlayed && hints.announcement_played == false) ||
      (fallback == ConsentBasis::kEmployeeStatement && hints.employee_statement == false)) {
    return Make(ConsentBasis::kUnknown, ConsentSource::kSrcMetadata,
                "SRC reports the site's usual basis did not happen");
  }
  if (fallback == ConsentBasis::kUnknown) {
    return Make(
        ConsentBasis::kUnknown, ConsentSource::kNone,
        "no SRC hint, no site default for " + std::string(DirectionName(direction)) + " calls");
  }
  return Make(fallback, ConsentSource::kSiteDefault,
              "site default for " + std::string(DirectionName(direction)) + " calls");
}

char DtmfSymbol(int event_code) {
  static constexpr char kSymbols[] = "0123456789*#ABCD";
  if (event_code < 0 || event_code > kLastDtmfKeyEvent) return '?';
  return kSymbols[event_code];
}

DtmfClassification ClassifyDtmf(const SitePolicy& policy, int event_code, Direction direction,
                                std::optional<bool> from_caller) {
  DtmfClassification c;
  c.symbol = DtmfSymbol(event_code);
  if (c.symbol == '?') {
    c.meaning = DtmfMeaning::kNotAKey;
    c.text = "dtmf: event " + std::to_string(event_code) + " is not a key";
    return c;
  }
  const std::string& key = policy.consent.info_clause_dtmf;
  if (!key.empty() && key[0] == c.symbol && direction == Direction::kIncoming &&
      from_caller != false) {
    c.meaning = DtmfMeaning::kInformationClauseRequested;
    c.text = std::string("dtmf: '") + c.symbol + "' information clause requested" +
             (from_caller ? "" : " (sender not identified)") + " (CONSENT-2)";
    return c;
  }
  c.meaning = DtmfMeaning::kKeyPress;
  c.text = std::string("dtmf: '") + c.symbol + "'";
  return c;
}

std::string_view ConsentSourceName(ConsentSource source) {
  switch (source) {
    case ConsentSource::kSrcMetadata:
      return "src-metadata";
    case ConsentSource::kSiteDefault:
      return "site-default";
    case ConsentSource::kNone:
      return "none";
  }
  return "none";
}

}  // namespace kronika::policy
