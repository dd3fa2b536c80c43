// The SRTP packets the load generator prepares at start must be exactly what the SRS's
// SrtpSession (libsrtp2, keyed from the offer's a=crypto) accepts: authentic, in sequence,
// decrypting to the plain RTP packet of the same stream index.
#include "rtp_source.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "speech_audio.h"
#include "srtp_session.h"

namespace kronika::loadgen {
namespace {

std::vector<uint8_t> PlainPacket(const RtpSource& source, uint64_t index, uint32_t ssrc) {
  std::vector<uint8_t> packet(kRtpHeaderBytes);
  FillRtpHeader(packet.data(), source.codec(), index, ssrc);
  const auto payload = source.Payload(index);
  packet.insert(packet.end(), payload.begin(), payload.end());
  return packet;
}

TEST_CASE("SRTP packets prepared by the load generator decrypt, in the SRS's SrtpSession, to the plain stream") {
  // The SRS's library set-up first, as in the daemon (libsrtp2 refuses a second srtp_init).
  REQUIRE(media::EnsureSrtpInitialized().ok());
  const uint64_t kMaxPackets = 500;
  auto source = RtpSource::Create(LoadCodec::kPcma, ToneAudio(8000, 440, 1.0), /*srtp=*/true, kMaxPackets);
  REQUIRE(source.ok());
  const RtpSource& s = **source;
  REQUIRE(s.srtp());
  CHECK(s.sdes_key_base64().size() == 40);  // 30 bytes of key + salt in base64
  CHECK(s.max_start_index() == kSrtpTablePackets - kMaxPackets);
  CHECK(s.packets_available(s.max_start_index()) == kMaxPackets);

  auto session = media::SrtpSession::Create("AES_CM_128_HMAC_SHA1_80", "inline:" + s.sdes_key_base64());
  REQUIRE(session.ok());
  const uint64_t start = 65000;  // a stream near the end of the table, across no rollover
  for (uint64_t index = start; index < start + 100; ++index) {
    const auto srtp = s.SrtpPacket(index);
    std::vector<uint8_t> buffer(srtp.begin(), srtp.end());
    size_t len = buffer.size();
    REQUIRE((*session)->Unprotect(buffer.data(), &len) == media::SrtpSession::Verdict::kOk);
    buffer.resize(len);
    // The SSRC is the table's; everything else is the plain packet of this index.
    const uint32_t ssrc =
        uint32_t{buffer[8]} << 24 | uint32_t{buffer[9]} << 16 | uint32_t{buffer[10]} << 8 | buffer[11];
    CHECK(buffer == PlainPacket(s, index, ssrc));
  }
  // A packet altered on the way fails authentication.
  const auto srtp = s.SrtpPacket(start + 100);
  std::vector<uint8_t> altered(srtp.begin(), srtp.end());
  altered[20] ^= 0x01;
  size_t len = altered.size();
  CHECK((*session)->Unprotect(altered.data(), &len) == media::SrtpSession::Verdict::kFailed);
}

TEST_CASE("Plain RTP headers advance by one sequence number and one 20 ms of the codec's clock") {
  auto source = RtpSource::Create(LoadCodec::kOpus, ToneAudio(16000, 440, 1.0), /*srtp=*/false, 500);
  REQUIRE(source.ok());
  CHECK_FALSE((*source)->srtp());
  CHECK((*source)->sdes_key_base64().empty());
  const auto a = PlainPacket(**source, 65535, 0x01020304);
  const auto b = PlainPacket(**source, 65536, 0x01020304);
  CHECK(a[0] == 0x80);
  CHECK(a[1] == 111);                     // Opus's dynamic payload type
  CHECK((a[2] == 0xff && a[3] == 0xff));  // sequence 65535 ...
  CHECK((b[2] == 0x00 && b[3] == 0x00));  // ... wraps to 0
  const uint32_t ts_a = uint32_t{a[4]} << 24 | uint32_t{a[5]} << 16 | uint32_t{a[6]} << 8 | a[7];
  const uint32_t ts_b = uint32_t{b[4]} << 24 | uint32_t{b[5]} << 16 | uint32_t{b[6]} << 8 | b[7];
  CHECK(ts_b - ts_a == 960);  // 20 ms at 48 kHz
  CHECK((a[8] == 1 && a[11] == 4));
}

TEST_CASE("SRTP calls longer than one prepared sequence cycle are refused up front") {
  auto source = RtpSource::Create(LoadCodec::kPcmu, ToneAudio(8000, 440, 1.0), /*srtp=*/true, kSrtpTablePackets + 1);
  REQUIRE_FALSE(source.ok());
  CHECK(source.error().code == ErrorCode::kUsage);
}

}  // namespace
}  // namespace kronika::loadgen
