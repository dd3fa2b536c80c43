// AES-256-GCM helpers (see kronika/media/aes_gcm.h).
#include "kronika/media/aes_gcm.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>

namespace kronika::media {
namespace {

const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
};

}  // namespace

std::string GcmSeal(std::string_view key, std::string_view iv, std::string_view aad, std::string_view plain) {
  CipherCtx c;
  std::string out(kGcmTagBytes + plain.size(), '\0');
  int len = 0;
  auto* dst = reinterpret_cast<unsigned char*>(out.data() + kGcmTagBytes);
  const bool ok = c.ctx != nullptr && EVP_EncryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
                  EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) == 1 &&
                  EVP_EncryptInit_ex(c.ctx, nullptr, nullptr, U(key), U(iv)) == 1 &&
                  EVP_EncryptUpdate(c.ctx, nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1 &&
                  EVP_EncryptUpdate(c.ctx, dst, &len, U(plain), static_cast<int>(plain.size())) == 1 &&
                  EVP_EncryptFinal_ex(c.ctx, dst + len, &len) == 1 &&
                  EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, kGcmTagBytes, out.data()) == 1;
  if (!ok) std::abort();  // only on a broken libcrypto; never write unauthenticated data
  return out;
}

bool GcmOpen(std::string_view key, std::string_view iv, std::string_view aad, std::string_view tag,
             std::string_view ciphertext, std::string& out) {
  CipherCtx c;
  out.assign(ciphertext.size(), '\0');
  int len = 0;
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  std::string tag_copy(tag);
  const bool ok =
      c.ctx != nullptr && tag.size() == kGcmTagBytes &&
      EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) == 1 &&
      EVP_DecryptInit_ex(c.ctx, nullptr, nullptr, U(key), U(iv)) == 1 &&
      EVP_DecryptUpdate(c.ctx, nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(c.ctx, dst, &len, U(ciphertext), static_cast<int>(ciphertext.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, kGcmTagBytes, tag_copy.data()) == 1 &&
      EVP_DecryptFinal_ex(c.ctx, dst + len, &len) == 1;
  if (!ok) {
    OPENSSL_cleanse(out.data(), out.size());
    out.clear();
  }
  return ok;
}

}  // namespace kronika::media
