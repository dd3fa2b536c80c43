// SDP shapes SBCs send beyond the interop corpus (issue 14 item 5): profiles, address
// families, m-line counts and directions, attributes. Each offer is written here (not copied
// from any vendor), run through ParseSdpOffer -> Negotiate -> FormatAnswer as the daemon does,
// and the answer is read back with the same parser an SRC-side check would use.
#include <catch2/catch.hpp>
#include <string>

#include "kronika/sdp/sdp_answer.h"
#include "kronika/sdp/sdp_offer.h"
#include "kronika/sdp/stream_mapping.h"

namespace kronika::sdp {
namespace {

constexpr char kLocalIp[] = "192.0.2.10";
constexpr char kKey[] = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";  // 30 bytes, base64

std::string Session(const std::string& connection = "c=IN IP4 203.0.113.5\r\n") {
  return "v=0\r\no=SBC 7 7 IN IP4 203.0.113.5\r\ns=SIPREC\r\n" + connection + "t=0 0\r\n";
}

SdpOffer MustParse(const std::string& sdp) {
  auto offer = ParseSdpOffer(sdp);
  INFO(sdp);
  if (!offer.ok()) FAIL(offer.error().message);
  return std::move(offer).value();
}

// The answer the daemon would send for `sdp` (accepted streams on ports 40000, 40002, ...).
struct Answered {
  Negotiation negotiation;
  std::string text;
  SdpOffer parsed;  // the answer read back
};

Answered Answer(const std::string& sdp) {
  auto n = Negotiate(MustParse(sdp), CodecPreferences{});
  INFO(sdp);
  if (!n.ok()) FAIL(n.error().message);
  Answered a{std::move(n).value(), "", {}};
  uint16_t port = 40000;
  std::vector<std::string> keys;
  for (NegotiatedStream& s : a.negotiation.streams) {
    keys.push_back(s.crypto ? kKey : "");
    if (s.accepted) {
      s.local_port = port;
      port = static_cast<uint16_t>(port + 2);
    }
  }
  a.text = FormatAnswer(a.negotiation, kLocalIp, 1, 1, keys);
  a.parsed = MustParse(a.text);
  REQUIRE(a.parsed.streams.size() == a.negotiation.streams.size());  // RFC 3264 section 6
  return a;
}

bool Has(const std::string& text, std::string_view needle) { return text.find(needle) != std::string::npos; }

// ---------------------------------------------------------------- profiles

TEST_CASE("WebRTC-facing SBC: RTP/AVPF opus with rtcp-fb is answered in RTP/AVPF", "[sbc_shapes][sdp]") {
  const Answered a = Answer(Session() +
                            "m=audio 50000 RTP/AVPF 111 0 126\r\n"
                            "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"
                            "a=rtcp-fb:111 transport-cc\r\na=rtcp-fb:* nack\r\na=rtcp-mux\r\n"
                            "a=rtpmap:126 telephone-event/8000\r\na=label:caller\r\na=sendonly\r\n"
                            "m=audio 50002 RTP/AVPF 111 0\r\na=rtpmap:111 opus/48000/2\r\n"
                            "a=rtcp-fb:111 nack pli\r\na=label:callee\r\na=sendonly\r\n");
  REQUIRE(a.negotiation.streams.size() == 2);
  for (const NegotiatedStream& s : a.negotiation.streams) {
    CHECK(s.accepted);
    CHECK(s.protocol == "RTP/AVPF");
  }
  CHECK(a.negotiation.streams[0].codec.encoding == "PCMU");  // our preference, offered as well
  CHECK(Has(a.text, "m=audio 40000 RTP/AVPF 0 111 126\r\n"));
  CHECK(Has(a.text, "m=audio 40002 RTP/AVPF 0 111\r\n"));
  CHECK_FALSE(Has(a.text, "rtcp-fb"));  // feedback is not something a recorder sends
  CHECK(a.parsed.streams[0].protocol == "RTP/AVPF");
  CHECK(a.parsed.streams[0].direction == Direction::kRecvOnly);
}

TEST_CASE("RTP/SAVPF with SDES keys is answered RTP/SAVPF with our key", "[sbc_shapes][sdp]") {
  const Answered a =
      Answer(Session() +
             "m=audio 50000 RTP/SAVPF 8\r\n"
             "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^31\r\n"
             "a=rtcp-fb:8 nack\r\na=label:1\r\na=sendonly\r\n");
  REQUIRE(a.negotiation.streams.size() == 1);
  const NegotiatedStream& s = a.negotiation.streams[0];
  CHECK(s.accepted);
  CHECK(s.protocol == "RTP/SAVPF");
  REQUIRE(s.crypto.has_value());
  CHECK(s.crypto->tag == 3);
  CHECK(Has(a.text, "m=audio 40000 RTP/SAVPF 8\r\n"));
  CHECK(Has(a.text, std::string("a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:") + kKey + "\r\n"));
}

TEST_CASE("a misconfigured SDES key on one leg declines that leg only", "[sbc_shapes][sdp]") {
  // 16 bytes instead of 30 (an AES_256 key pasted into a 128-bit profile would be 46).
  const Answered a =
      Answer(Session() +
             "m=audio 50000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5MDEyMzQ1Ng==\r\n"
             "a=label:1\r\n"
             "m=audio 50002 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:not*base64*at*all*but*long*enough*1234\r\n"
             "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\na=label:2\r\n"
             "m=audio 50004 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n"
             "a=label:3\r\n");
  CHECK_FALSE(a.negotiation.streams[0].accepted);
  REQUIRE(a.negotiation.streams[1].accepted);  // its second attribute has a usable key
  CHECK(a.negotiation.streams[1].crypto->tag == 2);
  CHECK(a.negotiation.streams[2].accepted);
  CHECK(a.parsed.streams[0].port == 0);
}

TEST_CASE("profile names are read case-insensitively", "[sbc_shapes][sdp]") {
  const Answered a = Answer(Session() + "m=audio 50000 rtp/avpf 0\r\na=label:1\r\n");
  CHECK(a.negotiation.streams[0].accepted);
  CHECK(a.negotiation.streams[0].codec.encoding == "PCMU");
}

TEST_CASE("DTLS-SRTP beside plain RTP: the RTP leg is recorded, the DTLS one declined", "[sbc_shapes][sdp]") {
  const Answered a = Answer(Session() +
                            "m=audio 50000 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n"
                            "a=fingerprint:sha-256 AB:CD\r\na=setup:actpass\r\na=label:1\r\n"
                            "m=audio 50002 RTP/AVP 8\r\na=label:2\r\n");
  CHECK_FALSE(a.negotiation.streams[0].accepted);
  CHECK(a.negotiation.streams[1].accepted);
  CHECK(Has(a.text, "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n"));
  CHECK(Has(a.text, "m=audio 40000 RTP/AVP 8\r\n"));
  // Only DTLS: there is no audio we could decrypt - the one refusal that remains.
  const auto only = Negotiate(MustParse(Session() + "m=audio 50000 UDP/TLS/RTP/SAVPF 111\r\n"
                                                    "a=rtpmap:111 opus/48000/2\r\n"),
                              CodecPreferences{});
  REQUIRE_FALSE(only.ok());
  CHECK(only.error().message == "sdp: unsupported transport UDP/TLS/RTP/SAVPF in m-line 1");
}

// ---------------------------------------------------------------- addresses

TEST_CASE("IPv6 SBC: c=IN IP6 at session level, answered from an IPv6 address", "[sbc_shapes][sdp]") {
  Negotiation n = Negotiate(MustParse("v=0\r\no=- 1 1 IN IP6 2001:db8::5\r\ns=-\r\n"
                                      "c=IN IP6 2001:db8::5\r\nt=0 0\r\n"
                                      "m=audio 50000 RTP/AVP 0\r\na=label:1\r\n"),
                      CodecPreferences{})
                      .value();
  CHECK(n.streams[0].remote_address == "2001:db8::5");
  n.streams[0].local_port = 40000;
  const std::string answer = FormatAnswer(n, "2001:db8::10", 1, 1);
  CHECK(Has(answer, "c=IN IP6 2001:db8::10\r\n"));
  CHECK(MustParse(answer).streams[0].connection_address == "2001:db8::10");
}

TEST_CASE("mixed address families: media-level c= overrides the session's per m-line", "[sbc_shapes][sdp]") {
  const SdpOffer offer = MustParse(Session("c=IN IP6 2001:db8::5\r\n") +
                                   "m=audio 50000 RTP/AVP 0\r\na=label:1\r\n"
                                   "m=audio 50002 RTP/AVP 0\r\nc=IN IP4 198.51.100.20\r\na=label:2\r\n");
  CHECK(offer.streams[0].connection_address == "2001:db8::5");
  CHECK(offer.streams[1].connection_address == "198.51.100.20");
  const Answered a = Answer(Session("c=IN IP6 2001:db8::5\r\n") +
                            "m=audio 50000 RTP/AVP 0\r\na=label:1\r\n"
                            "m=audio 50002 RTP/AVP 0\r\nc=IN IP4 198.51.100.20\r\na=label:2\r\n");
  CHECK(a.negotiation.streams[1].remote_address == "198.51.100.20");
  CHECK(a.negotiation.streams[0].accepted);
  CHECK(a.negotiation.streams[1].accepted);
}

TEST_CASE("an FQDN in c= is kept as sent, the call is answered", "[sbc_shapes][sdp]") {
  const Answered a = Answer(Session("c=IN IP4 media.sbc.example.net\r\n") + "m=audio 50000 RTP/AVP 0\r\n");
  CHECK(a.negotiation.streams[0].accepted);
  CHECK(a.negotiation.streams[0].remote_address == "media.sbc.example.net");
}

// ---------------------------------------------------------------- session lines

TEST_CASE("an offer without o=, s= or t= still records its audio", "[sbc_shapes][sdp]") {
  for (const std::string sdp : {"v=0\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n",
                                "v=0\r\no=- 1 1 IN IP4 203.0.113.5\r\nc=IN IP4 203.0.113.5\r\n"
                                "m=audio 50000 RTP/AVP 0\r\n"}) {
    INFO(sdp);
    const Answered a = Answer(sdp);
    CHECK(a.negotiation.streams[0].accepted);
  }
  CHECK(MustParse("v=0\r\ns=-\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n").origin_version == 0);
}

TEST_CASE("bandwidth, rtcp and maxptime lines are ignored, ptime echoed", "[sbc_shapes][sdp]") {
  const Answered a = Answer(Session() +
                            "b=AS:64\r\nm=audio 50000 RTP/AVP 18 101\r\nb=TIAS:64000\r\n"
                            "a=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\n"
                            "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"
                            "a=rtcp:50001 IN IP4 203.0.113.5\r\na=ptime:30\r\na=maxptime:60\r\n"
                            "a=label:1\r\na=sendonly\r\n");
  CHECK(a.negotiation.streams[0].codec.encoding == "G729");
  CHECK(Has(a.text, "a=fmtp:18 annexb=no\r\n"));
  CHECK(Has(a.text, "a=ptime:30\r\n"));
  CHECK_FALSE(Has(a.text, "maxptime"));
  CHECK_FALSE(Has(a.text, "\r\nb="));
}

TEST_CASE("codec names in lower case and a dynamic payload type for PCMA", "[sbc_shapes][sdp]") {
  const Answered a = Answer(Session() +
                            "m=audio 50000 RTP/AVP 98 8\r\na=rtpmap:98 pcma/8000\r\na=rtpmap:8 pcma/8000\r\n");
  REQUIRE(a.negotiation.streams[0].formats.size() == 2);
  CHECK(a.negotiation.streams[0].formats[0].payload_type == 98);  // offer order within a codec
  CHECK(a.negotiation.streams[0].formats[0].encoding == "PCMA");
  CHECK(Has(a.text, "m=audio 40000 RTP/AVP 98 8\r\n"));
}

// ---------------------------------------------------------------- m-lines

TEST_CASE("video beside the two audio legs is declined, the audio recorded", "[sbc_shapes][sdp]") {
  const Answered a = Answer(Session() +
                            "m=audio 50000 RTP/AVP 0\r\na=label:1\r\na=sendonly\r\n"
                            "m=video 50010 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=label:3\r\na=sendonly\r\n"
                            "m=audio 50002 RTP/AVP 0\r\na=label:2\r\na=sendonly\r\n");
  CHECK(a.parsed.streams[0].port == 40000);
  CHECK(a.parsed.streams[1].media == "video");
  CHECK(a.parsed.streams[1].port == 0);
  CHECK(a.parsed.streams[2].port == 40002);
  CHECK(a.parsed.streams[2].label == "2");
}

TEST_CASE("a first leg removed with port 0 and a live second leg", "[sbc_shapes][sdp]") {
  const Answered a = Answer(Session() +
                            "m=audio 0 RTP/AVP 0\r\na=label:1\r\n"
                            "m=audio 50002 RTP/AVP 0\r\na=label:2\r\na=sendonly\r\n");
  CHECK_FALSE(a.negotiation.streams[0].accepted);
  CHECK(a.negotiation.streams[1].accepted);
  CHECK(a.parsed.streams[0].port == 0);
  CHECK(a.parsed.streams[1].port == 40000);
}

TEST_CASE("three audio legs (a conference SBC): the third is mixed into both channels", "[sbc_shapes][sdp]") {
  const Answered a = Answer(Session() + "m=audio 50000 RTP/AVP 0\r\na=label:1\r\n"
                                        "m=audio 50002 RTP/AVP 0\r\na=label:2\r\n"
                                        "m=audio 50004 RTP/AVP 0\r\na=label:3\r\n");
  REQUIRE(a.parsed.streams.size() == 3);
  for (const auto& s : a.negotiation.streams) CHECK(s.accepted);
  const StreamMapping mapping = MapStreams({"1", "2", "3"}, nullptr);
  CHECK(mapping.streams[0].channel == kChannelLeft);
  CHECK(mapping.streams[1].channel == kChannelRight);
  CHECK(mapping.streams[2].channel == kChannelMixedMono);
}

TEST_CASE("no a=label on any m-line: recorded in m-line order, and the mapping says why", "[sbc_shapes][sdp]") {
  const Answered a = Answer(Session() + "m=audio 50000 RTP/AVP 0\r\nm=audio 50002 RTP/AVP 0\r\n");
  CHECK(a.negotiation.streams[0].label.empty());
  CHECK_FALSE(Has(a.text, "a=label"));
  RecordingMetadata md;
  md.streams.push_back({"s1", "", "1", "", "", "", "", ""});
  md.streams.push_back({"s2", "", "2", "", "", "", "", ""});
  const StreamMapping mapping = MapStreams({"", ""}, &md);
  CHECK(mapping.fallback_used);
  CHECK(mapping.fallback_reason == "m-line 1 has no a=label; m-line 2 has no a=label");
  CHECK(mapping.streams[0].stream_id == "s1");
  CHECK(mapping.streams[1].stream_id == "s2");
}

// ---------------------------------------------------------------- directions

TEST_CASE("directions an SRC may send, and what the recorder answers", "[sbc_shapes][sdp]") {
  struct Case {
    std::string attributes;
    bool paused;
  };
  const Case cases[] = {
      {"a=sendonly\r\n", false},  // RFC 7866
      {"a=sendrecv\r\n", false},  // SBCs that copy the call's direction
      {"", false},                // no direction: sendrecv (RFC 4566)
      {"a=recvonly\r\n", true},   // nothing will come: inactive
      {"a=inactive\r\n", true},
  };
  for (const Case& c : cases) {
    INFO(c.attributes);
    const Answered a = Answer(Session() + "m=audio 50000 RTP/AVP 0\r\n" + c.attributes);
    CHECK(a.negotiation.streams[0].paused == c.paused);
    CHECK(a.parsed.streams[0].direction == (c.paused ? Direction::kInactive : Direction::kRecvOnly));
  }
}

TEST_CASE("session-level a=inactive with a media-level sendonly override", "[sbc_shapes][sdp]") {
  const Answered a = Answer("v=0\r\no=- 1 1 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\n"
                            "a=inactive\r\nm=audio 50000 RTP/AVP 0\r\na=sendonly\r\n"
                            "m=audio 50002 RTP/AVP 0\r\n");
  CHECK_FALSE(a.negotiation.streams[0].paused);
  CHECK(a.negotiation.streams[1].paused);
}

TEST_CASE("hold with c=0.0.0.0 at session level, IPv6 :: at media level", "[sbc_shapes][sdp]") {
  const Answered a = Answer(Session("c=IN IP4 0.0.0.0\r\n") + "m=audio 50000 RTP/AVP 0\r\n"
                                                              "m=audio 50002 RTP/AVP 0\r\nc=IN IP6 ::\r\n");
  CHECK(a.negotiation.streams[0].paused);
  CHECK(a.negotiation.streams[1].paused);
}

// ---------------------------------------------------------------- vendor-described shapes

TEST_CASE("B2B style: no session c=, c= after each m=, a flag attribute, a=rtcp, labels 0 and 1",
          "[sbc_shapes][sdp]") {
  const Answered a = Answer("v=0\r\no=B2B 1 1 IN IP4 198.51.100.33\r\ns=SipCall\r\nt=0 0\r\n"
                            "m=audio 11584 RTP/AVP 8 108\r\nc=IN IP4 203.0.113.21\r\na=label:0\r\n"
                            "a=rtpmap:8 PCMA/8000\r\na=rtpmap:108 telephone-event/8000\r\na=x7gFlagOnly\r\n"
                            "a=sendonly\r\na=rtcp:11585\r\na=ptime:20\r\n"
                            "m=audio 15682 RTP/AVP 8 108\r\nc=IN IP4 203.0.113.22\r\na=label:1\r\n"
                            "a=rtpmap:8 PCMA/8000\r\na=rtpmap:108 telephone-event/8000\r\na=x7gFlagOnly\r\n"
                            "a=sendonly\r\na=rtcp:15683\r\na=ptime:20\r\n");
  REQUIRE(a.negotiation.streams.size() == 2);
  CHECK(a.negotiation.streams[0].label == "0");
  CHECK(a.negotiation.streams[1].label == "1");
  CHECK(a.negotiation.streams[0].remote_address == "203.0.113.21");
  CHECK(a.negotiation.streams[1].remote_address == "203.0.113.22");
  CHECK(a.negotiation.streams[0].codec.encoding == "PCMA");
  REQUIRE(a.negotiation.streams[0].telephone_event.has_value());
  CHECK(a.negotiation.streams[0].telephone_event->payload_type == 108);
  CHECK_FALSE(Has(a.text, "x7gFlagOnly"));  // not echoed
  CHECK(Has(a.text, "a=label:0\r\n"));
}

TEST_CASE("Mediant style: c= twice, ptime first, OPUS upper case with a spaced fmtp, te 0-15,16",
          "[sbc_shapes][sdp]") {
  const std::string leg = "c=IN IP4 203.0.113.5\r\na=ptime:20\r\na=sendonly\r\n"
                          "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:111 OPUS/48000/2\r\n"
                          "a=fmtp:111 minptime=20; maxplaybackrate=8000; useinbandfec=1\r\n"
                          "a=rtpmap:126 telephone-event/8000\r\na=fmtp:126 0-15,16\r\n";
  const Answered a = Answer(Session() + "m=audio 11096 RTP/AVP 0 8 111 126\r\n" + leg + "a=label:1\r\n" +
                            "m=audio 11100 RTP/AVP 0 8 111 126\r\n" + leg + "a=label:2\r\n");
  for (const NegotiatedStream& s : a.negotiation.streams) {
    CHECK(s.accepted);
    CHECK(s.codec.encoding == "PCMU");  // our order: G.711 before Opus
    CHECK(s.ptime_ms == 20);
    REQUIRE(s.telephone_event.has_value());
    CHECK(s.telephone_event->payload_type == 126);
  }
  INFO(a.text);
  CHECK(Has(a.text, "a=fmtp:126 0-15,16\r\n"));  // kept as sent
}

TEST_CASE("labels 10 and 20 are labels, not m-line numbers", "[sbc_shapes][sdp]") {
  const Answered a = Answer("v=0\r\no=- 830001 1 IN IP4 198.51.100.20\r\ns=SipCall\r\nc=IN IP4 203.0.113.9\r\n"
                            "t=0 0\r\nm=audio 35468 RTP/AVP 8 103\r\na=rtpmap:8 PCMA/8000\r\n"
                            "a=rtpmap:103 telephone-event/8000\r\na=label:10\r\na=sendonly\r\na=ptime:20\r\n"
                            "m=audio 35064 RTP/AVP 8 103\r\na=rtpmap:8 PCMA/8000\r\n"
                            "a=rtpmap:103 telephone-event/8000\r\na=label:20\r\na=sendonly\r\na=ptime:20\r\n");
  const StreamMapping mapping = MapStreams({a.negotiation.streams[0].label, a.negotiation.streams[1].label},
                                           nullptr);
  CHECK(mapping.streams[0].label == "10");
  CHECK(mapping.streams[0].channel == kChannelLeft);
  CHECK(mapping.streams[1].label == "20");
  CHECK(mapping.streams[1].channel == kChannelRight);
  CHECK(Has(a.text, "a=label:10\r\n"));
  CHECK(Has(a.text, "a=label:20\r\n"));
}

}  // namespace
}  // namespace kronika::sdp
