// The offer the load generator sends must be one the SRS negotiates to the intended codec
// and SDES key: checked with Kronika's own SDP parser and negotiation.
#include "siprec_offer.h"

#include <catch2/catch.hpp>
#include <string>

#include "kronika/sdp/sdp_answer.h"
#include "kronika/sdp/sdp_offer.h"
#include "kronika/sdp/siprec_body.h"

namespace kronika::loadgen {
namespace {

std::string SdpPart(const std::string& body) {
  const size_t start = body.find("v=0");
  const size_t end = body.find(std::string("--") + kBoundary, start);
  return body.substr(start, end - start);
}

TEST_CASE("Each codec's SIPREC offer negotiates, at the SRS, to that codec on both streams") {
  for (LoadCodec codec : {LoadCodec::kPcmu, LoadCodec::kPcma, LoadCodec::kG722, LoadCodec::kG729, LoadCodec::kOpus}) {
    const CodecSpec& spec = CodecSpecOf(codec);
    INFO("codec " << spec.name);
    OfferParams params;
    params.local_ip = "127.0.0.1";
    params.rtp_port = 40000;
    params.codec = codec;
    auto offer = sdp::ParseSdpOffer(SdpPart(SiprecOfferBody(params)));
    REQUIRE(offer.ok());
    auto negotiation = sdp::Negotiate(*offer, sdp::CodecPreferences{});
    REQUIRE(negotiation.ok());
    REQUIRE(negotiation->streams.size() == 2);
    for (const auto& stream : negotiation->streams) {
      CHECK(stream.accepted);
      CHECK(stream.codec.payload_type == spec.payload_type);
      CHECK_FALSE(stream.crypto.has_value());
      CHECK(stream.protocol == "RTP/AVP");
    }
  }
}

TEST_CASE("An SRTP offer carries RTP/SAVP and the SDES key the SRS decrypts with") {
  OfferParams params;
  params.local_ip = "127.0.0.1";
  params.rtp_port = 40000;
  params.codec = LoadCodec::kG729;
  params.srtp_key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";
  const std::string body = SiprecOfferBody(params);
  CHECK(body.find("a=fmtp:18 annexb=no\r\n") != std::string::npos);
  auto offer = sdp::ParseSdpOffer(SdpPart(body));
  REQUIRE(offer.ok());
  auto negotiation = sdp::Negotiate(*offer, sdp::CodecPreferences{});
  REQUIRE(negotiation.ok());
  for (const auto& stream : negotiation->streams) {
    CHECK(stream.protocol == "RTP/SAVP");
    REQUIRE(stream.crypto.has_value());
    CHECK(stream.crypto->suite == "AES_CM_128_HMAC_SHA1_80");
    CHECK(stream.crypto->key_params == "inline:" + params.srtp_key);
  }
}

}  // namespace
}  // namespace kronika::loadgen
