#include "rtp_source.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <srtp2/srtp.h>

#include <mutex>

namespace kronika::loadgen {
namespace {

constexpr size_t kSrtpMasterKeyBytes = 30;  // AES_CM_128: 16-byte key + 14-byte salt
constexpr uint32_t kSrtpSsrc = 0x4b524f4e;  // "KRON"

// libsrtp2's srtp_init fails when the library was already initialised in this process
// (by another component, e.g. the media engine in the loadgen unit tests); srtp_create
// below then tells whether the library is usable, so the result is only kept for its error.
srtp_err_status_t InitSrtpOnce() {
  static std::once_flag once;
  static srtp_err_status_t status = srtp_err_status_ok;
  std::call_once(once, [] { status = srtp_init(); });
  return status;
}

struct SrtpDeleter {
  void operator()(srtp_ctx_t* session) const { srtp_dealloc(session); }
};

void WriteRtpHeader(uint8_t* p, int payload_type, uint64_t index, uint32_t timestamp_step, uint32_t ssrc) {
  const auto seq = static_cast<uint16_t>(index);
  const auto ts = static_cast<uint32_t>(index * timestamp_step);
  p[0] = 0x80;  // version 2, no padding, no extension, no CSRC
  p[1] = static_cast<uint8_t>(payload_type);
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  p[4] = static_cast<uint8_t>(ts >> 24);
  p[5] = static_cast<uint8_t>(ts >> 16);
  p[6] = static_cast<uint8_t>(ts >> 8);
  p[7] = static_cast<uint8_t>(ts);
  p[8] = static_cast<uint8_t>(ssrc >> 24);
  p[9] = static_cast<uint8_t>(ssrc >> 16);
  p[10] = static_cast<uint8_t>(ssrc >> 8);
  p[11] = static_cast<uint8_t>(ssrc);
}

}  // namespace

RtpSource::RtpSource(const CodecSpec& codec, EncodedLoop loop) : codec_(&codec), loop_(std::move(loop)) {}
RtpSource::~RtpSource() = default;

Result<std::unique_ptr<RtpSource>> RtpSource::Create(LoadCodec codec, const std::vector<int16_t>& pcm, bool srtp,
                                                     uint64_t max_packets_per_stream) {
  auto loop = EncodeLoop(codec, pcm);
  if (!loop) return loop.error();
  std::unique_ptr<RtpSource> source(new RtpSource(CodecSpecOf(codec), std::move(*loop)));
  source->max_start_ = source->frames() - 1;
  if (srtp) {
    if (auto built = source->BuildSrtpTable(max_packets_per_stream); !built) return built.error();
  }
  return source;
}

uint64_t RtpSource::packets_available(uint64_t start) const {
  if (!srtp()) return UINT64_MAX;
  return start < kSrtpTablePackets ? kSrtpTablePackets - start : 0;
}

Status RtpSource::BuildSrtpTable(uint64_t max_packets_per_stream) {
  if (max_packets_per_stream > kSrtpTablePackets) {
    const uint64_t longest_s = kSrtpTablePackets * kPacketMs / 1000;
    return MakeError(ErrorCode::kUsage, "--srtp: calls longer than " + std::to_string(longest_s) +
                                            " s are not supported (the SRTP packets are prepared for one "
                                            "sequence-number cycle)");
  }
  const srtp_err_status_t init = InitSrtpOnce();
  uint8_t master[kSrtpMasterKeyBytes];
  if (RAND_bytes(master, sizeof master) != 1) return MakeError(ErrorCode::kInternal, "srtp: RAND_bytes failed");
  uint8_t base64[2 * kSrtpMasterKeyBytes];
  const int base64_len = EVP_EncodeBlock(base64, master, sizeof master);
  sdes_key_.assign(reinterpret_cast<const char*>(base64), static_cast<size_t>(base64_len));

  srtp_policy_t policy{};
  srtp_crypto_policy_set_rtp_default(&policy.rtp);  // AES_CM_128_HMAC_SHA1_80
  srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
  policy.ssrc.type = ssrc_specific;
  policy.ssrc.value = kSrtpSsrc;
  policy.key = master;
  srtp_t raw = nullptr;
  if (const srtp_err_status_t rc = srtp_create(&raw, &policy); rc != srtp_err_status_ok) {
    return MakeError(ErrorCode::kInternal,
                     "srtp: srtp_create failed (" + std::to_string(rc) + ", srtp_init: " + std::to_string(init) + ")");
  }
  std::unique_ptr<srtp_ctx_t, SrtpDeleter> session(raw);

  srtp_offsets_.assign(1, 0);
  srtp_offsets_.reserve(kSrtpTablePackets + 1);
  std::vector<uint8_t> packet;
  for (uint64_t index = 0; index < kSrtpTablePackets; ++index) {
    const std::span<const uint8_t> payload = Payload(index);
    packet.assign(kRtpHeaderBytes + payload.size() + SRTP_MAX_TRAILER_LEN, 0);
    WriteRtpHeader(packet.data(), codec_->payload_type, index, codec_->timestamp_step, kSrtpSsrc);
    std::copy(payload.begin(), payload.end(), packet.begin() + kRtpHeaderBytes);
    int len = static_cast<int>(kRtpHeaderBytes + payload.size());
    if (const srtp_err_status_t rc = srtp_protect(session.get(), packet.data(), &len); rc != srtp_err_status_ok) {
      return MakeError(ErrorCode::kInternal, "srtp: srtp_protect failed (" + std::to_string(rc) + ")");
    }
    srtp_table_.insert(srtp_table_.end(), packet.begin(), packet.begin() + len);
    srtp_offsets_.push_back(srtp_table_.size());
  }
  max_start_ = kSrtpTablePackets - max_packets_per_stream;
  return OkStatus();
}

void FillRtpHeader(uint8_t* header, const CodecSpec& codec, uint64_t index, uint32_t ssrc) {
  WriteRtpHeader(header, codec.payload_type, index, codec.timestamp_step, ssrc);
}

}  // namespace kronika::loadgen
