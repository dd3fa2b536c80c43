// Bodies that crashed the daemon before (issue 12): each must be refused with a 400 whose
// message can go into a Warning header, and never reach a sofia-sip assertion. The whole
// SIP messages in tests/fuzz/seeds/sip_request/ (the fuzz targets' seeds) are replayed
// through sofia-sip's own SIP parser and our body split, as the daemon does.
// sofia-sip's msg_parser.h trips -Woverflow (see sdp/src/sofia_home.h).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverflow"
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_parser.h>
#pragma GCC diagnostic pop

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "kronika/sdp/metadata_parser.h"
#include "kronika/sdp/sdp_offer.h"
#include "kronika/sdp/siprec_body.h"

namespace kronika::sdp {
namespace {

constexpr char kType[] = "multipart/mixed;boundary=b";

std::string Body(const std::string& sdp_headers, const std::string& xml_headers = "") {
  return "--b\r\n" + sdp_headers + "\r\nv=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n" +
         "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n--b\r\n" +
         "Content-Type: application/rs-metadata+xml\r\n" + xml_headers + "\r\n" +
         "<recording xmlns='urn:ietf:params:xml:ns:recording:1'/>\r\n--b--\r\n";
}

std::string WithNul(std::string text, const std::string& marker) {
  const size_t at = text.find(marker);
  REQUIRE(at != std::string::npos);
  text[at] = '\0';
  return text;
}

void RequireRefusedWith400(const std::string& body, const std::string& message) {
  const auto parsed = ParseSiprecBody(kType, body);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().code == ErrorCode::kInvalidInput);
  CHECK(parsed.error().message == message);
}

TEST_CASE("a NUL byte in a part header is a 400, not a sofia-sip abort", "[siprec_body][hostile]") {
  const std::string ct = "Content-Type: application/sdp\r\n";
  RequireRefusedWith400(WithNul(Body(ct + "X-Nul: a#b\r\n"), "#"),
                        "multipart: NUL byte in the headers of body part 1");
  RequireRefusedWith400(WithNul(Body("Content-Type: appli#cation/sdp\r\n"), "#"),
                        "multipart: NUL byte in the headers of body part 1");
  RequireRefusedWith400(WithNul(Body(ct, "Content-Disposition: record#ing-session\r\n"), "#"),
                        "multipart: NUL byte in the headers of body part 2");
  // In the delimiter line itself, in place of its line end.
  std::string body = Body(ct);
  body[body.find("--b\r\nContent-Type: application/rs") + 3] = '\0';
  RequireRefusedWith400(body, "multipart: NUL byte in the headers of body part 2");
}

TEST_CASE("a NUL byte at every offset of a body never aborts", "[siprec_body][hostile]") {
  const std::string body = Body("Content-Type: application/sdp\r\n");
  for (size_t i = 0; i < body.size(); ++i) {
    std::string replaced = body;
    replaced[i] = '\0';
    std::string inserted = body;
    inserted.insert(i, 1, '\0');
    (void)ParseSiprecBody(kType, replaced);  // reaching the next line is the check
    (void)ParseSiprecBody(kType, inserted);
  }
  SUCCEED("no abort at any of " << body.size() << " offsets");
}

TEST_CASE("a NUL byte inside a part's payload is left to the payload's parser", "[siprec_body][hostile]") {
  const std::string body = WithNul(Body("Content-Type: application/sdp\r\n"), "s=-");
  const auto parsed = ParseSiprecBody(kType, body);
  REQUIRE(parsed.ok());
  CHECK(parsed->sdp.find('\0') != std::string::npos);
  // sofia-sip's SDP parser would stop at the NUL and see no m-line; ours names the defect.
  const auto offer = ParseSdpOffer(parsed->sdp);
  REQUIRE_FALSE(offer.ok());
  CHECK(offer.error().message == "sdp: NUL byte at offset 31");
}

TEST_CASE("more body parts than a SIPREC body has are refused", "[siprec_body][hostile]") {
  std::string body;
  for (int i = 0; i < 40; ++i) body += "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n";
  body += Body("Content-Type: application/sdp\r\n");
  RequireRefusedWith400(body, "multipart: more than 16 body parts");
}

TEST_CASE("metadata nested 100,000 deep is refused, not a stack overflow", "[metadata][hostile]") {
  std::string xml = "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>";
  for (int i = 0; i < 100000; ++i) xml += "<a>";
  for (int i = 0; i < 100000; ++i) xml += "</a>";
  xml += "</recording>";
  // 700 KB: over the size bound first.
  auto parsed = ParseRecordingMetadata(xml);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().code == ErrorCode::kTooLarge);
  // Under the size bound but too deep.
  std::string deep = "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>";
  for (int i = 0; i < 5000; ++i) deep += "<a>";
  for (int i = 0; i < 5000; ++i) deep += "</a>";
  deep += "</recording>";
  parsed = ParseRecordingMetadata(deep);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().code == ErrorCode::kInvalidInput);
  CHECK(parsed.error().message == "metadata: elements nested deeper than 64 levels");
  // 64 levels is accepted (real metadata is 4 deep).
  std::string ok = "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>";
  for (int i = 0; i < 63; ++i) ok += "<a>";
  for (int i = 0; i < 63; ++i) ok += "</a>";
  ok += "</recording>";
  CHECK(ParseRecordingMetadata(ok).ok());
}

// --- the regression seeds, as whole SIP messages ---

struct SplitRequest {
  std::string content_type;
  std::string body;
};

// The request through sofia-sip's SIP parser, as the daemon's transport receives it.
std::optional<SplitRequest> ParseSipMessage(const std::string& raw) {
  su_home_t home[1] = {SU_HOME_INIT(home)};
  msg_t* msg = msg_make(sip_default_mclass(), 0, raw.data(), static_cast<isize_t>(raw.size()));
  std::optional<SplitRequest> out;
  if (msg != nullptr) {
    const sip_t* sip = sip_object(msg);
    if (sip != nullptr && sip->sip_content_type != nullptr) {
      SplitRequest split;
      if (char* text = sip_header_as_string(home, reinterpret_cast<const sip_header_t*>(sip->sip_content_type))) {
        split.content_type = text;
      }
      if (sip->sip_payload != nullptr) split.body.assign(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
      out = std::move(split);
    }
    msg_destroy(msg);
  }
  su_home_deinit(home);
  return out;
}

TEST_CASE("every SIP request regression seed is answered without an abort", "[siprec_body][hostile]") {
  const std::filesystem::path dir = std::filesystem::path(KRONIKA_SOURCE_DIR) / "tests/fuzz/seeds/sip_request";
  REQUIRE(std::filesystem::is_directory(dir));
  int crash_inputs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string name = entry.path().filename().string();
    INFO(name);
    const auto request = ParseSipMessage(raw);
    REQUIRE(request.has_value());
    const auto body = ParseSiprecBody(request->content_type, request->body);
    if (name.rfind("crash-", 0) == 0) {
      ++crash_inputs;
      REQUIRE_FALSE(body.ok());
      CHECK(body.error().code == ErrorCode::kInvalidInput);
    } else if (name.rfind("valid-", 0) == 0) {
      REQUIRE(body.ok());
      CHECK(ParseSdpOffer(body->sdp).ok());
      REQUIRE(body->metadata_xml.has_value());
      CHECK(ParseRecordingMetadata(*body->metadata_xml).ok());
    } else if (body.ok()) {
      (void)ParseSdpOffer(body->sdp);
      if (body->metadata_xml) (void)ParseRecordingMetadata(*body->metadata_xml);
    }
  }
  CHECK(crash_inputs == 4);
}

}  // namespace
}  // namespace kronika::sdp
