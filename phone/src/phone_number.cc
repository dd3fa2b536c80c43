#include "kronika/phone/phone_number.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <charconv>

namespace kronika::phone {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Unprefixed digit strings this long may already carry their country code.
constexpr size_t kMinDigitsWithCountryCode = 11;
constexpr char kUnknownRegion[] = "ZZ";

bool IsSeparator(char c) {
  return c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/';
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

const PhoneNumberUtil& Util() { return *PhoneNumberUtil::GetInstance(); }

// "48" -> "PL"; "" for no or an unknown country code.
std::string RegionOf(std::string_view country_code) {
  int code = 0;
  const auto [end, ec] = std::from_chars(country_code.data(), country_code.data() + country_code.size(), code);
  if (country_code.empty() || ec != std::errc() || end != country_code.data() + country_code.size()) return "";
  std::string region;
  Util().GetRegionCodeForCountryCode(code, &region);
  return region == kUnknownRegion ? std::string() : region;
}

// E.164 of `number` read in `region` ("ZZ" for "+..." forms), "" unless possible (or,
// with `valid`, in a range the metadata knows).
std::string PossibleE164(const std::string& number, const std::string& region, bool valid = false) {
  PhoneNumber parsed;
  if (Util().Parse(number, region, &parsed) != PhoneNumberUtil::NO_PARSING_ERROR) return "";
  if (!(valid ? Util().IsValidNumber(parsed) : Util().IsPossibleNumber(parsed))) return "";
  std::string out;
  Util().Format(parsed, PhoneNumberUtil::E164, &out);
  return out;
}

bool HasTrunkPrefix(const std::string& region) {
  std::string prefix;
  Util().GetNddPrefixForRegion(region, /*strip_non_digits=*/true, &prefix);
  return !prefix.empty();
}

}  // namespace

std::string WithoutSeparators(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (!IsSeparator(c)) out.push_back(c);
  }
  return out;
}

std::string Dialable(std::string_view text) {
  std::string d = WithoutSeparators(text);
  const std::string_view digits = !d.empty() && d[0] == '+' ? std::string_view(d).substr(1) : std::string_view(d);
  return AllDigits(digits) ? d : std::string();
}

std::string ToE164(std::string_view text, std::string_view country_code, std::string_view phone_context) {
  const std::string d = Dialable(text);
  if (d.empty()) return "";
  if (d[0] == '+') return d.size() - 1 > kMaxE164Digits ? std::string() : PossibleE164(d, kUnknownRegion);
  if (d.size() > 2 && d[0] == '0' && d[1] == '0') return ToE164("+" + d.substr(2), "", "");
  if (const std::string context = Dialable(phone_context); !context.empty() && context[0] == '+') {
    return ToE164(context + d, "", "");
  }
  const std::string region = RegionOf(country_code);
  if (!region.empty()) {
    if (d[0] == '0' && !HasTrunkPrefix(region)) {
      // A national number that starts with 0 (Italy), else the old trunk prefix or the
      // PBX's outside-line digit in front of one (Poland).
      if (std::string e164 = PossibleE164(d, region, /*valid=*/true); !e164.empty()) return e164;
      if (std::string e164 = PossibleE164(d.substr(1), region); !e164.empty()) return e164;
    } else if (std::string e164 = PossibleE164(d, region); !e164.empty()) {
      return e164;
    }
  }
  if (d.size() >= kMinDigitsWithCountryCode && d.size() <= kMaxE164Digits && d[0] != '0') {
    return PossibleE164("+" + d, kUnknownRegion);
  }
  return "";
}

std::optional<std::string> Canonical(std::string_view text, std::string_view country_code) {
  std::string d = Dialable(text);
  if (d.empty()) return std::nullopt;
  if (d.size() > 2 && d[0] == '0' && d[1] == '0') d = "+" + d.substr(2);
  if (d[0] == '+' && d.size() - 1 > kMaxE164Digits) return std::nullopt;
  std::string e164 = ToE164(d, country_code);
  return e164.empty() ? d : e164;
}

}  // namespace kronika::phone
