// Password hashes with libsodium's argon2id (see password_hash.h).
#include "kronika/srs/access/password_hash.h"

#include <sodium.h>

#include <cstdlib>

namespace kronika::srs {
namespace {

bool SodiumReady() {
  // sodium_init() is thread-safe and idempotent; < 0 means the library cannot work.
  static const bool ready = sodium_init() >= 0;
  return ready;
}

constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return MakeError(ErrorCode::kInvalidInput,
                     "password: at least " + std::to_string(kMinPasswordLength) + " characters are required");
  }
  if (password.size() > kMaxPasswordLength) {
    return MakeError(ErrorCode::kInvalidInput,
                     "password: at most " + std::to_string(kMaxPasswordLength) + " characters");
  }
  if (password.find('\0') != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidInput, "password: must not contain a NUL byte");
  }
  if (!SodiumReady()) return MakeError(ErrorCode::kInternal, "password: libsodium cannot be initialised");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return MakeError(ErrorCode::kInternal, "password: argon2id hashing failed (out of memory?)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view stored, std::string_view password) {
  if (!IsPasswordHash(stored) || password.size() > kMaxPasswordLength || !SodiumReady()) return false;
  const std::string hash(stored);  // NUL-terminated for libsodium
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool PasswordNeedsRehash(std::string_view stored) {
  if (!IsPasswordHash(stored) || !SodiumReady()) return true;
  const std::string hash(stored);
  return crypto_pwhash_str_needs_rehash(hash.c_str(), kOpsLimit, kMemLimit) != 0;
}

bool IsPasswordHash(std::string_view stored) {
  return stored.size() < crypto_pwhash_STRBYTES && stored.rfind(kPasswordHashPrefix, 0) == 0;
}

}  // namespace kronika::srs
