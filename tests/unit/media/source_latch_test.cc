// SourceLatch without sockets: packets are (source, SSRC, arrival time) triples; each case
// feeds them as the media worker does (Decide, and Commit when accepted) and checks what
// the stream would take.
#include "source_latch.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

namespace kronika::media {
namespace {

constexpr int64_t kMs = 1'000'000;

Endpoint At(const char* ip, uint16_t port) {
  auto e = Endpoint::Parse(ip, port);
  REQUIRE(e.has_value());
  return *e;
}

LatchOptions Options(bool strict = false) {
  LatchOptions o;
  o.strict = strict;
  o.source_silence_ns = 1000 * kMs;
  o.ssrc_silence_ns = 250 * kMs;
  return o;
}

// Decide + Commit, as the worker does for a packet the pipeline takes.
LatchDecision Feed(SourceLatch& latch, const Endpoint& from, uint32_t ssrc, int64_t t) {
  const LatchDecision d = latch.Decide(from, ssrc, t);
  latch.Commit(d, from, ssrc, t);
  return d;
}

TEST_CASE("Latch: the first valid source latches whatever the SDP says (NAT), and is reported as different", "[latch]") {
  SourceLatch latch(Options());
  latch.SetSdp(At("192.0.2.10", 4000));  // the SBC's public address in its SDP
  const Endpoint nat = At("10.1.2.3", 31000);
  const LatchDecision d = Feed(latch, nat, 0xAAAA, 0);
  CHECK(d.verdict == LatchVerdict::kAccept);
  CHECK(d.change == LatchChange::kFirst);
  CHECK(latch.source() == nat);
  CHECK(latch.differs_from_sdp());
  // The SDP's own host is foreign from now on: what was latched is what is recorded.
  CHECK(latch.Decide(At("192.0.2.10", 4000), 0xAAAA, 20 * kMs).verdict == LatchVerdict::kForeignSource);
  CHECK(Feed(latch, nat, 0xAAAA, 20 * kMs).change == LatchChange::kNone);
}

TEST_CASE("Latch: the SDP's host latched is not reported as different; no SDP address is never different", "[latch]") {
  SourceLatch latch(Options());
  latch.SetSdp(At("192.0.2.10", 4000));
  Feed(latch, At("192.0.2.10", 5006), 1, 0);  // another port of the same host
  CHECK_FALSE(latch.differs_from_sdp());
  SourceLatch hold(Options());
  hold.SetSdp(Endpoint::Parse("0.0.0.0", 4000));
  CHECK_FALSE(hold.sdp().has_value());
  Feed(hold, At("10.0.0.1", 4000), 1, 0);
  CHECK_FALSE(hold.differs_from_sdp());
}

TEST_CASE("Latch: another SSRC from the latched source is refused while the latched SSRC is live", "[latch]") {
  SourceLatch latch(Options());
  const Endpoint sbc = At("10.0.0.1", 4000);
  Feed(latch, sbc, 0x1111, 0);
  // The issue 12 injection: a second SSRC interleaved with the real one, 20 ms apart.
  int refused = 0;
  for (int k = 1; k < 100; ++k) {
    const int64_t t = k * 20 * kMs;
    CHECK(Feed(latch, sbc, 0x1111, t).verdict == LatchVerdict::kAccept);
    const LatchDecision injected = Feed(latch, sbc, 0x6666, t + 5 * kMs);
    if (injected.verdict == LatchVerdict::kWrongSsrc) ++refused;
  }
  CHECK(refused == 99);
  CHECK(latch.ssrc() == 0x1111);
}

TEST_CASE("Latch: a new SSRC takes over once the latched one has been silent for ssrc_silence", "[latch]") {
  SourceLatch latch(Options());
  const Endpoint sbc = At("10.0.0.1", 4000);
  Feed(latch, sbc, 0x1111, 0);
  Feed(latch, sbc, 0x1111, 1000 * kMs);  // last packet of the old SSRC
  CHECK(Feed(latch, sbc, 0x2222, 1000 * kMs + 249 * kMs).verdict == LatchVerdict::kWrongSsrc);
  const LatchDecision d = Feed(latch, sbc, 0x2222, 1000 * kMs + 250 * kMs);
  CHECK(d.verdict == LatchVerdict::kAccept);
  CHECK(d.change == LatchChange::kNewSsrc);
  CHECK(d.reason == LatchReason::kSilence);
  CHECK(latch.ssrc() == 0x2222);
  // The old SSRC coming back now is the stray one.
  CHECK(Feed(latch, sbc, 0x1111, 1300 * kMs).verdict == LatchVerdict::kWrongSsrc);
}

TEST_CASE("Latch: another source is refused while the latched one sends, and takes over after source_silence", "[latch]") {
  SourceLatch latch(Options());
  const Endpoint sbc = At("10.0.0.1", 4000);
  const Endpoint other = At("10.0.0.99", 4000);
  Feed(latch, sbc, 1, 0);
  for (int k = 1; k <= 50; ++k) {
    Feed(latch, sbc, 1, k * 20 * kMs);
    CHECK(Feed(latch, other, 7, k * 20 * kMs + kMs).verdict == LatchVerdict::kForeignSource);
  }
  // The SBC fails over: its last packet at 1.0 s, the standby sends from 1.02 s on.
  CHECK(Feed(latch, other, 7, 1999 * kMs).verdict == LatchVerdict::kForeignSource);
  const LatchDecision d = Feed(latch, other, 7, 2000 * kMs);
  CHECK(d.change == LatchChange::kNewSource);
  CHECK(d.reason == LatchReason::kSilence);
  CHECK(latch.source() == other);
  CHECK(latch.ssrc() == 7);
  CHECK(Feed(latch, sbc, 1, 2020 * kMs).verdict == LatchVerdict::kForeignSource);
}

TEST_CASE("Latch: after a renegotiation the first other source or SSRC latches at once, only once", "[latch]") {
  SourceLatch latch(Options());
  const Endpoint old_port = At("10.0.0.1", 4000);
  const Endpoint new_port = At("10.0.0.1", 4100);
  for (int k = 0; k < 50; ++k) Feed(latch, old_port, 1, k * 20 * kMs);
  latch.Reopen(1000 * kMs);  // re-INVITE moving the SRC's ports
  // Packets from the old port still in flight are taken...
  CHECK(Feed(latch, old_port, 1, 1001 * kMs).verdict == LatchVerdict::kAccept);
  // ... and the new port latches with its first packet, no silence needed.
  const LatchDecision d = Feed(latch, new_port, 2, 1010 * kMs);
  CHECK(d.change == LatchChange::kNewSource);
  CHECK(d.reason == LatchReason::kRenegotiated);
  // One move per renegotiation: a straggler of the old port is now foreign, and so is a
  // third source within the window.
  CHECK(Feed(latch, old_port, 1, 1015 * kMs).verdict == LatchVerdict::kForeignSource);
  CHECK(Feed(latch, At("10.0.0.9", 4000), 3, 1030 * kMs).verdict == LatchVerdict::kForeignSource);
}

TEST_CASE("Latch: a renegotiation lets a new SSRC in at once; the window closes after kReopenWindowNs", "[latch]") {
  SourceLatch latch(Options());
  const Endpoint sbc = At("10.0.0.1", 4000);
  Feed(latch, sbc, 1, 0);
  latch.Reopen(100 * kMs);
  CHECK(Feed(latch, sbc, 2, 120 * kMs).change == LatchChange::kNewSsrc);
  SourceLatch late(Options());
  Feed(late, sbc, 1, 0);
  late.Reopen(100 * kMs);
  for (int64_t t = 120 * kMs; t < 100 * kMs + kReopenWindowNs + 100 * kMs; t += 20 * kMs) Feed(late, sbc, 1, t);
  CHECK(late.Decide(sbc, 2, 100 * kMs + kReopenWindowNs + 100 * kMs).verdict == LatchVerdict::kWrongSsrc);
}

TEST_CASE("Latch: a reopen before the first packet keeps the window for the real source", "[latch]") {
  SourceLatch latch(Options());
  latch.Reopen(0);
  Feed(latch, At("10.0.0.1", 4000), 1, 10 * kMs);  // a stray first
  CHECK(Feed(latch, At("10.0.0.1", 4100), 2, 30 * kMs).change == LatchChange::kNewSource);
}

TEST_CASE("Latch: a hold is announced silence: no other source gets in during it, nor right after the resume", "[latch]") {
  SourceLatch latch(Options());
  const Endpoint sbc = At("10.0.0.1", 4000);
  const Endpoint stray = At("10.0.0.66", 4000);
  Feed(latch, sbc, 1, 0);
  latch.Hold(true, 20 * kMs);  // a=inactive: the SBC stops sending
  // The stray keeps sending through a 5 s hold: refused all along.
  for (int64_t t = 40 * kMs; t < 5020 * kMs; t += 20 * kMs) {
    CHECK(Feed(latch, stray, 7, t).verdict == LatchVerdict::kForeignSource);
  }
  latch.Hold(false, 5020 * kMs);  // resumed: the SBC's silence counts from here
  CHECK(Feed(latch, stray, 7, 5030 * kMs).verdict == LatchVerdict::kForeignSource);
  CHECK(Feed(latch, sbc, 1, 5040 * kMs).change == LatchChange::kNone);
  // An SBC that resumes with a new SSRC is taken at once (the old one was silent for 5 s).
  SourceLatch fresh(Options());
  Feed(fresh, sbc, 1, 0);
  fresh.Hold(true, 20 * kMs);
  fresh.Hold(false, 3000 * kMs);
  CHECK(Feed(fresh, sbc, 2, 3010 * kMs).change == LatchChange::kNewSsrc);
  // A source that stays silent for source_silence after the resume may be replaced.
  CHECK(Feed(fresh, stray, 7, 4010 * kMs).change == LatchChange::kNewSource);
}

TEST_CASE("Latch: strict mode takes only the SDP host, any port, with the same SSRC lock", "[latch]") {
  SourceLatch latch(Options(/*strict=*/true));
  latch.SetSdp(At("192.0.2.10", 4000));
  CHECK(Feed(latch, At("10.1.2.3", 4000), 1, 0).verdict == LatchVerdict::kNotSdpHost);
  CHECK_FALSE(latch.latched());
  CHECK(Feed(latch, At("192.0.2.10", 4002), 1, 10 * kMs).change == LatchChange::kFirst);
  CHECK(Feed(latch, At("192.0.2.10", 4002), 9, 20 * kMs).verdict == LatchVerdict::kWrongSsrc);
  CHECK(Feed(latch, At("10.1.2.3", 4000), 1, 5000 * kMs).verdict == LatchVerdict::kNotSdpHost);
  // Without an SDP address strict mode has nothing to check against: it latches as usual.
  SourceLatch open(Options(/*strict=*/true));
  CHECK(Feed(open, At("10.1.2.3", 4000), 1, 0).change == LatchChange::kFirst);
}

TEST_CASE("Latch: a decision that the stream did not take changes nothing", "[latch]") {
  SourceLatch latch(Options());
  const Endpoint a = At("10.0.0.1", 4000);
  const LatchDecision d = latch.Decide(a, 1, 0);  // e.g. SRTP authentication failed
  CHECK(d.change == LatchChange::kFirst);
  CHECK_FALSE(latch.latched());
  Feed(latch, At("10.0.0.2", 4000), 2, 10 * kMs);
  CHECK(latch.source() == At("10.0.0.2", 4000));
}

TEST_CASE("Endpoint: IPv4, IPv6 and IPv4-mapped senders compare as the same host when they are", "[latch]") {
  sockaddr_storage sa{};
  auto& v6 = reinterpret_cast<sockaddr_in6&>(sa);
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(5004);
  REQUIRE(inet_pton(AF_INET6, "::ffff:192.0.2.7", &v6.sin6_addr) == 1);
  const Endpoint mapped = Endpoint::FromSockaddr(sa);
  CHECK(mapped == At("192.0.2.7", 5004));
  CHECK(mapped.ToString() == "192.0.2.7:5004");
  const Endpoint v6e = At("2001:db8::1", 6000);
  CHECK(v6e.ToString() == "[2001:db8::1]:6000");
  CHECK_FALSE(v6e.SameHost(mapped));
  CHECK_FALSE(Endpoint::Parse("::", 1).has_value());
  CHECK_FALSE(Endpoint::Parse("sbc.example.pl", 1).has_value());
  CHECK(Endpoint{}.ToString() == "-");
}

}  // namespace
}  // namespace kronika::media
