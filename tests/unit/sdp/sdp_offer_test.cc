// ParseSdpOffer: what Kronika reads from SRC offers (vendor corpus and hand-written quirks).
#include "kronika/sdp/sdp_offer.h"

#include <catch2/catch.hpp>

#include "kronika/sdp/siprec_body.h"
#include "siprec_corpus.h"

namespace kronika::sdp {
namespace {

SdpOffer MustParse(const std::string& sdp) {
  auto offer = ParseSdpOffer(sdp);
  INFO(sdp);
  if (!offer.ok()) FAIL(offer.error().message);
  return std::move(offer).value();
}

// SDP of a stored vendor body (as the SIP layer would get it, CRLF).
SdpOffer VendorOffer(const std::string& relative_path) {
  const auto b = testing::VendorBody(relative_path, /*crlf=*/true);
  const auto body = ParseSiprecBody(b.content_type, b.body);
  if (!body.ok()) FAIL(relative_path << ": " << body.error().message);
  return MustParse(body->sdp);
}

std::vector<std::string> Encodings(const OfferedStream& s) {
  std::vector<std::string> out;
  for (const auto& f : s.formats) out.push_back(f.encoding);
  return out;
}

std::vector<int> PayloadTypes(const OfferedStream& s) {
  std::vector<int> out;
  for (const auto& f : s.formats) out.push_back(f.payload_type);
  return out;
}

TEST_CASE("Acme offer: two sendonly PCMU streams with large labels", "[sdp_offer][needs-corpus]") {
  if (!testing::HaveCorpus()) return;
  const SdpOffer offer = VendorOffer("oracle-acme/acme-siprec-offer.txt");
  CHECK(offer.origin_username == "-");
  CHECK(offer.origin_session_id == "20076");
  CHECK(offer.origin_version == 595552);
  REQUIRE(offer.streams.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    const OfferedStream& s = offer.streams[i];
    CHECK(s.index == i);
    CHECK(s.media == "audio");
    CHECK(s.protocol == "RTP/AVP");
    CHECK(s.connection_address == "192.168.50.140");  // session-level c=
    CHECK(s.direction == Direction::kSendOnly);
    CHECK_FALSE(s.OnHold());
    REQUIRE(s.formats.size() == 1);
    CHECK(s.formats[0].payload_type == 0);
    CHECK(s.formats[0].encoding == "PCMU");
    CHECK(s.formats[0].clock_rate == 8000);
    CHECK(s.formats[0].channels == 1);
  }
  CHECK(offer.streams[0].label == "16777227");
  CHECK(offer.streams[1].label == "16777228");
  CHECK(offer.streams[0].port == 20106);
  CHECK(offer.streams[1].port == 20110);
}

TEST_CASE("OpenSIPS offer without any c= line, per-stream codec order", "[sdp_offer][needs-corpus]") {
  if (!testing::HaveCorpus()) return;
  const SdpOffer offer = VendorOffer("opensips-connectel/connectel-offer.txt");
  REQUIRE(offer.streams.size() == 2);
  CHECK(offer.streams[0].connection_address.empty());
  CHECK(Encodings(offer.streams[0]) ==
        std::vector<std::string>{"PCMU", "PCMA", "GSM", "TELEPHONE-EVENT"});
  CHECK(Encodings(offer.streams[1]) == std::vector<std::string>{"PCMA", "PCMU", "TELEPHONE-EVENT"});
  CHECK(offer.streams[0].formats[3].payload_type == 101);
  CHECK(offer.streams[0].formats[3].fmtp == "0-16");
  CHECK(offer.streams[0].format_list == "0 8 3 101");
}

TEST_CASE("Cisco offer inactive from the start, with CN", "[sdp_offer][needs-corpus]") {
  if (!testing::HaveCorpus()) return;
  const SdpOffer offer = VendorOffer("cisco-cube/inactive-sdp-offer.txt");
  REQUIRE(offer.streams.size() == 2);
  for (const auto& s : offer.streams) {
    CHECK(s.direction == Direction::kInactive);
    CHECK(s.OnHold());
    CHECK(s.connection_address == "192.168.1.2");  // media-level c=
    CHECK(PayloadTypes(s) == std::vector<int>{0, 101, 19});
    CHECK(s.formats[2].encoding == "CN");
    CHECK(s.ptime_ms == 20);
  }
}

TEST_CASE("static payload type without a=rtpmap (Avaya env, Metaswitch)", "[sdp_offer][needs-corpus]") {
  if (testing::HaveCorpus()) {
    const SdpOffer avaya = VendorOffer("oracle-acme/acme-in-avaya-env-siprec-offer.txt");
    REQUIRE(avaya.streams.size() == 2);
    CHECK(avaya.streams[0].label == "201835599");
    CHECK(Encodings(avaya.streams[0]) ==
          std::vector<std::string>{"PCMA", "G729", "TELEPHONE-EVENT"});
    // Second m-line: "8 101" with an rtpmap for 101 only.
    REQUIRE(avaya.streams[1].formats.size() == 2);
    CHECK(avaya.streams[1].formats[0].payload_type == 8);
    CHECK(avaya.streams[1].formats[0].encoding == "PCMA");
    CHECK(avaya.streams[1].formats[0].clock_rate == 8000);
  }
  // Metaswitch CFS: no a=rtpmap at all, no direction attribute, session-level c=.
  const SdpOffer ms = MustParse(
      "v=0\r\no=- 3539012340 3539012340 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n"
      "t=0 0\r\nm=audio 16908 RTP/AVP 18 0 8 9 13\r\na=ptime:20\r\na=label:1\r\n");
  REQUIRE(ms.streams.size() == 1);
  const OfferedStream& s = ms.streams[0];
  CHECK(s.direction == Direction::kSendRecv);
  CHECK(s.ptime_ms == 20);
  CHECK(Encodings(s) == std::vector<std::string>{"G729", "PCMU", "PCMA", "G722", "CN"});
  for (const auto& f : s.formats) CHECK(f.clock_rate == 8000);
}

TEST_CASE("G.722: RTP clock 8000 as signalled, audio sampled at 16 kHz", "[sdp_offer]") {
  const SdpOffer offer = MustParse(
      "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
      "m=audio 5000 RTP/AVP 9\r\na=rtpmap:9 G722/8000\r\n");
  REQUIRE(offer.streams[0].formats.size() == 1);
  const PayloadFormat& g722 = offer.streams[0].formats[0];
  CHECK(g722.encoding == "G722");
  CHECK(g722.clock_rate == 8000);
  CHECK(g722.AudioSampleRateHz() == 16000);
  const PayloadFormat pcmu{0, "PCMU", 8000, 1, ""};
  CHECK(pcmu.AudioSampleRateHz() == 8000);
}

TEST_CASE("formats follow the m= line order, not the a=rtpmap order", "[sdp_offer]") {
  const SdpOffer offer = MustParse(
      "v=0\r\no=BroadWorks 170535024 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n"
      "t=0 0\r\nm=audio 22294 RTP/AVP 8 101 0 9 18\r\na=rtpmap:0 PCMU/8000\r\n"
      "a=rtpmap:9 G722/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:18 G729/8000\r\n"
      "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n");
  CHECK(PayloadTypes(offer.streams[0]) == std::vector<int>{8, 101, 0, 9, 18});
}

TEST_CASE("opus, SDES crypto, IPv6 and LF-only input", "[sdp_offer]") {
  const SdpOffer offer = MustParse(
      "v=0\no=- 7 8 IN IP6 2001:db8::1\ns=-\nc=IN IP6 2001:db8::1\nt=0 0\n"
      "m=audio 7000 RTP/SAVP 111 0\na=rtpmap:111 opus/48000/2\na=fmtp:111 useinbandfec=1\n"
      "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w|2^31\n"
      "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 UNENCRYPTED_SRTCP\n"
      "a=label:leg-a\n");
  const OfferedStream& s = offer.streams[0];
  CHECK(s.connection_address == "2001:db8::1");
  CHECK(s.protocol == "RTP/SAVP");
  CHECK(s.label == "leg-a");
  REQUIRE(s.formats.size() == 2);
  CHECK(s.formats[0].encoding == "OPUS");
  CHECK(s.formats[0].clock_rate == 48000);
  CHECK(s.formats[0].channels == 2);
  CHECK(s.formats[0].fmtp == "useinbandfec=1");
  REQUIRE(s.crypto.size() == 2);
  CHECK(s.crypto[0].tag == 1);
  CHECK(s.crypto[0].suite == "AES_256_CM_HMAC_SHA1_80");
  CHECK(s.crypto[1].tag == 2);
  CHECK(s.crypto[1].suite == "AES_CM_128_HMAC_SHA1_80");
  CHECK(s.crypto[1].key_params == "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4");
  CHECK(s.crypto[1].session_params == "UNENCRYPTED_SRTCP");
}

TEST_CASE("direction: media level over session level", "[sdp_offer]") {
  const SdpOffer offer = MustParse(
      "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\na=inactive\r\n"
      "m=audio 4000 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 0\r\na=sendonly\r\n"
      "m=audio 4004 RTP/AVP 0\r\na=recvonly\r\nm=audio 4006 RTP/AVP 0\r\na=sendrecv\r\n");
  REQUIRE(offer.streams.size() == 4);
  CHECK(offer.streams[0].direction == Direction::kInactive);
  CHECK(offer.streams[1].direction == Direction::kSendOnly);
  CHECK(offer.streams[2].direction == Direction::kRecvOnly);
  CHECK(offer.streams[3].direction == Direction::kSendRecv);
  CHECK(DirectionName(offer.streams[2].direction) == "recvonly");
}

TEST_CASE("hold: c=0.0.0.0 and removed streams", "[sdp_offer]") {
  // BroadWorks / Metaswitch pause: c=IN IP4 0.0.0.0, no direction attribute.
  const SdpOffer offer = MustParse(
      "v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
      "m=audio 4000 RTP/AVP 8\r\na=label:1\r\nm=video 0 RTP/AVP 96 97\r\n"
      "m=message 9 TCP/MSRP *\r\n");
  REQUIRE(offer.streams.size() == 3);
  CHECK(offer.streams[0].connection_address == "0.0.0.0");
  CHECK(offer.streams[0].direction == Direction::kSendRecv);
  CHECK(offer.streams[0].OnHold());
  CHECK(offer.streams[1].media == "video");
  CHECK(offer.streams[1].port == 0);
  CHECK(offer.streams[1].OnHold());
  CHECK(offer.streams[1].formats.empty());  // dynamic types without rtpmap are unknown
  CHECK(offer.streams[1].format_list == "96 97");
  CHECK(offer.streams[2].media == "message");
  CHECK(offer.streams[2].format_list == "*");
}

TEST_CASE("hold re-INVITEs from the SIPp corpus are on hold", "[sdp_offer][sipp][needs-corpus]") {
  if (!testing::HaveCorpus()) return;
  int holds = 0;
  for (const auto& m : testing::SippMessagesWithBody()) {
    if (m.scenario.find("broadworks_pause_resume") == std::string::npos &&
        m.scenario.find("16g_basic_call_hold") == std::string::npos) {
      continue;
    }
    const auto body = ParseSiprecBody(m.content_type, m.body, SdpPart::kOptional);
    REQUIRE(body.ok());
    if (body->sdp.empty()) continue;
    const SdpOffer offer = MustParse(body->sdp);
    REQUIRE(offer.streams.size() == 1);
    if (body->sdp.find("c=IN IP4 0.0.0.0") != std::string::npos) {
      ++holds;
      CHECK(offer.streams[0].OnHold());
    } else {
      CHECK_FALSE(offer.streams[0].OnHold());
    }
  }
  CHECK(holds >= 2);
}

TEST_CASE("syntax errors are 400 with sofia-sip's reason", "[sdp_offer]") {
  struct Case {
    std::string sdp;
    std::string message;
  };
  const Case cases[] = {
      {"hello world\r\n", "sdp: bad SDP message"},
      {"", "sdp: bad SDP message"},
      {"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio x RTP/AVP 0\r\n",
       "sdp: malformed m-line 1"},
      {"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1/x RTP/AVP 0\r\n",
       "sdp: malformed m-line 1"},
      {"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0 x\r\n",
       "sdp: m= invalid format for RTP/AVT"},
      // These made sofia-sip's sdp_parse() loop forever (found by fuzzing corpus bodies).
      {"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
       "m=audio 35012 R;;;;;TP/AVP 8 0 101\r\n",
       "sdp: malformed m-line 2"},
      {"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1 FOO ;\r\n",
       "sdp: malformed m-line 1"},
      {"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 350cabe\xaa:1\r\n",
       "sdp: malformed m-line 1"},
      {"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1 FOO \t\r\n",
       "sdp: malformed m-line 1"},
  };
  for (const Case& c : cases) {
    INFO(c.sdp);
    const auto offer = ParseSdpOffer(c.sdp);
    REQUIRE_FALSE(offer.ok());
    CHECK(offer.error().code == ErrorCode::kInvalidInput);
    CHECK(offer.error().message == c.message);
  }
}

TEST_CASE("an SDP without m= lines parses to zero streams", "[sdp_offer]") {
  const SdpOffer offer =
      MustParse("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n");
  CHECK(offer.streams.empty());
}

}  // namespace
}  // namespace kronika::sdp
