// FuzzRtpLeg: RTP/SRTP datagrams into one LegPipeline, driven by the script
// format of rtp_leg_script.h. SRTP packets the fuzzer asks for are protected
// here with the leg's own key (libsrtp2, sender side), so mutations reach what
// follows authentication: the RTP parse of decrypted bytes, the reorder buffer,
// the decoders, PLC, DTMF and resampling.
#include <srtp2/srtp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_targets.h"
#include "leg_pipeline.h"
#include "rtp_leg_script.h"
#include "srtp_session.h"

namespace kronika::fuzz {
namespace {

namespace script = rtp_script;

// 30 bytes (16-byte AES key + 14-byte salt), base64: the SRC's SDES key in the
// scripts.
constexpr char kKeyB64[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";
constexpr uint8_t kKey[30] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14,
                              15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29};
// A valid key of the right length that is not kKey: every packet fails
// authentication.
constexpr char kWrongKeyB64[] = "HRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgEA";
constexpr int64_t kNsPerMs = 1'000'000;

media::PayloadFormat Format(int pt, const char *encoding, int clock_rate, int channels = 1) {
  media::PayloadFormat f;
  f.payload_type = pt;
  f.encoding = encoding;
  f.clock_rate = clock_rate;
  f.channels = channels;
  return f;
}

media::LegConfig ConfigFrom(uint8_t config, int output_rate_hz) {
  media::LegConfig leg;
  leg.output_rate_hz = output_rate_hz;
  const uint8_t codecs = config & script::kCodecSetMask;
  const bool all = codecs >= 5;
  if (codecs == 0 || all) leg.formats.push_back(Format(0, "PCMU", 8000));
  if (codecs == 1 || all) leg.formats.push_back(Format(8, "PCMA", 8000));
  if (codecs == 2 || all) leg.formats.push_back(Format(9, "G722", 8000));
  if (codecs == 3 || all) leg.formats.push_back(Format(18, "G729", 8000));
  if (codecs == 4 || all) leg.formats.push_back(Format(96, "OPUS", 48000, 2));
  leg.formats.push_back(Format(101, "TELEPHONE-EVENT", 8000));
  leg.formats.push_back(Format(13, "CN", 8000));
  switch ((config & script::kSrtpMask) >> script::kSrtpShift) {
    case 1:
      leg.srtp_suite = "AES_CM_128_HMAC_SHA1_80";
      leg.srtp_key_b64 = kKeyB64;
      break;
    case 2:
      leg.srtp_suite = "AES_CM_128_HMAC_SHA1_32";
      leg.srtp_key_b64 = std::string("inline:") + kKeyB64 + "|2^31|1:1";
      break;
    case 3:
      leg.srtp_suite = "AES_CM_128_HMAC_SHA1_80";
      leg.srtp_key_b64 = kWrongKeyB64;
      break;
    default:
      break;
  }
  return leg;
}

// The SRC's side of SRTP: protects datagrams with kKey for the leg's suite.
class SrtpSender {
 public:
  explicit SrtpSender(const std::string &suite) {
    if (suite.empty() || !media::EnsureSrtpInitialized().ok()) return;
    srtp_policy_t policy;
    std::memset(&policy, 0, sizeof(policy));
    if (suite == "AES_CM_128_HMAC_SHA1_32") {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
    } else {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    }
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    policy.ssrc.type = ssrc_any_outbound;
    policy.key = const_cast<uint8_t *>(kKey);
    policy.window_size = 1024;
    policy.allow_repeat_tx = 1;  // the fuzzer repeats sequence numbers freely
    if (srtp_create(&session_, &policy) != srtp_err_status_ok) session_ = nullptr;
  }
  ~SrtpSender() {
    if (session_ != nullptr) srtp_dealloc(session_);
  }
  SrtpSender(const SrtpSender &) = delete;
  SrtpSender &operator=(const SrtpSender &) = delete;

  // Protects `packet` in place (it grows by the tag); false when libsrtp
  // refuses it (e.g. not an RTP header), then the packet is sent as it is.
  bool Protect(std::vector<uint8_t> &packet) {
    if (session_ == nullptr || packet.size() < 12) return false;
    const size_t plain = packet.size();
    packet.resize(plain + SRTP_MAX_TRAILER_LEN);
    int len = static_cast<int>(plain);
    if (srtp_protect(session_, packet.data(), &len) != srtp_err_status_ok) {
      packet.resize(plain);
      return false;
    }
    packet.resize(static_cast<size_t>(len));
    return true;
  }

 private:
  srtp_t session_ = nullptr;
};

// Checks the output contract of LegPipeline::Drain and touches every sample (so
// a chunk pointing at freed or short memory is an ASan report, not a silent
// read).
class CheckingSink final : public media::LegSink {
 public:
  void set_watermark_before(int64_t w) { watermark_before_ = w; }

  void OnAudio(const media::PcmChunk &chunk) override {
    if (chunk.count == 0) return;
    if (chunk.samples == nullptr) FuzzContractViolated("rtp_leg: chunk without samples");
    if (chunk.start_sample < end_) FuzzContractViolated("rtp_leg: chunk overlaps the previous one");
    if (chunk.start_sample < watermark_before_) {
      FuzzContractViolated("rtp_leg: chunk starts before the watermark of the previous drain");
    }
    int64_t sum = 0;
    for (size_t i = 0; i < chunk.count; ++i) sum += chunk.samples[i];
    checksum_ += sum;
    end_ = chunk.start_sample + static_cast<int64_t>(chunk.count);
  }
  void OnDtmf(const media::DtmfEvent &event) override { checksum_ += event.digit + event.duration_ms; }

 private:
  int64_t end_ = INT64_MIN;
  int64_t watermark_before_ = INT64_MIN;
  int64_t checksum_ = 0;
};

class ScriptReader {
 public:
  ScriptReader(const uint8_t *data, size_t size) : data_(data), size_(size) {}
  bool done() const { return at_ >= size_; }
  uint8_t Byte() { return at_ < size_ ? data_[at_++] : 0; }
  std::vector<uint8_t> Datagram() {
    const size_t len = Byte() | static_cast<size_t>(Byte()) << 8;
    const size_t take = std::min(len, size_ - at_);
    std::vector<uint8_t> out(data_ + at_, data_ + at_ + take);
    at_ += take;
    return out;
  }

 private:
  const uint8_t *data_;
  size_t size_;
  size_t at_ = 0;
};

}  // namespace

int FuzzRtpLeg(const uint8_t *data, size_t size) {
  // Debian's libsrtp2 uses NSS: every SRTP session opens an NSS context, and
  // closing the last one unloads NSS's softoken (dlclose), which the next
  // session loads again (~10 ms). One session kept for the life of the process
  // keeps NSS loaded, as concurrent calls do in the daemon.
  static const SrtpSender keep_nss_loaded("AES_CM_128_HMAC_SHA1_80");
  (void)keep_nss_loaded;
  if (size == 0) return 0;
  ScriptReader in(data, size);
  const uint8_t config = in.Byte();
  const int rate = (config & script::kRate16k) != 0 ? 16000 : 8000;
  media::LegConfig leg_config = ConfigFrom(config, rate);
  auto sender = std::make_unique<SrtpSender>(leg_config.srtp_suite);
  media::LegPipeline leg(leg_config);
  CheckingSink sink;
  int64_t now_ns = 0;
  auto drain = [&] {
    sink.set_watermark_before(leg.watermark());
    leg.Drain(now_ns, sink);
    const int64_t due = now_ns / 1000 * rate / 1'000'000 - media::kReorderDelay.count() * rate / 1000;
    if (leg.watermark() < due)
      FuzzContractViolated("rtp_leg: watermark behind now - reorder delay after Drain");
  };
  while (!in.done()) {
    const uint8_t op = in.Byte();
    now_ns += static_cast<int64_t>(op >> 2) * kNsPerMs;
    switch (op & 3) {
      case script::kOpDatagram:
      case script::kOpProtected: {
        std::vector<uint8_t> datagram = in.Datagram();
        if ((op & 3) == script::kOpProtected) sender->Protect(datagram);
        leg.OnDatagram(datagram.data(), datagram.size(), now_ns);
        break;
      }
      case script::kOpDrain:
        drain();
        break;
      case script::kOpReconfigure: {
        leg_config = ConfigFrom(in.Byte(), rate);
        sender = std::make_unique<SrtpSender>(leg_config.srtp_suite);
        leg.Reconfigure(leg_config);
        break;
      }
    }
  }
  now_ns += 1000 * kNsPerMs;  // everything buffered is due
  drain();
  return 0;
}

}  // namespace kronika::fuzz
