// Negotiate / FormatAnswer / FormatOffer: what Kronika answers, checked by reading the
// produced SDP back with the same parser an SRC-side test would use.
#include "kronika/sdp/sdp_answer.h"

#include <catch2/catch.hpp>

#include "kronika/sdp/siprec_body.h"
#include "siprec_corpus.h"

namespace kronika::sdp {
namespace {

constexpr char kLocalIp[] = "198.51.100.7";
constexpr char kKey[] = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";  // 30 bytes, base64

std::string Sdp(const std::string& media) {
  return "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n" + media;
}

SdpOffer MustParse(const std::string& sdp) {
  auto offer = ParseSdpOffer(sdp);
  INFO(sdp);
  if (!offer.ok()) FAIL(offer.error().message);
  return std::move(offer).value();
}

Negotiation MustNegotiate(const std::string& sdp, const CodecPreferences& prefs = {}) {
  auto n = Negotiate(MustParse(sdp), prefs);
  if (!n.ok()) FAIL(n.error().message);
  return std::move(n).value();
}

void AssignPorts(Negotiation& n, uint16_t first = 30000) {
  for (auto& s : n.streams) {
    if (s.accepted) {
      s.local_port = first;
      first = static_cast<uint16_t>(first + 2);
    }
  }
}

bool OnlyCrlf(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return false;
  }
  return !text.empty() && text.back() == '\n';
}

TEST_CASE("two sendonly streams are answered recvonly with labels echoed", "[sdp_answer]") {
  Negotiation n = MustNegotiate(
      Sdp("m=audio 20106 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
          "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n"
          "a=label:16777227\r\na=sendonly\r\n"
          "m=audio 20110 RTP/AVP 0\r\na=label:16777228\r\na=sendonly\r\n"));
  REQUIRE(n.streams.size() == 2);
  CHECK(n.streams[0].accepted);
  CHECK(n.streams[0].codec.encoding == "PCMU");
  REQUIRE(n.streams[0].telephone_event.has_value());
  CHECK(n.streams[0].telephone_event->payload_type == 101);
  CHECK_FALSE(n.streams[1].telephone_event.has_value());
  CHECK(n.streams[0].remote_address == "10.0.0.1");
  CHECK(n.streams[0].remote_port == 20106);
  CHECK_FALSE(n.streams[0].paused);

  AssignPorts(n);
  const std::string answer = FormatAnswer(n, kLocalIp, 42, 1);
  INFO(answer);
  CHECK(OnlyCrlf(answer));
  CHECK(answer.find("o=kronika 42 1 IN IP4 198.51.100.7\r\n") != std::string::npos);
  CHECK(answer.find("m=audio 30000 RTP/AVP 0 101\r\n") != std::string::npos);
  CHECK(answer.find("a=fmtp:101 0-16\r\n") != std::string::npos);
  CHECK(answer.find("a=ptime:20\r\n") != std::string::npos);

  const SdpOffer back = MustParse(answer);
  REQUIRE(back.streams.size() == 2);
  CHECK(back.streams[0].label == "16777227");
  CHECK(back.streams[1].label == "16777228");
  CHECK(back.streams[0].port == 30000);
  CHECK(back.streams[1].port == 30002);
  for (const auto& s : back.streams) {
    CHECK(s.direction == Direction::kRecvOnly);
    CHECK(s.connection_address == kLocalIp);
    REQUIRE_FALSE(s.formats.empty());
    CHECK(s.formats[0].encoding == "PCMU");
  }
}

TEST_CASE("our preference order decides the codec", "[sdp_answer]") {
  const std::string offer = Sdp("m=audio 4000 RTP/AVP 18 8 0 9\r\na=label:1\r\n");
  CHECK(MustNegotiate(offer).streams[0].codec.encoding == "PCMU");
  CodecPreferences prefs;
  prefs.order = {"g722", "PCMA"};  // case-insensitive names
  const Negotiation n = MustNegotiate(offer, prefs);
  CHECK(n.streams[0].codec.encoding == "G722");
  CHECK(n.streams[0].codec.payload_type == 9);
  CHECK(n.streams[0].codec.clock_rate == 8000);  // RTP clock; AudioSampleRateHz() is 16000
  CHECK(n.streams[0].codec.AudioSampleRateHz() == 16000);
}

TEST_CASE("Webex opus offer: telephone-event with the codec's clock", "[sdp_answer]") {
  const std::string offer = Sdp(
      "m=audio 6000 RTP/AVP 111 101 0 8 9 107\r\na=rtpmap:0 PCMU/8000\r\n"
      "a=rtpmap:8 PCMA/8000\r\na=rtpmap:9 G722/8000\r\na=rtpmap:111 opus/48000/2\r\n"
      "a=fmtp:111 useinbandfec=1\r\na=rtpmap:101 telephone-event/8000\r\n"
      "a=fmtp:101 0-15\r\na=rtpmap:107 telephone-event/48000\r\na=fmtp:107 0-15\r\n"
      "a=label:1\r\na=sendonly\r\n");
  CodecPreferences opus_first;
  opus_first.order = {"OPUS", "PCMU"};
  Negotiation n = MustNegotiate(offer, opus_first);
  CHECK(n.streams[0].codec.payload_type == 111);
  REQUIRE(n.streams[0].telephone_event.has_value());
  CHECK(n.streams[0].telephone_event->payload_type == 107);
  AssignPorts(n);
  const std::string answer = FormatAnswer(n, kLocalIp, 1, 1);
  CHECK(answer.find("a=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1\r\n") !=
        std::string::npos);
  CHECK(answer.find("a=rtpmap:107 telephone-event/48000\r\n") != std::string::npos);

  CHECK(MustNegotiate(offer).streams[0].telephone_event->payload_type == 101);  // PCMU, 8 kHz
  CodecPreferences no_dtmf;
  no_dtmf.accept_telephone_event = false;
  CHECK_FALSE(MustNegotiate(offer, no_dtmf).streams[0].telephone_event.has_value());
}

// Payload types of the answer's first m-line, in m= order, read back with the parser.
std::vector<int> AnsweredPayloadTypes(const std::string& answer) {
  std::vector<int> pts;
  const SdpOffer parsed = MustParse(answer);
  for (const PayloadFormat& f : parsed.streams.at(0).formats) {
    pts.push_back(f.payload_type);
  }
  return pts;
}

// Ports assigned, then the answer text (session id and version 1).
std::string AnswerWithPorts(Negotiation& n) {
  AssignPorts(n);
  return FormatAnswer(n, kLocalIp, 1, 1);
}

TEST_CASE("the answer lists every offered codec we decode, in our order, then telephone-event",
          "[sdp_answer]") {
  // RFC 3264 6.1: a recvonly answer lists what we are willing to receive. GSM (3) and iLBC
  // (97) are not decodable here and must not be listed; G.729's fmtp stays as offered.
  Negotiation n = MustNegotiate(
      Sdp("m=audio 4000 RTP/AVP 18 8 3 97 0 9 101\r\na=rtpmap:97 iLBC/8000\r\n"
          "a=fmtp:18 annexb=no\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"
          "a=label:1\r\na=sendonly\r\n"));
  const std::string answer = AnswerWithPorts(n);
  INFO(answer);
  CHECK(answer.find("m=audio 30000 RTP/AVP 0 8 9 18 101\r\n") != std::string::npos);
  CHECK(answer.find("a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:9 G722/8000\r\n"
                    "a=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\n"
                    "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n") !=
        std::string::npos);
  CHECK(answer.find("iLBC") == std::string::npos);
  CHECK(n.streams[0].codec.encoding == "PCMU");  // still the first listed
  // What the media engine gets (srs hands it `formats`) is exactly what the answer lists.
  std::vector<int> negotiated;
  for (const PayloadFormat& f : n.streams[0].formats) negotiated.push_back(f.payload_type);
  CHECK(negotiated == AnsweredPayloadTypes(answer));

  // Only codecs from the configured preferences are listed.
  CodecPreferences alaw_only;
  alaw_only.order = {"pcma"};
  Negotiation narrow = MustNegotiate(Sdp("m=audio 4000 RTP/AVP 18 8 0 101\r\n"
                                         "a=rtpmap:101 telephone-event/8000\r\na=label:1\r\n"),
                                     alaw_only);
  CHECK(AnsweredPayloadTypes(AnswerWithPorts(narrow)) == std::vector<int>{8, 101});
}

TEST_CASE("two payload types of one codec are both listed, in offer order; opus only at 48 kHz",
          "[sdp_answer]") {
  Negotiation n = MustNegotiate(
      Sdp("m=audio 4000 RTP/AVP 112 96 111 0\r\na=rtpmap:112 opus/16000\r\n"
          "a=rtpmap:96 opus/48000/2\r\na=fmtp:96 stereo=1\r\na=rtpmap:111 opus/48000/2\r\n"
          "a=label:1\r\n"));
  const std::string answer = AnswerWithPorts(n);
  INFO(answer);
  CHECK(AnsweredPayloadTypes(answer) == std::vector<int>{0, 96, 111});
  CHECK(answer.find("a=rtpmap:96 opus/48000/2\r\na=fmtp:96 stereo=1\r\n") != std::string::npos);
  CHECK(answer.find("opus/16000") == std::string::npos);
}

TEST_CASE("telephone-event: each one matching a listed codec's clock, offered payload types kept",
          "[sdp_answer]") {
  const std::string both = Sdp(
      "m=audio 4000 RTP/AVP 111 0 110 126\r\na=rtpmap:111 opus/48000/2\r\n"
      "a=rtpmap:110 telephone-event/48000\r\na=rtpmap:126 telephone-event/8000\r\n"
      "a=fmtp:126 0-16\r\na=label:1\r\n");
  Negotiation n = MustNegotiate(both);  // PCMU first, then OPUS
  const std::string answer = AnswerWithPorts(n);
  INFO(answer);
  CHECK(AnsweredPayloadTypes(answer) == std::vector<int>{0, 111, 110, 126});
  CHECK(n.streams[0].telephone_event->payload_type == 126);  // the PCMU clock
  CHECK(answer.find("a=rtpmap:126 telephone-event/8000\r\na=fmtp:126 0-16\r\n") !=
        std::string::npos);

  CodecPreferences ulaw_only;
  ulaw_only.order = {"PCMU"};
  Negotiation narrow = MustNegotiate(both, ulaw_only);
  CHECK(AnsweredPayloadTypes(AnswerWithPorts(narrow)) == std::vector<int>{0, 126});

  // No event stream at a listed clock: the first offered one is kept (it still decodes).
  Negotiation odd = MustNegotiate(Sdp("m=audio 4000 RTP/AVP 0 100\r\n"
                                      "a=rtpmap:100 telephone-event/16000\r\na=label:1\r\n"));
  CHECK(AnsweredPayloadTypes(AnswerWithPorts(odd)) == std::vector<int>{0, 100});
}

TEST_CASE("no acceptable codec: 488 naming the offered codecs", "[sdp_answer]") {
  const auto n = Negotiate(
      MustParse(Sdp("m=audio 4000 RTP/AVP 3 97\r\na=rtpmap:97 iLBC/8000\r\na=label:1\r\n")),
      CodecPreferences{});
  REQUIRE_FALSE(n.ok());
  CHECK(n.error().code == ErrorCode::kNotAcceptable);
  CHECK(n.error().message == "sdp: no acceptable codec in m-line 1 (offered: GSM ILBC)");
}

TEST_CASE("one refused stream among accepted ones is answered with port 0", "[sdp_answer]") {
  Negotiation n = MustNegotiate(
      Sdp("m=video 5000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
          "m=audio 4000 RTP/AVP 3\r\na=label:1\r\n"
          "m=audio 4002 RTP/AVP 8\r\na=label:2\r\n"));
  REQUIRE(n.streams.size() == 3);
  CHECK_FALSE(n.streams[0].accepted);
  CHECK_FALSE(n.streams[1].accepted);
  CHECK(n.streams[2].accepted);
  AssignPorts(n);
  const std::string answer = FormatAnswer(n, kLocalIp, 1, 1);
  CHECK(answer.find("m=video 0 RTP/AVP 96\r\n") != std::string::npos);
  CHECK(answer.find("m=audio 0 RTP/AVP 3\r\n") != std::string::npos);
  const SdpOffer back = MustParse(answer);
  REQUIRE(back.streams.size() == 3);  // RFC 3264: same number of m-lines, same order
  CHECK(back.streams[0].media == "video");
  CHECK(back.streams[0].port == 0);
  CHECK(back.streams[1].port == 0);
  CHECK(back.streams[2].port == 30000);
  CHECK(back.streams[2].label == "2");
}

TEST_CASE("SCOPE-3 audio only: a text (m=message) stream beside the call is declined", "[sdp_answer]") {
  // Szczecin's chat transcripts are a later extension; until then only audio is recorded
  // and an MSRP stream in a SIPREC offer is answered with port 0, the audio accepted.
  Negotiation n = MustNegotiate(
      Sdp("m=audio 4000 RTP/AVP 0\r\na=label:1\r\na=sendonly\r\n"
          "m=message 7000 TCP/MSRP *\r\na=label:2\r\na=accept-types:text/plain\r\n"));
  REQUIRE(n.streams.size() == 2);
  CHECK(n.streams[0].accepted);
  CHECK_FALSE(n.streams[1].accepted);
  AssignPorts(n);
  const SdpOffer back = MustParse(FormatAnswer(n, kLocalIp, 1, 1));
  REQUIRE(back.streams.size() == 2);
  CHECK(back.streams[0].port == 30000);
  CHECK(back.streams[1].media == "message");
  CHECK(back.streams[1].port == 0);
}

TEST_CASE("which refusal is reported when nothing can be accepted", "[sdp_answer]") {
  struct Case {
    std::string media;
    std::string message;
  };
  const Case cases[] = {
      {"m=video 5000 RTP/AVP 96\r\nm=message 9 TCP/MSRP *\r\n",
       "sdp: no audio m-line in offer (offered: video message)"},
      {"", "sdp: no audio m-line in offer (offered: none)"},
      {"m=video 5000 RTP/AVP 96\r\nm=audio 4000 RTP/AVP 3\r\n",
       "sdp: no acceptable codec in m-line 2 (offered: GSM)"},
      {"m=audio 4000 UDP/TLS/RTP/SAVP 0\r\n",
       "sdp: unsupported transport UDP/TLS/RTP/SAVP in m-line 1"},
      {"m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:QUJD\r\n",
       "sdp: no supported SRTP crypto suite with a usable key in m-line 1 (offered: AES_256_CM_HMAC_SHA1_80)"},
      {"m=audio 4000 RTP/SAVP 0\r\n",
       "sdp: no supported SRTP crypto suite with a usable key in m-line 1 (offered: none)"},
      {"m=audio 0 RTP/AVP 0\r\n", "sdp: audio m-line 1 removed (port 0)"},
  };
  for (const Case& c : cases) {
    INFO(c.media);
    const auto n = Negotiate(MustParse(Sdp(c.media)), CodecPreferences{});
    REQUIRE_FALSE(n.ok());
    CHECK(n.error().code == ErrorCode::kNotAcceptable);
    CHECK(n.error().message == c.message);
  }
}

TEST_CASE("paused offers are accepted and answered a=inactive", "[sdp_answer]") {
  SECTION("all inactive (Cisco at call start)") {
    Negotiation n = MustNegotiate(
        Sdp("m=audio 19254 RTP/AVP 0 101 19\r\na=rtpmap:101 telephone-event/8000\r\n"
            "a=inactive\r\na=label:1\r\nm=audio 19236 RTP/AVP 0 101 19\r\n"
            "a=rtpmap:101 telephone-event/8000\r\na=inactive\r\na=label:2\r\n"));
    REQUIRE(n.streams.size() == 2);
    for (const auto& s : n.streams) {
      CHECK(s.accepted);
      CHECK(s.paused);
    }
    AssignPorts(n);
    const SdpOffer back = MustParse(FormatAnswer(n, kLocalIp, 1, 2));
    CHECK(back.streams[0].direction == Direction::kInactive);
    CHECK(back.streams[1].direction == Direction::kInactive);
    CHECK(back.streams[0].port == 30000);  // still allocated: resume needs no new port
  }
  SECTION("c=0.0.0.0 hold") {
    const std::string sdp =
        "v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
        "m=audio 4000 RTP/AVP 8\r\na=label:1\r\n";
    CHECK(MustNegotiate(sdp).streams[0].paused);
  }
  SECTION("recvonly offer: we never send, so inactive") {
    CHECK(MustNegotiate(Sdp("m=audio 4000 RTP/AVP 0\r\na=recvonly\r\n")).streams[0].paused);
  }
}

TEST_CASE("SDES-SRTP: first supported suite, our key in the answer", "[sdp_answer]") {
  Negotiation n = MustNegotiate(Sdp(
      "m=audio 4000 RTP/SAVP 0\r\n"
      "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w\r\n"
      "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw|2^31\r\n"
      "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0\r\n"
      "a=label:1\r\na=sendonly\r\n"));
  REQUIRE(n.streams[0].crypto.has_value());
  CHECK(n.streams[0].crypto->tag == 2);  // the SRC's order among the suites we support
  CHECK(n.streams[0].crypto->suite == "AES_CM_128_HMAC_SHA1_32");
  CHECK(n.streams[0].crypto->key_params ==
        "inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw|2^31");
  AssignPorts(n);
  const std::string answer = FormatAnswer(n, kLocalIp, 1, 1, {kKey});
  CHECK(answer.find("m=audio 30000 RTP/SAVP 0\r\n") != std::string::npos);
  CHECK(answer.find(std::string("a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:") + kKey + "\r\n") !=
        std::string::npos);
  const SdpOffer back = MustParse(answer);
  REQUIRE(back.streams[0].crypto.size() == 1);
  CHECK(back.streams[0].crypto[0].key_params == std::string("inline:") + kKey);

  // Without our key the stream cannot be answered as SRTP: refused rather than half-set-up.
  const std::string no_key = FormatAnswer(n, kLocalIp, 1, 1);
  CHECK(no_key.find("m=audio 0 RTP/SAVP 0\r\n") != std::string::npos);
  CHECK(no_key.find("a=crypto") == std::string::npos);
}

TEST_CASE("an accepted stream without a local port is answered port 0", "[sdp_answer]") {
  const Negotiation n = MustNegotiate(Sdp("m=audio 4000 RTP/AVP 0\r\n"));
  CHECK(FormatAnswer(n, kLocalIp, 1, 1).find("m=audio 0 RTP/AVP 0\r\n") != std::string::npos);
}

TEST_CASE("IPv6 local address", "[sdp_answer]") {
  Negotiation n = MustNegotiate(Sdp("m=audio 4000 RTP/AVP 0\r\n"));
  AssignPorts(n);
  const std::string answer = FormatAnswer(n, "2001:db8::7", 1, 1);
  CHECK(answer.find("c=IN IP6 2001:db8::7\r\n") != std::string::npos);
  CHECK(MustParse(answer).streams[0].connection_address == "2001:db8::7");
}

TEST_CASE("offer for an SDP-less re-INVITE keeps ports and payload types", "[sdp_answer]") {
  Negotiation n = MustNegotiate(Sdp(
      "m=audio 4000 RTP/AVP 8 96\r\na=rtpmap:96 telephone-event/8000\r\na=label:a_leg\r\n"
      "a=sendonly\r\nm=video 4002 RTP/AVP 97\r\na=rtpmap:97 VP8/90000\r\n"
      "m=audio 4004 RTP/AVP 0\r\na=label:b_leg\r\na=inactive\r\n"));
  AssignPorts(n);
  CodecPreferences prefs;  // PCMU PCMA G722 OPUS G729
  const std::string offer = FormatOffer(n, prefs, kLocalIp, 9, 3);
  INFO(offer);
  CHECK(OnlyCrlf(offer));
  CHECK(offer.find("o=kronika 9 3 IN IP4 198.51.100.7\r\n") != std::string::npos);
  const SdpOffer back = MustParse(offer);
  REQUIRE(back.streams.size() == 3);
  const OfferedStream& a = back.streams[0];
  CHECK(a.port == 30000);
  CHECK(a.label == "a_leg");
  CHECK(a.direction == Direction::kRecvOnly);
  std::vector<std::string> encodings;
  for (const auto& f : a.formats) encodings.push_back(f.encoding);
  CHECK(encodings ==
        std::vector<std::string>{"PCMU", "PCMA", "G722", "OPUS", "G729", "TELEPHONE-EVENT"});
  // Payload types in use stay; opus takes the first free dynamic type (96 is DTMF here).
  CHECK(a.formats[1].payload_type == 8);
  CHECK(a.formats[3].payload_type == 97);
  CHECK(a.formats[3].clock_rate == 48000);
  CHECK(a.formats[3].channels == 2);
  CHECK(a.formats[5].payload_type == 96);
  CHECK(back.streams[1].port == 0);
  CHECK(back.streams[1].media == "video");
  CHECK(back.streams[2].port == 30002);
  CHECK(back.streams[2].direction == Direction::kRecvOnly);  // we ask for media again

  // The SRC's answer to that offer negotiates like an offer would.
  const std::string src_answer = Sdp(
      "m=audio 4000 RTP/AVP 8 96\r\na=rtpmap:96 telephone-event/8000\r\na=sendonly\r\n"
      "m=video 0 RTP/AVP 97\r\nm=audio 4004 RTP/AVP 0\r\na=sendonly\r\n");
  const Negotiation again = MustNegotiate(src_answer, prefs);
  CHECK(again.streams[0].codec.payload_type == 8);
  CHECK(again.streams[2].accepted);
}

TEST_CASE("every vendor body and SIPp multipart INVITE negotiates and round-trips",
          "[sdp_answer][sipp][needs-corpus]") {
  if (!testing::HaveCorpus()) {
    WARN("interop corpus not found under " KRONIKA_SHARED_DIR "; skipping");
    return;
  }
  std::vector<std::pair<std::string, std::string>> sdps;  // name, SDP
  for (const auto& b : testing::VendorBodies()) {
    const auto body = ParseSiprecBody(b.content_type, b.body);
    REQUIRE(body.ok());
    sdps.emplace_back(b.name, body->sdp);
  }
  for (const auto& m : testing::SippMessagesWithBody()) {
    const auto body = ParseSiprecBody(m.content_type, m.body, SdpPart::kOptional);
    REQUIRE(body.ok());
    if (!body->sdp.empty()) sdps.emplace_back(m.scenario, body->sdp);
  }
  CHECK(sdps.size() == 30 + 141 + 18);
  int paused = 0;
  int multi_codec = 0;
  for (const auto& [name, sdp] : sdps) {
    INFO(name << "\n" << sdp);
    const SdpOffer offer = MustParse(sdp);
    auto n = Negotiate(offer, CodecPreferences{});
    REQUIRE(n.ok());
    AssignPorts(*n);
    const SdpOffer back = MustParse(FormatAnswer(*n, kLocalIp, 1, 1));
    REQUIRE(back.streams.size() == offer.streams.size());
    for (size_t i = 0; i < offer.streams.size(); ++i) {
      CHECK(back.streams[i].label == offer.streams[i].label);
      if (!n->streams[i].accepted) continue;
      CHECK(back.streams[i].direction ==
            (n->streams[i].paused ? Direction::kInactive : Direction::kRecvOnly));
      paused += n->streams[i].paused ? 1 : 0;
      // Every SRC in the corpus offers G.711 somewhere; PCMU is our first choice.
      const std::string& codec = n->streams[i].codec.encoding;
      CHECK((codec == "PCMU" || codec == "PCMA" || codec == "G722"));
      // The answer lists exactly the negotiated formats (what the media engine decodes),
      // each as offered (payload type, encoding, clock, fmtp).
      const std::vector<PayloadFormat>& listed = back.streams[i].formats;
      REQUIRE(listed.size() == n->streams[i].formats.size());
      for (size_t k = 0; k < listed.size(); ++k) {
        const PayloadFormat& f = n->streams[i].formats[k];
        CHECK(listed[k].payload_type == f.payload_type);
        CHECK(listed[k].encoding == f.encoding);
        CHECK(listed[k].fmtp == f.fmtp);
        const auto& offered = offer.streams[i].formats;
        CHECK(std::any_of(offered.begin(), offered.end(), [&](const PayloadFormat& o) {
          return o.payload_type == f.payload_type && o.encoding == f.encoding &&
                 o.clock_rate == f.clock_rate && o.fmtp == f.fmtp;
        }));
      }
      multi_codec += listed.size() > 2 ? 1 : 0;
    }
  }
  CHECK(paused > 0);
  CHECK(multi_codec > 0);  // some SRCs offer several codecs, and all of them are answered
}

}  // namespace
}  // namespace kronika::sdp
