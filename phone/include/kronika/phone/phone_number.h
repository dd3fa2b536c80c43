// The one phone-number normaliser of Kronika: every number that is indexed, searched or
// compared (participants' numbers from the RFC 7865 metadata, the do-not-record list, data
// subjects, a site's internal numbers, `kronika query --number`) goes through these
// functions, so a number finds its recordings whatever form it was written in.
//
// The numbering plan is libphonenumber's (Google's metadata for every country: national
// prefixes, international dialling prefixes, possible lengths); what is ours is the order
// in which the forms are tried and two conventions of Polish PBXs and SBCs:
//   "+48 22 123-45-67", "0048 22 123 45 67"  -> +48221234567  (international, "00" = '+')
//   "221234567" with country 48                -> +48221234567  (national number)
//   "0221234567" with country 48               -> +48221234567  (a leading 0 where the
//        country has no trunk prefix, as in Poland: the old trunk prefix or the PBX's
//        outside-line digit); where the country has one (0 in Israel, Germany) libphonenumber
//        strips it by its rules; where a national number starts with 0 (Italy) it is kept
//   "48221234567", "15550001002"               -> +48221234567, +15550001002 (11..15 digits
//        that carry their country code)
//   "221234567" with phone-context "+48"       -> +48221234567  (RFC 3966)
//   "1002", "9000", "112"                      -> not E.164: an extension or a short code
// A number is E.164 only when libphonenumber finds it possible for its country (its length
// fits); validity against number ranges is not required (ranges change faster than
// metadata).
//
// Threads: pure functions; any thread (libphonenumber's PhoneNumberUtil is thread-safe).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kronika::phone {

// E.164 allows at most 15 digits after the '+'.
inline constexpr size_t kMaxE164Digits = 15;

// `text` without the separators people and SRCs write in numbers: space, tab, - . ( ) /
// (RFC 3966 visual separators and more). Everything else is kept: the number index keys
// non-numbers ("anonymous", "*97") too.
std::string WithoutSeparators(std::string_view text);

// The dialable form: separators removed, digits with at most one leading '+'; "" when
// anything else is left (letters, '*', '#') or nothing is ("+").
std::string Dialable(std::string_view text);

// "+<digits>" when `text` (any form above) is a full number possible for its country, else
// "". `country_code`: the deployment's default country, digits without '+' ("48"; "" =
// none: national forms then stay unresolved). `phone_context`: an RFC 3966 global
// phone-context ("+48") of a local number, or "".
std::string ToE164(std::string_view text, std::string_view country_code, std::string_view phone_context = {});

// The canonical form numbers are compared in: ToE164() when it is a full number, else the
// dialable digits ("214" for an extension; "00" becomes '+'); nullopt when nothing
// number-like is left ("anonymous", "", "+", "12a") or more than 15 digits follow a '+'.
std::optional<std::string> Canonical(std::string_view text, std::string_view country_code);

}  // namespace kronika::phone
