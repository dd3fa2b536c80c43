// DecodeBody (issue 14): a gzip-compressed SIPREC body is decoded, not refused; the decoded
// size is bounded.
#include "kronika/sdp/body_encoding.h"

#include <zlib.h>

#include <catch2/catch.hpp>
#include <string>

#include "kronika/sdp/siprec_body.h"

namespace kronika::sdp {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // zlib: write a gzip wrapper
constexpr int kZlibWindowBits = 15;       // zlib: write a zlib wrapper

// `text` compressed by zlib's deflate with the given wrapper, as an SRC would send it.
std::string Compress(const std::string& text, int window_bits) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, static_cast<uLong>(text.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

const std::string kBody =
    "--b\r\nContent-Type: application/sdp\r\n\r\n"
    "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
    "m=audio 4000 RTP/AVP 0\r\na=label:1\r\na=sendonly\r\n"
    "--b\r\nContent-Type: application/rs-metadata+xml\r\n\r\n"
    "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><datamode>complete</datamode></recording>\r\n"
    "--b--\r\n";

TEST_CASE("a gzip body decodes to the multipart the SRC compressed", "[body_encoding]") {
  for (const std::string coding : {"gzip", "GZIP", "x-gzip", " gzip ", "gzip, identity", "identity,gzip"}) {
    INFO(coding);
    const auto decoded = DecodeBody(coding, Compress(kBody, kGzipWindowBits));
    REQUIRE(decoded.ok());
    CHECK(*decoded == kBody);
    const auto body = ParseSiprecBody("multipart/mixed;boundary=b", *decoded);
    REQUIRE(body.ok());
    CHECK(body->metadata_xml.has_value());
  }
}

TEST_CASE("deflate with a zlib or a gzip wrapper decodes", "[body_encoding]") {
  CHECK(*DecodeBody("deflate", Compress(kBody, kZlibWindowBits)) == kBody);
  CHECK(*DecodeBody("deflate", Compress(kBody, kGzipWindowBits)) == kBody);
}

TEST_CASE("no Content-Encoding or identity leaves the body as it is", "[body_encoding]") {
  CHECK(*DecodeBody("", kBody) == kBody);
  CHECK(*DecodeBody("identity", kBody) == kBody);
  CHECK(*DecodeBody("", "") == "");
}

TEST_CASE("two gzip members one after the other decode to both", "[body_encoding]") {
  const std::string half = kBody.substr(0, kBody.size() / 2);
  const std::string rest = kBody.substr(kBody.size() / 2);
  CHECK(*DecodeBody("gzip", Compress(half, kGzipWindowBits) + Compress(rest, kGzipWindowBits)) == kBody);
}

TEST_CASE("gzip applied twice is undone twice", "[body_encoding]") {
  CHECK(*DecodeBody("gzip, gzip", Compress(Compress(kBody, kGzipWindowBits), kGzipWindowBits)) == kBody);
}

TEST_CASE("an unknown coding is 415, damaged data 400", "[body_encoding]") {
  const auto br = DecodeBody("br", kBody);
  REQUIRE_FALSE(br.ok());
  CHECK(br.error().code == ErrorCode::kUnsupportedType);
  CHECK(br.error().message == "body: unsupported Content-Encoding br");

  const auto plain = DecodeBody("gzip", kBody);  // says gzip, is not
  REQUIRE_FALSE(plain.ok());
  CHECK(plain.error().code == ErrorCode::kInvalidInput);
  CHECK(plain.error().message == "body: gzip data is damaged (incorrect header check)");

  const std::string gz = Compress(kBody, kGzipWindowBits);
  const auto cut = DecodeBody("gzip", gz.substr(0, gz.size() / 2));
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().code == ErrorCode::kInvalidInput);
  CHECK(cut.error().message == "body: gzip data ends before its end");

  std::string flipped = gz;
  flipped[gz.size() - 6] = static_cast<char>(flipped[gz.size() - 6] ^ 0x55);  // CRC-32 trailer
  const auto crc = DecodeBody("gzip", flipped);
  REQUIRE_FALSE(crc.ok());
  CHECK(crc.error().message == "body: gzip data is damaged (incorrect data check)");
}

TEST_CASE("a gzip bomb stops at the bound instead of filling memory", "[body_encoding][hostile]") {
  // 64 MiB of zeros compress to ~64 KiB; decoding stops just past 1 MiB.
  const std::string bomb = Compress(std::string(64u << 20, '\0'), kGzipWindowBits);
  CHECK(bomb.size() < 100 * 1024);
  const auto decoded = DecodeBody("gzip", bomb);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().code == ErrorCode::kTooLarge);
  CHECK(decoded.error().message == "body: decoded body over 1048576 bytes");
  // Exactly the bound is fine.
  CHECK(DecodeBody("gzip", Compress(std::string(kMaxDecodedBodyBytes, 'x'), kGzipWindowBits)).ok());
}

}  // namespace
}  // namespace kronika::sdp
