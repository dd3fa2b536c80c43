#include "kronika/srs/webhook/webhook_signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace kronika::srs {

std::string HmacSha256Hex(std::string_view secret, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  // One-shot HMAC(): not among OpenSSL 3's deprecated HMAC_CTX functions.
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * mac_len);
  for (unsigned int i = 0; i < mac_len; ++i) {
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 0x0f]);
  }
  return out;
}

std::string WebhookSignature(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  std::string message = std::to_string(unix_seconds);
  message.push_back('.');
  message.append(body);
  return "v1=" + HmacSha256Hex(secret, message);
}

}  // namespace kronika::srs
