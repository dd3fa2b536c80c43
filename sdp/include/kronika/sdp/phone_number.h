// NormalizePhoneNumber: a participant's AOR or display name -> an E.164 number, if it is one.
//
// Used to index recordings by phone number (search "+48221234567" finds calls whatever
// form the SRC used). Accepts sip:/sips:/tel: URIs and bare strings:
//   sip:+48221234567@host;user=phone  -> +48221234567
//   tel:+48-22-123-45-67              -> +48221234567   (visual separators - . ( ) space)
//   tel:221234567;phone-context=+48   -> +48221234567   (global phone-context prefix)
//   sip:0221234567@pbx                -> +48221234567   (national, trunk prefix 0)
//   sip:00493012345@x                 -> +493012345     (international 00 prefix)
//   tel:+48221234567;ext=12           -> +48221234567, extension "12"
//   sip:1002@192.168.50.10            -> e164 "", digits "1002" (short extension)
//   "9000" (display name only)        -> e164 "", digits "9000", kind "name"
// Threading: pure function, any thread.
// URI syntax here, numbering plan in kronika/phone/phone_number.h.
#pragma once

#include <string>
#include <string_view>

namespace kronika::sdp {

struct PhoneNumber {
  std::string original;   // input as given
  std::string e164;       // "+48221234567", "" when not a full number
  std::string digits;     // the dialable digits as sent ("1002", "0221234567", "+4822..."
                          // without separators); "" when the user part has no digits
  std::string extension;  // ";ext=" parameter (RFC 3966), "" when none
  std::string kind;       // "tel", "sip", "sips" or "name" (no URI scheme)
};

// `default_country_code`: digits without '+', e.g. "48", for national forms. The numbering
// plan (which forms are E.164, which are extensions) is kronika/phone's, the one normaliser
// the rules and the number index use too.
// Never fails: anything unrecognisable gives e164 "" and digits "".
PhoneNumber NormalizePhoneNumber(std::string_view uri_or_name,
                                 std::string_view default_country_code);

}  // namespace kronika::sdp
