// Ed25519 signatures over export-package manifests (DISC-3), on OpenSSL 3 (EVP_PKEY_ED25519).
//
// An HMAC can only be checked by whoever holds the secret; a signature can be checked by
// the receiving institution with the public key alone. The signing key is a PKCS#8 PEM file
// (`kronika export keygen`, or `openssl genpkey -algorithm ed25519`) named by
// KRONIKA_EXPORT_SIGNING_KEY_FILE and kept outside the data directory, like the master key.
// A key is named by its fingerprint: the SHA-256 (hex) of the DER SubjectPublicKeyInfo,
// i.e. `openssl pkey -pubin -in key.pub -outform DER | sha256sum`; it is printed on the
// hand-over protocol so the receiver can compare it out of band.
//
// Threads: an ExportSigner may be used from any thread (OpenSSL one-shot EVP_DigestSign on
// a fresh context per call); the free functions are thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "kronika/result.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace kronika::srs {

inline constexpr char kExportSigningKeyEnv[] = "KRONIKA_EXPORT_SIGNING_KEY_FILE";
inline constexpr size_t kEd25519SignatureBytes = 64;

class ExportSigner {
 public:
  // Reads a PEM Ed25519 private key. Error kInvalidInput when unreadable, not PEM, not Ed25519,
  // or inside `data_dir` ("" = no such check).
  static Result<std::unique_ptr<ExportSigner>> Load(const std::filesystem::path& pem_file,
                                                    const std::filesystem::path& data_dir);
  // A fresh key pair: the private key (PKCS#8 PEM, mode 0600) at `private_file` and the
  // public key (PEM) at `private_file` + ".pub". Error kConflict when either file
  // exists, kInvalidInput inside `data_dir`, kIo when a file cannot be written.
  static Result<std::unique_ptr<ExportSigner>> Generate(const std::filesystem::path& private_file,
                                                        const std::filesystem::path& data_dir);
  ~ExportSigner();
  ExportSigner(const ExportSigner&) = delete;
  ExportSigner& operator=(const ExportSigner&) = delete;

  // 64-byte Ed25519 signature of `message` (PureEdDSA, the message itself, no pre-hash).
  Result<std::string> Sign(std::string_view message) const;
  const std::string& public_key_pem() const { return public_pem_; }
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  ExportSigner() = default;
  evp_pkey_st* key_ = nullptr;  // owned
  std::string public_pem_;
  std::string fingerprint_;
};

// SHA-256 fingerprint (hex) of a PEM Ed25519 public key. Error kInvalidInput when `pem` is
// not one.
Result<std::string> Ed25519PublicKeyFingerprint(std::string_view pem);

// Checks `signature` over `message` under the PEM public key. Error kInvalidInput when the
// key is not an Ed25519 public key, kCorrupt "signature does not match" when verification
// fails (the message was altered or signed with another key).
Status VerifyEd25519(std::string_view public_pem, std::string_view message,
                     std::string_view signature);

}  // namespace kronika::srs
