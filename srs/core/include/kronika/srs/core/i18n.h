// People-facing text in the reader's language and the office's time (issue 16 item 1).
//
// Source text (the msgid) is English, written in the code. Polish and any later language
// come from GNU gettext catalogues: po/<language>/*.po, merged and compiled at build time
// into <language>/LC_MESSAGES/kronika.mo, read here by Boost.Locale. Boost.Locale and not
// libintl's gettext(): the language is chosen per request and per document (a user's own
// setting, else [office] language), while libintl follows the process-wide locale and needs
// the system to have generated that locale.
//
// Where the catalogues are, first found: $KRONIKA_LOCALE_DIR; <dir of the executable>/locale
// and <dir of the executable>/../locale (the build tree: build/locale); <dir of the
// executable>/../share/locale (the installed package). None found: every text stays English
// (the msgid), logged once.
//
// Mark text with N_("...") where it is defined and translate it with Tr() where it is shown;
// xgettext extracts N_, Tr's 2nd argument and TrN's 2nd and 3rd (see po/README.md).
// Requirement IDs (ACCESS-3, REG-2...) never go into a msgid: they are for logs and docs.
//
// Threads: any; catalogues are loaded once per language under a lock and then read-only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// Marks a msgid for extraction without translating it: a table of texts translated later.
#define N_(msgid) msgid

namespace kronika::srs {

// The language people read when nothing else is set ([office] language's default).
inline constexpr std::string_view kDefaultLanguage = "pl";

// True for the languages Kronika ships: "pl" and "en".
bool IsSupportedLanguage(std::string_view language);

// `msgid` in `language` ("" = kDefaultLanguage); msgid itself when the catalogue lacks it or
// the language is English or unknown. Never fails.
std::string Tr(std::string_view language, const char* msgid);

// The plural form for `n` (Polish has three: 1 plik, 2 pliki, 5 plików).
std::string TrN(std::string_view language, const char* singular, const char* plural, unsigned long n);

// True when `time_zone` is an IANA zone name of the system's tzdata or a POSIX TZ rule that
// kronika::policy::TimeZone accepts.
bool IsKnownTimeZone(std::string_view time_zone);

// A time for people: pl "07.12.2026, 01:46:52 CET", en "2026-12-07 01:46:52 CET" - the
// wall clock of `time_zone` with the zone's abbreviation always shown. An unknown zone
// formats in UTC (shown as "UTC"), so a text is never wrong without saying so.
std::string FormatLocalTime(int64_t ms_utc, std::string_view time_zone, std::string_view language);

// A date for documents: pl "7 grudnia 2026 r.", en "7 December 2026".
std::string FormatLocalDate(int64_t ms_utc, std::string_view time_zone, std::string_view language);

}  // namespace kronika::srs
