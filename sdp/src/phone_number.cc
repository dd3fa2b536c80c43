// URI syntax is sofia-sip's (url_d, url_param, url_unescape); the numbering plan is the one
// normaliser of kronika/phone (libphonenumber).
#include "kronika/sdp/phone_number.h"

#include <sofia-sip/url.h>

#include <cctype>
#include <string>
#include <vector>

#include "kronika/phone/phone_number.h"

namespace kronika::sdp {
namespace {

constexpr size_t kMaxParamBytes = 64;

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

// Value of parameter `name` in a ";a=b;c=d" list, "" when absent.
std::string ParamOf(const char* params, const char* name) {
  if (params == nullptr) return "";
  // sofia-sip's url_param() steps past the terminating NUL when the last parameter starts
  // with `name` but is not `name=...` ("ext" vs "extX"): a heap over-read the metadata fuzz
  // target found through a participant's AOR. With a ';' after every parameter its step
  // always lands inside the string.
  const std::string terminated = std::string(params) + ";";
  char value[kMaxParamBytes];
  isize_t n = url_param(terminated.c_str(), name, value, sizeof value);
  if (n <= 0 || static_cast<size_t>(n) > sizeof value) return "";
  return value;
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

  number.digits = phone::Dialable(user);
  number.e164 = phone::ToE164(number.digits, default_country_code, phone_context);
  return number;
}

}  // namespace kronika::sdp
