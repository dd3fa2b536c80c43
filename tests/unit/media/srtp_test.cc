// SRTP: the test protects with libsrtp2 as the remote sender would; the leg unprotects.
#include <catch2/catch.hpp>
#include <spandsp.h>
#include <srtp2/srtp.h>

#include <cstring>

#include "leg_pipeline.h"
#include "leg_test_util.h"
#include "srtp_session.h"

namespace kronika::media {
namespace {

using testing::DominantFrequency;
using testing::kMs;
using testing::MakeRtp;
using testing::RecordingSink;
using testing::Tone;

// 30 bytes 0x00..0x1d in base64 (an RFC 4568 inline key).
constexpr char kKey[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";

class Sender {
 public:
  explicit Sender(bool tag32) {
    REQUIRE(EnsureSrtpInitialized().ok());
    srtp_policy_t policy;
    std::memset(&policy, 0, sizeof(policy));
    if (tag32) {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
    } else {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    }
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    for (int i = 0; i < 30; ++i) key_[i] = uint8_t(i);
    policy.key = key_;
    policy.ssrc.type = ssrc_any_outbound;
    REQUIRE(srtp_create(&session_, &policy) == srtp_err_status_ok);
  }
  ~Sender() { srtp_dealloc(session_); }

  std::vector<uint8_t> Protect(std::vector<uint8_t> rtp) {
    int len = int(rtp.size());
    rtp.resize(rtp.size() + SRTP_MAX_TRAILER_LEN);
    REQUIRE(srtp_protect(session_, rtp.data(), &len) == srtp_err_status_ok);
    rtp.resize(size_t(len));
    return rtp;
  }

 private:
  srtp_t session_ = nullptr;
  uint8_t key_[30];
};

std::vector<uint8_t> TonePacket(int k) {
  std::vector<uint8_t> payload;
  for (int16_t v : Tone(1000, 8000, 160, k * 160)) payload.push_back(linear_to_ulaw(v));
  return MakeRtp(0, uint16_t(k), uint32_t(160 * k), 42, payload);
}

LegConfig SrtpConfig(const char* suite, const char* key) {
  LegConfig c;
  c.formats = {{0, "PCMU", 8000, 1}};
  c.srtp_suite = suite;
  c.srtp_key_b64 = key;
  return c;
}

TEST_CASE("SDES inline keys decode to 30 bytes", "[srtp]") {
  auto plain = DecodeSdesKey(kKey);
  REQUIRE(plain.ok());
  REQUIRE(plain->size() == 30);
  CHECK((*plain)[0] == 0);
  CHECK((*plain)[29] == 29);
  auto decorated = DecodeSdesKey(std::string("inline:") + kKey + "|2^31|1:1");
  REQUIRE(decorated.ok());
  CHECK(*decorated == *plain);
  auto bad = DecodeSdesKey("not*base64");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "srtp: key is not base64");
  // Padding as sent, or dropped by the SRC: the same bytes.
  CHECK(*DecodeSdesKey("AAECAw==") == std::vector<uint8_t>{0, 1, 2, 3});
  CHECK(*DecodeSdesKey("AAECAw") == std::vector<uint8_t>{0, 1, 2, 3});
  CHECK(*DecodeSdesKey("AAECAwQ") == std::vector<uint8_t>{0, 1, 2, 3, 4});
  CHECK_FALSE(DecodeSdesKey("AAECA").ok());       // 5 characters cannot be base64
  CHECK_FALSE(DecodeSdesKey("AAEC Aw==").ok());   // no blanks inside a key
}

TEST_CASE("SRTP sessions reject unknown suites and short keys", "[srtp]") {
  auto suite = SrtpSession::Create("AEAD_AES_256_GCM", kKey);
  REQUIRE_FALSE(suite.ok());
  CHECK(suite.error().message == "srtp: unsupported crypto suite AEAD_AES_256_GCM");
  auto key = SrtpSession::Create("AES_CM_128_HMAC_SHA1_80", "AAECAwQF");
  REQUIRE_FALSE(key.ok());
  CHECK(key.error().message == "srtp: inline key must be 30 bytes, got 6");
  CHECK_FALSE(LegPipeline::Validate(SrtpConfig("AES_CM_128_HMAC_SHA1_80", "AAECAwQF")).ok());
  CHECK(LegPipeline::Validate(SrtpConfig("AES_CM_128_HMAC_SHA1_32", kKey)).ok());
}

TEST_CASE("Leg: SRTP packets are unprotected and decoded", "[srtp][leg]") {
  const bool tag32 = GENERATE(false, true);
  Sender sender(tag32);
  LegPipeline leg(SrtpConfig(tag32 ? "AES_CM_128_HMAC_SHA1_32" : "AES_CM_128_HMAC_SHA1_80",
                             (std::string("inline:") + kKey).c_str()));
  RecordingSink sink;
  std::vector<uint8_t> replay;
  for (int k = 0; k < 50; ++k) {
    auto srtp = sender.Protect(TonePacket(k));
    CHECK(srtp.size() == 12 + 160 + (tag32 ? 4 : 10));
    const int64_t t = 100 * kMs + k * 20 * kMs;
    if (k == 10) {
      auto tampered = srtp;
      tampered[20] ^= 1;  // flipped payload bit: authentication fails
      leg.OnDatagram(tampered.data(), tampered.size(), t);
    }
    leg.OnDatagram(srtp.data(), srtp.size(), t);
    if (k == 20) replay = srtp;
    if (k == 22) leg.OnDatagram(replay.data(), replay.size(), t);  // replayed: a duplicate
    leg.Drain(t, sink);
  }
  leg.Drain(2000 * kMs, sink);
  CHECK(leg.stats().srtp_failures == 1);
  CHECK(leg.stats().duplicate == 1);
  CHECK(leg.stats().packets == 50);
  CHECK(leg.stats().bytes == 50 * 172);
  CHECK(sink.CoveredIn(800, 800 + 8000) == 8000);
  auto timeline = sink.Timeline();
  CHECK(DominantFrequency(std::vector<int16_t>(timeline.begin() + 800, timeline.end()), 8000) ==
        1000);
}

TEST_CASE("Leg: SRTP with the wrong key or plain RTP gives no audio", "[srtp][leg]") {
  Sender sender(false);
  // A different key (first byte changed).
  LegPipeline leg(SrtpConfig("AES_CM_128_HMAC_SHA1_80", "AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"));
  RecordingSink sink;
  for (int k = 0; k < 10; ++k) {
    auto srtp = sender.Protect(TonePacket(k));
    leg.OnDatagram(srtp.data(), srtp.size(), 100 * kMs + k * 20 * kMs);
    auto plain = TonePacket(100 + k);
    leg.OnDatagram(plain.data(), plain.size(), 100 * kMs + k * 20 * kMs);
  }
  leg.Drain(2000 * kMs, sink);
  CHECK(leg.stats().srtp_failures == 20);
  CHECK(leg.stats().packets == 0);
  CHECK(sink.chunks.empty());
}

}  // namespace
}  // namespace kronika::media
