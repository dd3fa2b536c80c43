// Documents an office files (issue 16 item 2): the playback protocol (REG-2) and the
// hand-over protocol (DISC-3), as PDF (pdf_protocol.h) and HTML.
//
// Every such document carries, from the `[office]` configuration: the office's name,
// address and optional PNG logo as its letterhead; "<place>, dnia <date>" and a document
// number at the top right; named signature fields (name and position from the user
// records); "strona X z Y" on every page. Text is in the reader's language (Tr(), po/pl/
// documents.po), times in the office's time zone with the zone shown, reasons in words;
// requirement IDs never appear.
//
// Document numbers are derived from sequences the data directory already keeps durably, so
// they never repeat and a reprint carries the same number (no new state):
//   PO/<seq>/<year>      playback protocol of listening-register entry <seq> (the register's
//                        hash-chained sequence, REG-3); <year> as the office's clock showed
//                        it when the recording was listened to;
//   PP/<n>/<year>[-<k>]  hand-over protocol of disclosure DR-<n> (access.meta's "disclosure"
//                        sequence); <year> when the request was filed; -<k> from the second
//                        package of the same disclosure on (its k-th hand-over).
// Threads: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kronika::srs {

// Who issues a document, in which language and time zone (`[office]`, the reader's language).
struct DocumentSettings {
  std::string language = "pl";              // "pl" | "en"
  std::string time_zone = "Europe/Warsaw";  // IANA zone of every time printed
  std::string office_name;                  // letterhead; "" = none
  std::string office_address;               // letterhead, below the name; may hold newlines
  std::string place;                        // "Warszawa" in "Warszawa, dnia 7 grudnia 2026 r."
  std::string logo_png;                     // PNG file drawn in the letterhead; "" = none
  int64_t issued_ms_utc = 0;                // the date printed at the top; 0 = now
};

// "PO/17/2026" for register entry 17 listened to at `listened_at_ms_utc` (0 = unknown: the
// year is left out, "PO/17").
std::string PlaybackProtocolNumber(uint64_t register_seq, int64_t listened_at_ms_utc,
                                   std::string_view time_zone);

// "PP/1/2026" for disclosure "DR-000001" filed at `filed_ms_utc`; `hand_over` > 1 adds
// "-<hand_over>". An id not of the form DR-<digits> is used as it is ("PP/X1/2026").
std::string HandOverProtocolNumber(std::string_view disclosure_id, int64_t filed_ms_utc,
                                   unsigned hand_over, std::string_view time_zone);

// The reason for a playback in words, in `language`: "słowna agresja ze strony rozmówcy" for
// "a" (the kinds of incident of ACCESS-3 a-g, "caller" for ACCESS-5). For an unknown code the
// stored `fallback` text with any "(ACCESS-3 a)"-style reference removed.
std::string PlaybackReasonInWords(std::string_view code, std::string_view language,
                                  std::string_view fallback = "");

// The language a document is printed in: the reader's (`requested`, e.g. a user's setting or
// the request's ?lang=) when Kronika ships it, else the office's, else Polish.
std::string DocumentLanguage(std::string_view requested, std::string_view office_language);

}  // namespace kronika::srs
