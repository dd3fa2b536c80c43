// URI syntax is sofia-sip's (url_d, url_param, url_unescape); what is left here is the
// numbering plan: separators, prefixes and the E.164 length rules.
#include "kronika/sdp/phone_number.h"

#include <sofia-sip/url.h>

#include <cctype>
#include <string>
#include <vector>

namespace kronika::sdp {
namespace {

constexpr size_t kMaxParamBytes = 64;
// Unprefixed numbers this long are taken to carry their country code already.
constexpr size_t kMinDigitsWithCountryCode = 11;

bool IsVisualSeparator(char c) {
  // RFC 3966 visual-separator plus the space people type.
  return c == '-' || c == '.' || c == '(' || c == ')' || c == ' ';
}

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string Trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

// "+48-22 123" -> "+4822123"; "" when anything but digits (and one leading '+') remains.
std::string DialableDigits(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (IsVisualSeparator(c)) continue;
    if (c == '+' && out.empty()) {
      out.push_back(c);
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) return "";
    out.push_back(c);
  }
  return out == "+" ? "" : out;
}

// Value of parameter `name` in a ";a=b;c=d" list, "" when absent.
std::string ParamOf(const char* params, const char* name) {
  if (params == nullptr) return "";
  char value[kMaxParamBytes];
  isize_t n = url_param(params, name, value, sizeof value);
  if (n <= 0 || static_cast<size_t>(n) > sizeof value) return "";
  return value;
}

std::string E164(std::string_view digits_after_plus) {
  if (!AllDigits(digits_after_plus) || digits_after_plus.size() > kMaxE164Digits ||
      digits_after_plus.front() == '0') {
    return "";
  }
  return "+" + std::string(digits_after_plus);
}

// The numbering plan: digits as dialled -> E.164 or "".
std::string ToE164(const std::string& digits, const std::string& phone_context,
                   std::string_view country_code) {
  if (digits.empty()) return "";
  if (digits[0] == '+') return E164(std::string_view(digits).substr(1));
  if (digits.rfind("00", 0) == 0) return E164(std::string_view(digits).substr(2));
  // RFC 3966 local number with a global context: "+48" prefixes it.
  if (!phone_context.empty() && phone_context[0] == '+') {
    std::string context_digits = DialableDigits(phone_context);
    if (!context_digits.empty()) return E164(context_digits.substr(1) + digits);
  }
  if (digits[0] == '0') {  // national trunk prefix
    std::string national = digits.substr(1);
    if (national.size() + 1 < kMinNationalDigits || country_code.empty()) return "";
    return E164(std::string(country_code) + national);
  }
  if (digits.size() < kMinNationalDigits) return "";  // an extension
  if (digits.size() >= kMinDigitsWithCountryCode) return E164(digits);
  if (country_code.empty()) return "";
  return E164(std::string(country_code) + digits);
}

}  // namespace

PhoneNumber NormalizePhoneNumber(std::string_view uri_or_name,
                                 std::string_view default_country_code) {
  PhoneNumber number;
  number.original = std::string(uri_or_name);
  std::string text = Trim(uri_or_name);
  // Display names in angle brackets or quotes: "<sip:...>" -> "sip:...".
  if (text.size() >= 2 && text.front() == '<' && text.back() == '>') {
    text = Trim(std::string_view(text).substr(1, text.size() - 2));
  }
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = Trim(std::string_view(text).substr(1, text.size() - 2));
  }

  std::vector<char> buffer(text.begin(), text.end());
  buffer.push_back('\0');
  url_t url;
  bool parsed = !text.empty() && url_d(&url, buffer.data()) == 0;

  std::string user;
  std::string params;       // URI parameters, tel: parameters
  std::string user_params;  // sip:+4822;phone-context=+48@host puts them in the user part
  if (parsed && url.url_type == url_sip) {
    number.kind = "sip";
  } else if (parsed && url.url_type == url_sips) {
    number.kind = "sips";
  } else if (parsed && url.url_type == url_tel) {
    number.kind = "tel";
  } else if (parsed && url.url_scheme == nullptr && url.url_user != nullptr) {
    number.kind = "sip";  // an AOR without its scheme ("2249888500@172.16.198.55")
  } else {
    number.kind = "name";
  }

  if (number.kind == "name") {
    user = text;
  } else {
    user = url.url_user != nullptr ? url.url_user : "";
    // "sip:8638254725" (BroadWorks ACD): no '@', so the number sits in the host part.
    if (url.url_user == nullptr && url.url_host != nullptr && url.url_scheme != nullptr &&
        AllDigits(url.url_host)) {
      user = url.url_host;
    }
    if (url.url_params != nullptr) params = url.url_params;
    size_t semicolon = user.find(';');
    if (semicolon != std::string::npos) {
      user_params = user.substr(semicolon + 1);
      user.erase(semicolon);
    }
    std::vector<char> unescaped(user.begin(), user.end());
    unescaped.push_back('\0');
    url_unescape(unescaped.data(), unescaped.data());
    user = unescaped.data();
  }

  std::string phone_context = ParamOf(user_params.c_str(), "phone-context");
  if (phone_context.empty()) phone_context = ParamOf(params.c_str(), "phone-context");
  number.extension = ParamOf(user_params.c_str(), "ext");
  if (number.extension.empty()) number.extension = ParamOf(params.c_str(), "ext");

  number.digits = DialableDigits(user);
  number.e164 = ToE164(number.digits, phone_context, default_country_code);
  return number;
}

}  // namespace kronika::sdp
