// SourceLatch: which datagrams may feed one recorded stream (symmetric latching and SSRC
// locking, issues 12 and 14).
//
// An SRC behind NAT, or one whose SDP shows its public address, sends RTP from an address
// the SDP does not name. The latch accepts the first source (address and port) that sends
// valid RTP for the stream, whatever the SDP says, and from then on only that source and
// only the SSRC it latched: another SSRC from the latched address (an injection, issue 12)
// and any other source are refused, each with its own reason. It moves on only when
//   - the stream was renegotiated (re-INVITE/UPDATE, Reopen()): the first packet from
//     another source or with another SSRC within kReopenWindowNs latches anew;
//   - the latched source has sent nothing for `source_silence_ns` and another one sends
//     (SBC fail-over, a NAT binding that changed, ports moved without a re-INVITE); a
//     pause (Hold) is silence the SRC announced, so it does not count; or
//   - the latched SSRC has been silent for `ssrc_silence_ns` and the latched source sends
//     another one (an SBC that re-originates the stream on a transfer).
// Strict mode keeps the older check as well: only the SDP's host (the c= address) may send.
//
// "Valid RTP" is the caller's business (version 2, a negotiated payload type, SRTP
// authentication): Decide() judges a packet and changes nothing, Commit() records one the
// RTP pipeline took. Both are a few compares: no allocation, no lock, no syscall (the media
// worker calls them for every datagram). Times are nanoseconds on one monotonic clock.
// Threading: owned by one media worker thread; not thread-safe. Nothing throws.
#pragma once

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kronika::media {

// An IPv4 or IPv6 address and UDP port, compared by value. IPv4-mapped IPv6 addresses are
// held as IPv4, so a dual-stack socket and the SDP agree on what "the same host" is.
struct Endpoint {
  uint8_t family = 0;               // 0 = none, 4 or 6
  uint16_t port = 0;                // host byte order; 0 = unknown
  std::array<uint8_t, 16> addr{};   // IPv4: the first 4 bytes

  // The sender of a datagram (AF_INET or AF_INET6; anything else gives family 0).
  static Endpoint FromSockaddr(const sockaddr_storage& sa);
  // A literal IPv4/IPv6 address; nullopt for "", names and the unspecified address (an
  // SDP hold: "c=IN IP4 0.0.0.0").
  static std::optional<Endpoint> Parse(std::string_view ip, uint16_t port);

  bool SameHost(const Endpoint& other) const { return family == other.family && addr == other.addr; }
  bool operator==(const Endpoint& other) const = default;
  // "192.0.2.1:4000", "[2001:db8::1]:4000"; "-" for family 0.
  std::string ToString() const;
};

struct LatchOptions {
  bool strict = false;            // true: the source must also be on the SDP's host
  int64_t source_silence_ns = 0;  // another source latches after the latched one was silent this long
  int64_t ssrc_silence_ns = 0;    // another SSRC latches after the latched one was silent this long
};

// After a renegotiation, how long the first differing source or SSRC may latch at once.
// Longer than an SBC takes to move its media after sending a re-INVITE; short enough that a
// stray sender cannot take the stream over long after it.
inline constexpr int64_t kReopenWindowNs = 5'000'000'000;

enum class LatchVerdict : uint8_t {
  kAccept,         // feed it to the stream
  kForeignSource,  // dropped: the stream is latched to another source
  kWrongSsrc,      // dropped: from the latched source, but not the latched SSRC
  kNotSdpHost,     // dropped (strict mode): not from the SDP's host
};

enum class LatchChange : uint8_t {
  kNone,       // the latched source and SSRC, or a refused packet
  kFirst,      // the stream's first source and SSRC
  kNewSource,  // another source (and its SSRC) replaces the latched one
  kNewSsrc,    // the latched source's new SSRC replaces the latched one
};

enum class LatchReason : uint8_t {
  kNone,
  kRenegotiated,  // within kReopenWindowNs of a Reopen()
  kSilence,       // the latched source or SSRC had been silent long enough
};

struct LatchDecision {
  LatchVerdict verdict = LatchVerdict::kAccept;
  LatchChange change = LatchChange::kNone;
  LatchReason reason = LatchReason::kNone;
};

class SourceLatch {
 public:
  explicit SourceLatch(const LatchOptions& options) : options_(options) {}

  // The address (and port, 0 = unknown) the SDP gave for this stream; nullopt when the SDP
  // names none (0.0.0.0, a name). Strict mode accepts only this host; otherwise it is only
  // what differs_from_sdp() compares with.
  void SetSdp(const std::optional<Endpoint>& sdp) { sdp_ = sdp; }

  // The stream was renegotiated at `now_ns`: for kReopenWindowNs the first packet from
  // another source, or with another SSRC, latches at once.
  void Reopen(int64_t now_ns) { reopen_until_ns_ = now_ns + kReopenWindowNs; }

  // The stream is paused (a=inactive) from `now_ns` on, or resumed. While paused the latched
  // source is expected to be silent: no other source takes the stream over for its
  // silence, and its silence is counted again only from the resume (a sender that kept
  // going through a long hold does not find the stream open when the SRC resumes).
  void Hold(bool held, int64_t now_ns) {
    if (held_ && !held) source_last_ns_ = std::max(source_last_ns_, now_ns);
    held_ = held;
  }

  // What to do with a valid RTP packet from `from` with `ssrc` arriving at `arrival_ns`.
  LatchDecision Decide(const Endpoint& from, uint32_t ssrc, int64_t arrival_ns) const;

  // Records a packet the stream took after Decide() accepted it (same arguments).
  void Commit(const LatchDecision& decision, const Endpoint& from, uint32_t ssrc, int64_t arrival_ns);

  bool latched() const { return latched_; }
  const Endpoint& source() const { return source_; }
  uint32_t ssrc() const { return ssrc_; }
  const std::optional<Endpoint>& sdp() const { return sdp_; }
  // Latched to a host other than the SDP's (false when the SDP names no address).
  bool differs_from_sdp() const { return latched_ && sdp_ && !source_.SameHost(*sdp_); }

 private:
  LatchOptions options_;
  std::optional<Endpoint> sdp_;
  bool latched_ = false;
  Endpoint source_;
  uint32_t ssrc_ = 0;
  int64_t source_last_ns_ = 0;  // last packet taken from source_ (any SSRC)
  int64_t ssrc_last_ns_ = 0;    // last packet taken from source_ with ssrc_
  int64_t reopen_until_ns_ = INT64_MIN;
  bool held_ = false;
};

std::string_view LatchReasonName(LatchReason reason);  // "renegotiated", "silence", ""

}  // namespace kronika::media
