// ParseSiprecBody against every vendor body and SIPp scenario of the interop corpus, plus
// the broken bodies an SRC can send.
#include "kronika/sdp/siprec_body.h"

#include <catch2/catch.hpp>

#include "kronika/sdp/sdp_offer.h"
#include "siprec_corpus.h"

namespace kronika::sdp {
namespace {

using testing::CorpusBody;
using testing::HaveCorpus;
using testing::VendorBody;

bool StartsWithXml(const std::string& xml) {
  return xml.rfind("<?xml", 0) == 0 || xml.rfind("<recording", 0) == 0 ||
         xml.rfind("<tns:recording", 0) == 0;
}

bool OnlyCrlf(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return false;
    if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) return false;
  }
  return true;
}

constexpr char kSdp[] =
    "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
    "m=audio 4000 RTP/AVP 0\r\na=label:1\r\na=sendonly\r\n";
constexpr char kXml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
    "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><datamode>complete</datamode>"
    "</recording>";

std::string TwoParts(const std::string& boundary, const std::string& eol = "\r\n") {
  return "--" + boundary + eol + "Content-Type: application/sdp" + eol + eol +
         "v=0" + eol + "o=- 1 1 IN IP4 192.0.2.1" + eol + "s=-" + eol + "c=IN IP4 192.0.2.1" +
         eol + "t=0 0" + eol + "m=audio 4000 RTP/AVP 0" + eol + "a=label:1" + eol + eol + "--" +
         boundary + eol + "Content-Type: application/rs-metadata+xml" + eol +
         "Content-Disposition: recording-session" + eol + eol + kXml + eol + "--" + boundary +
         "--" + eol;
}

TEST_CASE("every vendor body splits into SDP and metadata, LF and CRLF", "[siprec_body][needs-corpus]") {
  if (!HaveCorpus()) {
    WARN("interop corpus not found under " KRONIKA_SHARED_DIR "; skipping");
    return;
  }
  const auto bodies = testing::VendorBodies();
  REQUIRE(bodies.size() == 30);  // 15 files x (lf, crlf)
  int multipart = 0;
  for (const CorpusBody& b : bodies) {
    INFO(b.name << " / Content-Type: " << b.content_type);
    const auto parsed = ParseSiprecBody(b.content_type, b.body);
    REQUIRE(parsed.ok());
    CHECK(parsed->sdp.rfind("v=0\r\n", 0) == 0);
    CHECK(OnlyCrlf(parsed->sdp));
    const auto offer = ParseSdpOffer(parsed->sdp);
    REQUIRE(offer.ok());
    CHECK_FALSE(offer->streams.empty());
    if (b.name.find("non-siprec-payload") != std::string::npos) {
      CHECK_FALSE(parsed->multipart);
      CHECK_FALSE(parsed->metadata_xml.has_value());
      continue;
    }
    ++multipart;
    CHECK(parsed->multipart);
    // broadworks-offer.txt is damaged as published ("application/ +xml"): no metadata part.
    if (b.name.find("broadworks-offer.txt") != std::string::npos) {
      CHECK_FALSE(parsed->metadata_xml.has_value());
      continue;
    }
    REQUIRE(parsed->metadata_xml.has_value());
    CHECK(StartsWithXml(*parsed->metadata_xml));
    CHECK(parsed->metadata_xml->find("recording") != std::string::npos);
    // The SDP must not leak into the metadata part or the other way round.
    CHECK(parsed->metadata_xml->find("m=audio") == std::string::npos);
    CHECK(parsed->sdp.find("<?xml") == std::string::npos);
  }
  CHECK(multipart == 28);
}

TEST_CASE("Acme body: labels, trailing space after closing delimiter", "[siprec_body][needs-corpus]") {
  if (!HaveCorpus()) return;
  for (bool crlf : {false, true}) {
    const CorpusBody b = VendorBody("oracle-acme/acme-siprec-offer.txt", crlf);
    REQUIRE(b.body.find("--unique-boundary-1-- ") != std::string::npos);
    const auto parsed = ParseSiprecBody(b.content_type, b.body);
    REQUIRE(parsed.ok());
    CHECK(parsed->metadata_content_type == "application/rs-metadata+xml");
    // The metadata part ends at the closing delimiter; the trailing space is not in it.
    CHECK(parsed->metadata_xml->substr(parsed->metadata_xml->size() - 12) == "</recording>");
    const auto offer = ParseSdpOffer(parsed->sdp);
    REQUIRE(offer.ok());
    REQUIRE(offer->streams.size() == 2);
    CHECK(offer->streams[0].label == "16777227");
    CHECK(offer->streams[1].label == "16777228");
    CHECK(offer->streams[0].port == 20106);
    CHECK(offer->streams[1].port == 20110);
  }
}

TEST_CASE("BroadWorks: metadata part before the SDP part", "[siprec_body][needs-corpus]") {
  if (!HaveCorpus()) return;
  const CorpusBody b = VendorBody("broadworks/broadworks-recording-metadata-offer.txt", true);
  const auto parsed = ParseSiprecBody(b.content_type, b.body);
  REQUIRE(parsed.ok());
  CHECK(parsed->metadata_xml->find("<recording_metadata") != std::string::npos);
  const auto offer = ParseSdpOffer(parsed->sdp);
  REQUIRE(offer.ok());
  REQUIRE(offer->streams.size() == 2);
  CHECK(offer->streams[0].label == "1");
  CHECK(offer->streams[1].label == "2");
  CHECK(offer->origin_username == "BroadWorks");
}

TEST_CASE("SEMS and Sonus: legacy content type and missing closing delimiter",
          "[siprec_body][needs-corpus]") {
  if (!HaveCorpus()) return;
  for (bool crlf : {false, true}) {
    const CorpusBody sems = VendorBody("sems-procomm/procomm-siprec-offer.txt", crlf);
    REQUIRE(sems.body.find("--2CD2A2E9--") == std::string::npos);
    const auto parsed = ParseSiprecBody(sems.content_type, sems.body);
    REQUIRE(parsed.ok());
    CHECK(parsed->metadata_content_type == "application/rs-metadata");
    // The whole metadata document survives, up to its last element.
    CHECK(parsed->metadata_xml->find("</recording>") != std::string::npos);
    const auto offer = ParseSdpOffer(parsed->sdp);
    REQUIRE(offer.ok());
    REQUIRE(offer->streams.size() == 2);
    CHECK(offer->streams[0].label == "a_leg");
    CHECK(offer->streams[1].label == "b_leg");

    const CorpusBody sonus = VendorBody("sonus-ribbon/sonus-siprec-offer.txt", crlf);
    const auto sonus_parsed = ParseSiprecBody(sonus.content_type, sonus.body);
    REQUIRE(sonus_parsed.ok());
    CHECK(sonus_parsed->metadata_xml->find("</tns:recording>") != std::string::npos);
  }
}

// Under ASan this body also guards against the sofia-sip su_home leak described in
// sdp/src/sofia_home.h (three parts, enough allocations for su_home_move to resize).
TEST_CASE("Cisco: the application/gtd part is ignored", "[siprec_body][needs-corpus]") {
  if (!HaveCorpus()) return;
  const CorpusBody b = VendorBody("cisco-cube/cisco-siprec-offer.txt", false);
  const auto parsed = ParseSiprecBody(b.content_type, b.body);
  REQUIRE(parsed.ok());
  CHECK(parsed->metadata_xml->find("IAM,") == std::string::npos);
  CHECK(parsed->sdp.find("IAM,") == std::string::npos);
  CHECK(parsed->metadata_xml->find("</recording>") != std::string::npos);
}

TEST_CASE("every multipart body in the SIPp scenarios parses", "[siprec_body][sipp][needs-corpus]") {
  if (!HaveCorpus()) {
    WARN("interop corpus not found under " KRONIKA_SHARED_DIR "; skipping");
    return;
  }
  const auto messages = testing::SippMessagesWithBody();
  int multipart = 0;
  int metadata_only = 0;
  int plain_sdp = 0;
  for (const auto& m : messages) {
    INFO(m.scenario << " " << m.method << " Content-Type: " << m.content_type);
    const auto parsed = ParseSiprecBody(m.content_type, m.body, SdpPart::kOptional);
    REQUIRE(parsed.ok());
    if (parsed->multipart) {
      ++multipart;
      CHECK(m.method == "INVITE");
      REQUIRE(parsed->metadata_xml.has_value());
      CHECK(StartsWithXml(*parsed->metadata_xml));
      const auto offer = ParseSdpOffer(parsed->sdp);
      REQUIRE(offer.ok());
      REQUIRE_FALSE(offer->streams.empty());
      for (const auto& s : offer->streams) {
        CHECK_FALSE(s.label.empty());
        CHECK(s.port >= testing::kSippMediaPort);
        CHECK_FALSE(s.formats.empty());
      }
    } else if (parsed->sdp.empty()) {
      ++metadata_only;
      CHECK(m.method == "UPDATE");
      CHECK(StartsWithXml(*parsed->metadata_xml));
    } else {
      ++plain_sdp;
      CHECK(ParseSdpOffer(parsed->sdp).ok());
    }
  }
  // Counted independently from the scenario files (every <send> with a body).
  CHECK(multipart == 141);
  CHECK(metadata_only == 16);
  CHECK(plain_sdp == 18);
}

TEST_CASE("plain application/sdp is not SIPREC", "[siprec_body]") {
  const auto parsed = ParseSiprecBody("application/sdp", kSdp);
  REQUIRE(parsed.ok());
  CHECK_FALSE(parsed->multipart);
  CHECK_FALSE(parsed->metadata_xml.has_value());
  CHECK(parsed->sdp == kSdp);
}

TEST_CASE("LF-only SDP is normalised to CRLF", "[siprec_body]") {
  const auto parsed = ParseSiprecBody("Application/SDP", "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\n");
  REQUIRE(parsed.ok());
  CHECK(parsed->sdp == "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n");
}

TEST_CASE("multipart variants accepted", "[siprec_body]") {
  SECTION("CRLF, quoted boundary, related") {
    const auto parsed =
        ParseSiprecBody("multipart/related; boundary=\"b-42\"", TwoParts("b-42"));
    REQUIRE(parsed.ok());
    CHECK(parsed->sdp.find("a=label:1\r\n") != std::string::npos);
    CHECK(*parsed->metadata_xml == kXml);
  }
  SECTION("LF only, no closing delimiter, no space after header colon") {
    std::string body = TwoParts("xyz", "\n");
    body = body.substr(0, body.find("--xyz--"));
    const size_t ct = body.find("Content-Type: application/rs-metadata+xml");
    body.replace(ct, 13, "Content-Type:");
    const auto parsed = ParseSiprecBody("multipart/mixed;boundary=xyz", body);
    REQUIRE(parsed.ok());
    CHECK(parsed->sdp.find("m=audio 4000 RTP/AVP 0\r\n") != std::string::npos);
    REQUIRE(parsed->metadata_xml.has_value());
    CHECK(parsed->metadata_xml->rfind("<?xml", 0) == 0);
    CHECK(parsed->metadata_xml->find("</recording>") != std::string::npos);
  }
  SECTION("whitespace after the closing delimiter and a trailing epilogue") {
    const auto parsed =
        ParseSiprecBody("multipart/mixed;boundary=b1", TwoParts("b1") + "  \r\n\r\n");
    REQUIRE(parsed.ok());
    CHECK(*parsed->metadata_xml == kXml);
  }
  SECTION("part types with parameters and in upper case, header with trailing space") {
    std::string body = TwoParts("b");
    body.replace(body.find("application/sdp"), 15, "Application/SDP;charset=UTF-8");
    body.replace(body.find("application/rs-metadata+xml"), 27,
                 "APPLICATION/RS-METADATA+XML; charset=utf-8");
    const auto parsed = ParseSiprecBody("Multipart/Mixed; boundary=b ", body);
    REQUIRE(parsed.ok());
    CHECK(parsed->sdp.find("a=label:1\r\n") != std::string::npos);
    CHECK(parsed->metadata_content_type == "application/rs-metadata+xml");
    CHECK(*parsed->metadata_xml == kXml);
  }
  SECTION("metadata-only UPDATE body with SdpPart::kOptional") {
    const auto parsed =
        ParseSiprecBody("application/rs-metadata+xml", kXml, SdpPart::kOptional);
    REQUIRE(parsed.ok());
    CHECK(parsed->sdp.empty());
    CHECK(parsed->metadata_content_type == "application/rs-metadata+xml");
  }
}

TEST_CASE("broken bodies are refused with 400/415 and a Warning-safe message",
          "[siprec_body]") {
  struct Case {
    std::string content_type;
    std::string body;
    int status;
    std::string message;
  };
  const std::string only_metadata =
      "--b\r\nContent-Type: application/rs-metadata+xml\r\n\r\n" + std::string(kXml) +
      "\r\n--b--\r\n";
  const Case cases[] = {
      {"text/plain", "hello", 415, "multipart: unsupported body type text/plain"},
      {"multipart/form-data;boundary=b", TwoParts("b"), 415,
       "multipart: unsupported body type multipart/form-data"},
      {"multipart/mixed", TwoParts("b"), 400, "multipart: no boundary parameter in Content-Type"},
      {"multipart/mixed;boundary=other", TwoParts("b"), 400,
       "multipart: boundary 'other' not found in body"},
      {"multipart/mixed;boundary=b", only_metadata, 415, "multipart: no application/sdp part"},
      {"multipart/mixed;boundary=b", "", 400, "multipart: empty body"},
      {"application/rs-metadata+xml", kXml, 415, "multipart: no application/sdp part"},
      {"application/sdp", "\r\n", 400, "multipart: empty application/sdp body"},
      {"", kSdp, 400, "multipart: body without Content-Type"},
  };
  for (const Case& c : cases) {
    INFO("Content-Type: " << c.content_type);
    const auto parsed = ParseSiprecBody(c.content_type, c.body);
    REQUIRE_FALSE(parsed.ok());
    CHECK(SipStatus(parsed.error()) == c.status);
    CHECK(parsed.error().message == c.message);
    CHECK(parsed.error().message.find_first_of("\r\n\"") == std::string::npos);
  }
}

TEST_CASE("a boundary with quotes and CRLF cannot break the Warning text", "[siprec_body]") {
  const auto parsed = ParseSiprecBody("multipart/mixed;boundary=\"a\\\"b\"", TwoParts("zz"));
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().message.find('"') == std::string::npos);
}

}  // namespace
}  // namespace kronika::sdp
