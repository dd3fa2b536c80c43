#include "kronika/policy/number_plan.h"

#include <algorithm>
#include <cctype>

#include "kronika/phone/phone_number.h"

namespace kronika::policy {
namespace {

constexpr int kMaxExtensionLength = 15;

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsSeparator(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t';
}

// Same form and length: lexicographic order is numeric order.
bool InRange(const NumberRange& range, std::string_view n) {
  return n.size() == range.first.size() && n >= std::string_view(range.first) &&
         n <= std::string_view(range.last);
}

}  // namespace

std::optional<std::string> CanonicalNumber(const NumberPlan& plan, std::string_view raw) {
  // The site knows its extensions; libphonenumber does not (a 7-digit extension is a
  // possible Polish number): a digit string of an extension length stays an extension.
  const std::string dialable = phone::Dialable(raw);
  if (AllDigits(dialable) && dialable.rfind("00", 0) != 0) {
    for (int len : plan.extension_lengths) {
      if (dialable.size() == static_cast<size_t>(len)) return dialable;
    }
  }
  return phone::Canonical(raw, plan.country_code);
}

bool IsInternalNumber(const NumberPlan& plan, std::string_view n) {
  if (n.empty()) return false;
  for (const std::string& prefix : plan.internal_prefixes) {
    if (n.substr(0, prefix.size()) == prefix) return true;
  }
  for (const NumberRange& range : plan.internal_ranges) {
    if (InRange(range, n)) return true;
  }
  if (AllDigits(n)) {
    for (int len : plan.extension_lengths) {
      if (n.size() == static_cast<size_t>(len)) return true;
    }
  }
  return false;
}

Status NormalizeNumberPlan(NumberPlan& plan, std::string_view field) {
  const std::string f(field);
  auto fail = [&](const std::string& key, const std::string& what) -> Status {
    return MakeError(ErrorCode::kInvalidInput, f + "." + key + ": " + what);
  };
  if (!plan.country_code.empty() && (!AllDigits(plan.country_code) ||
                                     plan.country_code.size() > 3 || plan.country_code[0] == '0')) {
    return fail("country_code",
                "\"" + plan.country_code + "\" is not a country calling code (1-3 digits)");
  }
  if (plan.national_number_length < 0 || plan.national_number_length > 14) {
    return fail("national_number_length",
                std::to_string(plan.national_number_length) + " not in 0..14");
  }
  for (size_t i = 0; i < plan.internal_prefixes.size(); ++i) {
    std::string& p = plan.internal_prefixes[i];
    const std::string key = "internal_prefixes[" + std::to_string(i) + "]";
    // Prefixes are not whole numbers: only remove separators and map 00 -> +.
    std::string t;
    for (char c : p) {
      if (!IsSeparator(c)) t.push_back(c);
    }
    if (t.size() > 2 && t[0] == '0' && t[1] == '0') t = "+" + t.substr(2);
    const std::string_view digits = !t.empty() && t[0] == '+' ? std::string_view(t).substr(1) : t;
    if (!AllDigits(digits)) return fail(key, "\"" + p + "\" is not a number prefix");
    p = t;
  }
  for (size_t i = 0; i < plan.internal_ranges.size(); ++i) {
    NumberRange& r = plan.internal_ranges[i];
    const std::string key = "internal_ranges[" + std::to_string(i) + "]";
    std::optional<std::string> first = CanonicalNumber(plan, r.first);
    std::optional<std::string> last = CanonicalNumber(plan, r.last);
    if (!first) return fail(key + ".first", "\"" + r.first + "\" is not a number");
    if (!last) return fail(key + ".last", "\"" + r.last + "\" is not a number");
    if (first->size() != last->size() || ((*first)[0] == '+') != ((*last)[0] == '+')) {
      return fail(key, "first and last differ in length or form");
    }
    if (*first > *last) return fail(key, "first is above last");
    r.first = *first;
    r.last = *last;
  }
  for (size_t i = 0; i < plan.extension_lengths.size(); ++i) {
    const int len = plan.extension_lengths[i];
    if (len < 1 || len > kMaxExtensionLength) {
      return fail("extension_lengths[" + std::to_string(i) + "]",
                  std::to_string(len) + " not in 1..15");
    }
    if (len == plan.national_number_length) {
      return fail("extension_lengths[" + std::to_string(i) + "]",
                  std::to_string(len) +
                      " equals national_number_length: every national number would be internal");
    }
  }
  return OkStatus();
}

}  // namespace kronika::policy
