#include "byte_range.h"

#include <algorithm>
#include <charconv>
#include <optional>

namespace kronika::srs {
namespace {

// Digits only: from_chars alone would take a leading '-' for signed types and stoull takes
// spaces and a sign, which turned "bytes=1--2" into a huge number.
std::optional<uint64_t> ParseDigits(std::string_view text) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

ByteRangeRequest ParseByteRange(std::string_view header, uint64_t total) {
  using Kind = ByteRangeRequest::Kind;
  constexpr std::string_view kUnit = "bytes=";
  ByteRangeRequest out;
  if (!header.starts_with(kUnit) || header.find(',') != std::string_view::npos) return out;
  const std::string_view spec = header.substr(kUnit.size());
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return out;
  const std::string_view first_text = spec.substr(0, dash), last_text = spec.substr(dash + 1);

  if (first_text.empty()) {  // "bytes=-N": the last N bytes
    const std::optional<uint64_t> suffix = ParseDigits(last_text);
    if (!suffix) return out;
    if (*suffix == 0 || total == 0) return {Kind::kUnsatisfiable, 0, 0};
    return {Kind::kSatisfiable, total - std::min(*suffix, total), total - 1};
  }
  const std::optional<uint64_t> first = ParseDigits(first_text);
  if (!first) return out;
  std::optional<uint64_t> last;
  if (!last_text.empty()) {
    last = ParseDigits(last_text);
    if (!last) return out;
    if (*last < *first) return out;  // RFC 9110 14.1.1: an invalid range-spec, ignored
  }
  if (*first >= total) return {Kind::kUnsatisfiable, 0, 0};
  return {Kind::kSatisfiable, *first, std::min(last.value_or(total - 1), total - 1)};
}

}  // namespace kronika::srs
