#include "decoder_names.h"

#include <array>
#include <utility>

namespace kronika::media {
namespace {

constexpr std::array<std::pair<Encoding, std::string_view>, 7> kNames = {{
    {Encoding::kPcmu, "PCMU"},
    {Encoding::kPcma, "PCMA"},
    {Encoding::kG722, "G722"},
    {Encoding::kG729, "G729"},
    {Encoding::kOpus, "OPUS"},
    {Encoding::kTelephoneEvent, "TELEPHONE-EVENT"},
    {Encoding::kCn, "CN"},
}};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != b[i]) return false;
  }
  return true;
}

}  // namespace

Encoding ParseEncoding(std::string_view name) {
  for (const auto& [encoding, canonical] : kNames) {
    if (EqualsIgnoreCase(name, canonical)) return encoding;
  }
  return Encoding::kUnknown;
}

std::string_view EncodingName(Encoding encoding) {
  for (const auto& [e, canonical] : kNames) {
    if (e == encoding) return canonical;
  }
  return {};
}

}  // namespace kronika::media
