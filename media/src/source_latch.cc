#include "source_latch.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace kronika::media {

Endpoint Endpoint::FromSockaddr(const sockaddr_storage& sa) {
  Endpoint e;
  if (sa.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(sa);
    e.family = 4;
    e.port = ntohs(v4.sin_port);
    std::memcpy(e.addr.data(), &v4.sin_addr, 4);
  } else if (sa.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(sa);
    e.port = ntohs(v6.sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
      e.family = 4;
      std::memcpy(e.addr.data(), reinterpret_cast<const uint8_t*>(&v6.sin6_addr) + 12, 4);
    } else {
      e.family = 6;
      std::memcpy(e.addr.data(), &v6.sin6_addr, 16);
    }
  }
  return e;
}

std::optional<Endpoint> Endpoint::Parse(std::string_view ip, uint16_t port) {
  const std::string text(ip);
  Endpoint e;
  e.port = port;
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    if (v4.s_addr == htonl(INADDR_ANY)) return std::nullopt;
    e.family = 4;
    std::memcpy(e.addr.data(), &v4, 4);
    return e;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_UNSPECIFIED(&v6)) return std::nullopt;
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      e.family = 4;
      std::memcpy(e.addr.data(), reinterpret_cast<const uint8_t*>(&v6) + 12, 4);
    } else {
      e.family = 6;
      std::memcpy(e.addr.data(), &v6, 16);
    }
    return e;
  }
  return std::nullopt;
}

std::string Endpoint::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (family == 4) {
    inet_ntop(AF_INET, addr.data(), text, sizeof text);
    return std::string(text) + ":" + std::to_string(port);
  }
  if (family == 6) {
    inet_ntop(AF_INET6, addr.data(), text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(port);
  }
  return "-";
}

LatchDecision SourceLatch::Decide(const Endpoint& from, uint32_t ssrc, int64_t arrival_ns) const {
  LatchDecision d;
  if (options_.strict && sdp_ && !from.SameHost(*sdp_)) {
    d.verdict = LatchVerdict::kNotSdpHost;
    return d;
  }
  if (!latched_) {
    d.change = LatchChange::kFirst;
    return d;
  }
  const bool reopened = arrival_ns < reopen_until_ns_;
  if (from == source_) {
    if (ssrc == ssrc_) return d;
    if (reopened || arrival_ns - ssrc_last_ns_ >= options_.ssrc_silence_ns) {
      d.change = LatchChange::kNewSsrc;
      d.reason = reopened ? LatchReason::kRenegotiated : LatchReason::kSilence;
      return d;
    }
    d.verdict = LatchVerdict::kWrongSsrc;
    return d;
  }
  if (reopened || (!held_ && arrival_ns - source_last_ns_ >= options_.source_silence_ns)) {
    d.change = LatchChange::kNewSource;
    d.reason = reopened ? LatchReason::kRenegotiated : LatchReason::kSilence;
    return d;
  }
  d.verdict = LatchVerdict::kForeignSource;
  return d;
}

void SourceLatch::Commit(const LatchDecision& decision, const Endpoint& from, uint32_t ssrc, int64_t arrival_ns) {
  if (decision.verdict != LatchVerdict::kAccept) return;
  if (decision.change != LatchChange::kNone) {
    latched_ = true;
    source_ = from;
    ssrc_ = ssrc;
    // One move per renegotiation: stragglers of what was latched before are refused now.
    if (decision.change != LatchChange::kFirst) reopen_until_ns_ = INT64_MIN;
  }
  source_last_ns_ = arrival_ns;
  ssrc_last_ns_ = arrival_ns;
}

std::string_view LatchReasonName(LatchReason reason) {
  switch (reason) {
    case LatchReason::kRenegotiated: return "renegotiated";
    case LatchReason::kSilence: return "silence";
    case LatchReason::kNone: break;
  }
  return "";
}

}  // namespace kronika::media
