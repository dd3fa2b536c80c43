// Cryptographic building blocks of the access module (SEC-1, RET-3, REG-3, DISC-3), all on
// OpenSSL's libcrypto: random bytes, SHA-256, HMAC-SHA-256, AES-256-GCM, and reading the
// encrypted recording files (".kenc").
//
// Two .kenc formats exist. Recordings made with encryption at rest on are written sealed
// by the media engine as they are recorded: format KENC0002, a stream of AES-256-GCM
// records (kronika/media/sealed_file.h describes it). KENC0001, below, is what
// EncryptFile() writes for a plaintext recording encrypted after the fact (recordings
// made without a master key, or before sealed recording existed). DecryptingReader reads
// both, choosing by the magic.
//
// KENC0001 layout (all integers big-endian):
//   header (32 bytes): "KENC0001" | u32 chunk_bytes | u64 plaintext_bytes | 12 bytes file_nonce
//   chunk i (i = 0..n-1): 16-byte GCM tag | ciphertext (chunk_bytes, the last one shorter)
// Each chunk is AES-256-GCM under the recording's data key (DEK) with
// IV = file_nonce XOR big-endian(i) in the last 8 bytes, and the whole header plus
// big-endian(i) as additional data, so chunks cannot be reordered, truncated or moved
// between files, and the plaintext size cannot be changed. A reader can decrypt any byte
// range by reading only the chunks covering it (HTTP range requests).
//
// Threads: free functions are thread-safe; a DecryptingReader is used by one thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "kronika/result.h"

namespace kronika::media {
class SealedReader;
}

namespace kronika::srs {

inline constexpr size_t kAesKeyBytes = 32;
inline constexpr size_t kGcmNonceBytes = 12;
inline constexpr size_t kGcmTagBytes = 16;
inline constexpr uint32_t kKencChunkBytes = 64 * 1024;
inline constexpr size_t kKencHeaderBytes = 32;
inline constexpr char kKencSuffix[] = ".kenc";

// `n` bytes from the OpenSSL CSPRNG (throws nothing; aborts only if the RNG is broken).
std::string RandomBytes(size_t n);
std::string HexEncode(std::string_view bytes);
// Standard base64 (RFC 4648 section 4, with padding), e.g. SDES key material (RFC 4568).
std::string Base64Encode(std::string_view bytes);
// nullopt-like error when `hex` has odd length or a non-hex digit.
Result<std::string> HexDecode(std::string_view hex);
std::string Sha256(std::string_view data);  // 32 raw bytes
std::string Sha256Hex(std::string_view data);
// SHA-256 (hex) of a file's content, read in 1 MiB pieces (recordings, backups).
// `bytes` (optional) gets the file's size. Error kIo naming the file.
Result<std::string> Sha256FileHex(const std::filesystem::path& path, uint64_t* bytes = nullptr);
std::string HmacSha256(std::string_view key, std::string_view data);  // 32 raw bytes
bool ConstantTimeEqual(std::string_view a, std::string_view b);

// AES-256-GCM of a small value (key wrapping): nonce | tag | ciphertext. `aad` binds the
// value to its use (e.g. the recording id). Error 400 on a wrong key size.
Result<std::string> SealSmall(std::string_view key, std::string_view plaintext,
                              std::string_view aad);
// Error 403 "authentication failed" when key, aad or data do not match.
Result<std::string> OpenSmall(std::string_view key, std::string_view sealed, std::string_view aad);

// Encrypts `plain` into the .kenc file `out` (written to out + ".tmp", fsynced, renamed,
// directory fsynced). Error names the path.
Status EncryptFile(const std::filesystem::path& plain, const std::filesystem::path& out,
                   std::string_view dek);

// Random access to the plaintext of a .kenc file (KENC0001 or KENC0002).
class DecryptingReader {
 public:
  // Error when the file cannot be read, is not .kenc, or does not authenticate under `dek`
  // (KENC0001: the first chunk is decrypted; KENC0002: the final record, so a truncated
  // file is refused with 403).
  static Result<std::unique_ptr<DecryptingReader>> Open(const std::filesystem::path& path,
                                                        std::string_view dek);
  ~DecryptingReader();
  uint64_t size() const { return plaintext_bytes_; }
  // Plaintext bytes [offset, offset+length) clipped to size(). Error 403 when a chunk fails
  // authentication (tampered file or wrong key).
  Result<std::string> Read(uint64_t offset, uint64_t length);

 private:
  DecryptingReader() = default;
  int fd_ = -1;
  std::string header_;
  std::string dek_;
  uint64_t plaintext_bytes_ = 0;
  uint32_t chunk_bytes_ = 0;
  std::unique_ptr<media::SealedReader> sealed_;  // KENC0002
};

// Overwrites a file's bytes with zeros, fsyncs and unlinks it (best effort against
// recovery on a non-CoW file system; see docs/compliance.md for the limits).
Status OverwriteAndUnlink(const std::filesystem::path& path);

}  // namespace kronika::srs
