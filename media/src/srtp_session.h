// SrtpSession: inbound SRTP (RFC 3711) for one leg, keyed by the remote SDES key (RFC 4568).
//
// Wraps a libsrtp2 session accepting any inbound SSRC. One instance per leg, used by the
// leg's worker thread only (libsrtp sessions are not thread-safe).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "kronika/result.h"

namespace kronika::media {

class SrtpSession {
 public:
  enum class Verdict { kOk, kReplay, kFailed };

  // suite: AES_CM_128_HMAC_SHA1_80 or AES_CM_128_HMAC_SHA1_32. key: base64 of 30 bytes
  // (key + salt), optionally "inline:" prefixed and "|lifetime|MKI" suffixed.
  // Errors: unknown suite, bad base64, wrong key length, libsrtp refusing the policy.
  static Result<std::unique_ptr<SrtpSession>> Create(std::string_view suite,
                                                     std::string_view key);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // Authenticates and decrypts an SRTP packet in place; on kOk *len is the RTP length.
  // kReplay: a packet index seen before (a duplicate); kFailed: authentication or format.
  Verdict Unprotect(uint8_t* data, size_t* len);

 private:
  struct State;
  explicit SrtpSession(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Decodes an SDES inline key ("inline:" prefix and "|..." suffix ignored). Errors name
// the problem ("srtp: key is not base64").
Result<std::vector<uint8_t>> DecodeSdesKey(std::string_view key);

// Makes libsrtp2 usable (srtp_init once per process). Thread-safe.
Status EnsureSrtpInitialized();

}  // namespace kronika::media
