#include "srtp_session.h"

#include <openssl/evp.h>
#include <srtp2/srtp.h>

#include <cstring>
#include <mutex>
#include <string>

namespace kronika::media {
namespace {

constexpr size_t kSdesKeyBytes = 30;  // AES-128 key (16) + salt (14)

}  // namespace

Result<std::vector<uint8_t>> DecodeSdesKey(std::string_view key) {
  if (key.substr(0, 7) == "inline:") key.remove_prefix(7);
  if (const size_t bar = key.find('|'); bar != std::string_view::npos) key = key.substr(0, bar);
  // Some SRCs drop the padding of the 40-character key; OpenSSL's decoder wants whole
  // 4-character groups, so restore it and take the padding bytes off the result.
  while (!key.empty() && key.back() == '=') key.remove_suffix(1);
  const Error not_base64 = MakeError(ErrorCode::kNotAcceptable, "srtp: key is not base64");
  if (key.size() % 4 == 1) return not_base64;
  const size_t padding = (4 - key.size() % 4) % 4;
  std::string padded(key);
  padded.append(padding, '=');
  std::vector<uint8_t> bytes(padded.size() / 4 * 3);
  const int n = EVP_DecodeBlock(bytes.data(), reinterpret_cast<const unsigned char*>(padded.data()),
                                static_cast<int>(padded.size()));
  // EVP_DecodeBlock also skips leading/trailing blanks; a key has none.
  if (n < 0 || padded.find_first_of(" \t\r\n") != std::string::npos) return not_base64;
  bytes.resize(static_cast<size_t>(n) - padding);
  return bytes;
}

Status EnsureSrtpInitialized() {
  static const srtp_err_status_t status = srtp_init();
  if (status != srtp_err_status_ok) return MakeError(ErrorCode::kInternal, "srtp: library initialisation failed");
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
    return MakeError(ErrorCode::kNotAcceptable, "srtp: unsupported crypto suite " + std::string(suite));
  }
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  auto bytes = DecodeSdesKey(key);
  if (!bytes.ok()) return bytes.error();
  if (bytes->size() != kSdesKeyBytes) {
    return MakeError(ErrorCode::kNotAcceptable, "srtp: inline key must be 30 bytes, got " +
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
    return MakeError(ErrorCode::kNotAcceptable, "srtp: session setup failed");
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
