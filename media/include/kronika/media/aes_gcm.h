// AES-256-GCM on whole buffers (OpenSSL EVP). The one implementation behind sealed
// recordings (media) and .kenc files / small sealed blobs (srs), SEC-1.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kronika::media {

inline constexpr size_t kGcmTagBytes = 16;

// Returns tag | ciphertext. `key` is 32 bytes. Aborts only if libcrypto itself fails:
// unauthenticated data is never produced.
std::string GcmSeal(std::string_view key, std::string_view iv, std::string_view aad, std::string_view plain);

// Checks `tag` and decrypts `ciphertext` into `out`. False (and `out` wiped and empty) when
// the key, IV, AAD, tag or data do not match.
bool GcmOpen(std::string_view key, std::string_view iv, std::string_view aad, std::string_view tag,
             std::string_view ciphertext, std::string& out);

}  // namespace kronika::media
