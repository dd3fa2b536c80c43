// The webhook signature (issue 17; docs/api.md "Webhooks"): what a receiver recomputes to know
// a POST came from this server and was not changed on the way. Pure functions, any thread.
//
//   Kronika-Signature: v1=<hex HMAC-SHA256(secret, "<Kronika-Timestamp>.<body>")>
//
// The timestamp (unix seconds of the attempt, not of the event) is inside the MAC so a
// receiver can refuse replays older than its window (the sample receiver allows 5 minutes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kronika::srs {

inline constexpr char kSignatureHeader[] = "Kronika-Signature";
inline constexpr char kTimestampHeader[] = "Kronika-Timestamp";
inline constexpr char kEventIdHeader[] = "Kronika-Event-Id";
inline constexpr char kEventTypeHeader[] = "Kronika-Event-Type";

// Lower-case hex of HMAC-SHA256(secret, message): 64 characters.
std::string HmacSha256Hex(std::string_view secret, std::string_view message);

// "v1=" + HmacSha256Hex(secret, std::to_string(unix_seconds) + "." + body).
std::string WebhookSignature(std::string_view secret, int64_t unix_seconds, std::string_view body);

}  // namespace kronika::srs
