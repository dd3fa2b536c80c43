// Encoding names of SDP rtpmap lines, as used by LegConfig.
#pragma once

#include <string_view>

namespace kronika::media {

enum class Encoding { kUnknown, kPcmu, kPcma, kG722, kG729, kOpus, kTelephoneEvent, kCn };

// Case-insensitive: "PCMU", "pcma", "G722", "G729", "opus", "telephone-event", "CN".
Encoding ParseEncoding(std::string_view name);

// Canonical upper-case name ("PCMU", "OPUS", "TELEPHONE-EVENT", ...); "" for kUnknown.
std::string_view EncodingName(Encoding encoding);

}  // namespace kronika::media
