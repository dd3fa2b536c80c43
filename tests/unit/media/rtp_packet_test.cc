#include "rtp_packet.h"

#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "leg_test_util.h"

namespace kronika::media {
namespace {

using testing::MakeRtp;

TEST_CASE("RTP header fields are read", "[rtp]") {
  auto bytes = MakeRtp(8, 0xabcd, 0x01020304, 0xdeadbeef, {1, 2, 3}, /*marker=*/true);
  auto p = ParseRtp(bytes.data(), bytes.size());
  REQUIRE(p);
  CHECK(p->payload_type == 8);
  CHECK(p->marker);
  CHECK(p->sequence == 0xabcd);
  CHECK(p->timestamp == 0x01020304u);
  CHECK(p->ssrc == 0xdeadbeefu);
  REQUIRE(p->payload_size == 3);
  CHECK(p->payload[0] == 1);
  CHECK(p->payload[2] == 3);
}

TEST_CASE("RTP CSRC list, header extension and padding are skipped", "[rtp]") {
  std::vector<uint8_t> bytes = MakeRtp(0, 1, 2, 3, {});
  bytes[0] = 0x80 | 0x20 | 0x10 | 2;  // padding, extension, 2 CSRCs
  for (int i = 0; i < 8; ++i) bytes.push_back(0xcc);  // two CSRCs
  bytes.insert(bytes.end(), {0xbe, 0xde, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44});  // 1-word ext
  bytes.insert(bytes.end(), {0xaa, 0xbb});  // payload
  bytes.insert(bytes.end(), {0x00, 0x00, 0x03});  // 3 bytes of padding
  auto p = ParseRtp(bytes.data(), bytes.size());
  REQUIRE(p);
  REQUIRE(p->payload_size == 2);
  CHECK(p->payload[0] == 0xaa);
  CHECK(p->payload[1] == 0xbb);
}

TEST_CASE("Malformed RTP is rejected", "[rtp]") {
  auto good = MakeRtp(0, 1, 2, 3, {9, 9, 9, 9});
  SECTION("short") { CHECK_FALSE(ParseRtp(good.data(), 11)); }
  SECTION("version 1") {
    good[0] = 0x40;
    CHECK_FALSE(ParseRtp(good.data(), good.size()));
  }
  SECTION("CSRCs beyond the end") {
    good[0] = 0x80 | 15;
    CHECK_FALSE(ParseRtp(good.data(), good.size()));
  }
  SECTION("extension beyond the end") {
    good[0] = 0x90;
    good[14] = 0x10;  // 4096 words
    CHECK_FALSE(ParseRtp(good.data(), good.size()));
  }
  SECTION("padding larger than the packet") {
    good[0] = 0xa0;
    good.back() = 200;
    CHECK_FALSE(ParseRtp(good.data(), good.size()));
  }
  SECTION("padding of zero") {
    good[0] = 0xa0;
    good.back() = 0;
    CHECK_FALSE(ParseRtp(good.data(), good.size()));
  }
  SECTION("muxed RTCP sender report (PT 200)") {
    good[1] = 200;  // marker + PT 72
    CHECK_FALSE(ParseRtp(good.data(), good.size()));
  }
  SECTION("null") { CHECK_FALSE(ParseRtp(nullptr, 0)); }
}

TEST_CASE("Random bytes never crash the parser and payload stays inside", "[rtp]") {
  std::mt19937 rng(42);
  std::vector<uint8_t> buf(256);
  int parsed = 0;
  for (int i = 0; i < 200000; ++i) {
    const size_t len = rng() % buf.size();
    for (size_t j = 0; j < len; ++j) buf[j] = static_cast<uint8_t>(rng());
    if (len > 0 && (i & 1)) buf[0] = static_cast<uint8_t>(0x80 | (buf[0] & 0x3f));
    auto p = ParseRtp(buf.data(), len);
    if (p) {
      ++parsed;
      REQUIRE(p->payload >= buf.data() + 12);
      REQUIRE(p->payload + p->payload_size <= buf.data() + len);
    }
  }
  CHECK(parsed > 1000);  // the version-2 half mostly parses
}

}  // namespace
}  // namespace kronika::media
