#include "srtp_session.h"

#include <srtp2/srtp.h>

#include <cstring>
#include <mutex>
#include <string>

namespace kronika::media {
namespace {

constexpr size_t kSdesKeyBytes = 30;  // AES-128 key (16) + salt (14)

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

Result<std::vector<uint8_t>> DecodeSdesKey(std::string_view key) {
  if (key.substr(0, 7) == "inline:") key.remove_prefix(7);
  if (const size_t bar = key.find('|'); bar != std::string_view::npos) key = key.substr(0, bar);
  while (!key.empty() && key.back() == '=') key.remove_suffix(1);
  std::vector<uint8_t> bytes;
  uint32_t bits = 0;
  int bit_count = 0;
  for (char c : key) {
    const int v = Base64Value(c);
    if (v < 0) return MakeError(488, "srtp: key is not base64");
    bits = (bits << 6) | static_cast<uint32_t>(v);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      bytes.push_back(static_cast<uint8_t>(bits >> bit_count));
      bits &= (1u << bit_count) - 1;
    }
  }
  return bytes;
}

Status EnsureSrtpInitialized() {
  static const srtp_err_status_t status = srtp_init();
  if (status != srtp_err_status_ok) return MakeError(500, "srtp: library initialisation failed");
  return OkStatus();
}

struct SrtpSession::State {
  srtp_t session = nullptr;
  std::vector<uint8_t> key;
  ~State() {
    if (session != nullptr) srtp_dealloc(session);
  }
};

SrtpSession::SrtpSession(std::unique_ptr<State> state) : state_(std::move(state)) {}
SrtpSession::~SrtpSession() = default;

Result<std::unique_ptr<SrtpSession>> SrtpSession::Create(std::string_view suite,
                                                         std::string_view key) {
  if (Status init = EnsureSrtpInitialized(); !init.ok()) return init.error();
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  if (suite == "AES_CM_128_HMAC_SHA1_80") {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
  } else if (suite == "AES_CM_128_HMAC_SHA1_32") {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
  } else {
    return MakeError(488, "srtp: unsupported crypto suite " + std::string(suite));
  }
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  auto bytes = DecodeSdesKey(key);
  if (!bytes.ok()) return bytes.error();
  if (bytes->size() != kSdesKeyBytes) {
    return MakeError(488, "srtp: inline key must be 30 bytes, got " +
                              std::to_string(bytes->size()));
  }
  auto state = std::make_unique<State>();
  state->key = std::move(*bytes);
  policy.ssrc.type = ssrc_any_inbound;
  policy.key = state->key.data();
  policy.window_size = 1024;  // packets; a 60 ms reorder window needs far fewer
  policy.next = nullptr;
  if (srtp_create(&state->session, &policy) != srtp_err_status_ok) {
    state->session = nullptr;
    return MakeError(488, "srtp: session setup failed");
  }
  return std::unique_ptr<SrtpSession>(new SrtpSession(std::move(state)));
}

SrtpSession::Verdict SrtpSession::Unprotect(uint8_t* data, size_t* len) {
  int length = static_cast<int>(*len);
  const srtp_err_status_t status = srtp_unprotect(state_->session, data, &length);
  if (status == srtp_err_status_ok) {
    *len = static_cast<size_t>(length);
    return Verdict::kOk;
  }
  if (status == srtp_err_status_replay_fail || status == srtp_err_status_replay_old) {
    return Verdict::kReplay;
  }
  return Verdict::kFailed;
}

}  // namespace kronika::media
