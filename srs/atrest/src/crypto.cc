// Crypto helpers and the .kenc file format (see crypto.h).
#include "kronika/srs/atrest/crypto.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kronika/media/aes_gcm.h"
#include "kronika/media/fd_io.h"
#include "kronika/media/sealed_file.h"

namespace kronika::srs {
namespace {

using media::GcmSeal;
using media::IoError;
using media::ReadAt;
using media::WriteAll;
static_assert(kGcmTagBytes == media::kGcmTagBytes);

constexpr char kKencMagic[] = "KENC0001";

void PutU32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetBig(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

std::string ChunkIv(std::string_view file_nonce, uint64_t index) {
  std::string iv(file_nonce);
  for (int i = 0; i < 8; ++i) {
    iv[kGcmNonceBytes - 1 - i] =
        static_cast<char>(iv[kGcmNonceBytes - 1 - i] ^ ((index >> (8 * i)) & 0xff));
  }
  return iv;
}

std::string ChunkAad(std::string_view header, uint64_t index) {
  std::string aad(header);
  PutU64(aad, index);
  return aad;
}

Result<std::string> GcmOpen(std::string_view key, std::string_view iv, std::string_view aad,
                            std::string_view sealed) {
  if (sealed.size() < kGcmTagBytes) return MakeError(ErrorCode::kPermissionDenied, "crypto: ciphertext too short");
  std::string out;
  if (!media::GcmOpen(key, iv, aad, sealed.substr(0, kGcmTagBytes), sealed.substr(kGcmTagBytes), out))
    return MakeError(ErrorCode::kPermissionDenied, "crypto: authentication failed (wrong key or altered data)");
  return out;
}

void FsyncDir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    std::abort();
  return out;
}

std::string HexEncode(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');  // + the NUL OpenSSL writes
  size_t written = 0;
  if (OPENSSL_buf2hexstr_ex(out.data(), out.size(), &written, reinterpret_cast<const unsigned char*>(bytes.data()),
                            bytes.size(), '\0') != 1) {
    std::abort();  // the buffer is sized for it: cannot happen
  }
  out.resize(bytes.size() * 2);
  // OpenSSL writes upper case; tokens, key ids and the register's hash chain are lower case.
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return MakeError(ErrorCode::kInvalidInput, "hex: odd length");
  const std::string text(hex);  // OpenSSL reads a NUL-terminated string
  std::string out(hex.size() / 2, '\0');
  size_t written = 0;
  if (OPENSSL_hexstr2buf_ex(reinterpret_cast<unsigned char*>(out.data()), out.size(), &written, text.c_str(), '\0') !=
          1 ||
      written != out.size() || text.find('\0') != std::string::npos) {
    ERR_clear_error();  // leave no stale error for a later TLS or crypto call to report
    return MakeError(ErrorCode::kInvalidInput, "hex: not a hex digit");
  }
  return out;
}

std::string Sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // + the NUL EVP_EncodeBlock writes
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

Result<std::string> Sha256FileHex(const std::filesystem::path& path, uint64_t* bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MakeError(ErrorCode::kIo, "cannot read " + path.string() + ": " + std::strerror(errno));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  uint64_t total = 0;
  ssize_t n = 0;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0 || (n < 0 && errno == EINTR)) {
    if (n < 0) continue;
    EVP_DigestUpdate(ctx, buf.data(), static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
  }
  const int err = errno;
  ::close(fd);
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(digest.data()), &len);
  EVP_MD_CTX_free(ctx);
  if (n < 0) return MakeError(ErrorCode::kIo, "cannot read " + path.string() + ": " + std::strerror(err));
  if (bytes != nullptr) *bytes = total;
  return HexEncode(digest);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 32;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       reinterpret_cast<unsigned char*>(out.data()), &len);
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> SealSmall(std::string_view key, std::string_view plaintext,
                              std::string_view aad) {
  if (key.size() != kAesKeyBytes) return MakeError(ErrorCode::kInvalidInput, "crypto: key must be 32 bytes");
  std::string nonce = RandomBytes(kGcmNonceBytes);
  return nonce + GcmSeal(key, nonce, aad, plaintext);
}

Result<std::string> OpenSmall(std::string_view key, std::string_view sealed, std::string_view aad) {
  if (key.size() != kAesKeyBytes) return MakeError(ErrorCode::kInvalidInput, "crypto: key must be 32 bytes");
  if (sealed.size() < kGcmNonceBytes + kGcmTagBytes)
    return MakeError(ErrorCode::kPermissionDenied, "crypto: sealed value too short");
  return GcmOpen(key, sealed.substr(0, kGcmNonceBytes), aad, sealed.substr(kGcmNonceBytes));
}

Status EncryptFile(const std::filesystem::path& plain, const std::filesystem::path& out,
                   std::string_view dek) {
  if (dek.size() != kAesKeyBytes) return MakeError(ErrorCode::kInvalidInput, "crypto: key must be 32 bytes");
  int in = ::open(plain.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return IoError("open", plain, errno);
  struct stat st {};
  ::fstat(in, &st);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  std::string header(kKencMagic, 8);
  PutU32(header, kKencChunkBytes);
  PutU64(header, size);
  header += RandomBytes(kGcmNonceBytes);
  const std::string file_nonce = header.substr(20, kGcmNonceBytes);
  const std::filesystem::path tmp = out.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    ::close(in);
    return IoError("create", tmp, err);
  }
  Status status = WriteAll(fd, header, tmp);
  for (uint64_t index = 0, offset = 0; status.ok() && (offset < size || (size == 0 && index == 0));
       ++index) {
    Result<std::string> chunk = ReadAt(in, offset, kKencChunkBytes, plain);
    if (!chunk.ok()) {
      status = chunk.error();
      break;
    }
    if (chunk->empty() && size != 0) {
      status = MakeError(ErrorCode::kIo, "encrypt: " + plain.string() + " shrank while reading");
      break;
    }
    status = WriteAll(fd, GcmSeal(dek, ChunkIv(file_nonce, index), ChunkAad(header, index), *chunk),
                      tmp);
    OPENSSL_cleanse(chunk->data(), chunk->size());
    offset += chunk->size();
    if (size == 0) break;
  }
  ::close(in);
  if (status.ok() && ::fsync(fd) != 0) status = IoError("fsync", tmp, errno);
  ::close(fd);
  if (status.ok() && ::rename(tmp.c_str(), out.c_str()) != 0)
    status = IoError("rename", out, errno);
  if (!status.ok()) {
    ::unlink(tmp.c_str());
    return status;
  }
  FsyncDir(out.parent_path());
  return OkStatus();
}

Result<std::unique_ptr<DecryptingReader>> DecryptingReader::Open(const std::filesystem::path& path,
                                                                 std::string_view dek) {
  if (dek.size() != kAesKeyBytes) return MakeError(ErrorCode::kInvalidInput, "crypto: key must be 32 bytes");
  std::unique_ptr<DecryptingReader> r(new DecryptingReader());
  r->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (r->fd_ < 0) return IoError("open", path, errno);
  Result<std::string> header = ReadAt(r->fd_, 0, kKencHeaderBytes, path);
  if (!header.ok()) return header.error();
  if (media::HasSealedMagic(*header)) {  // written sealed while recording (KENC0002)
    auto sealed = media::SealedReader::Open(path, dek);
    if (!sealed.ok()) return sealed.error();
    r->sealed_ = std::move(sealed.value());
    r->plaintext_bytes_ = r->sealed_->size();
    return r;
  }
  if (header->size() != kKencHeaderBytes || header->compare(0, 8, kKencMagic) != 0) {
    return MakeError(ErrorCode::kInvalidInput, "decrypt: " + path.string() + " is not a Kronika encrypted file");
  }
  r->header_ = *header;
  r->dek_ = std::string(dek);
  r->chunk_bytes_ = static_cast<uint32_t>(GetBig(std::string_view(*header).substr(8, 4)));
  r->plaintext_bytes_ = GetBig(std::string_view(*header).substr(12, 8));
  if (r->chunk_bytes_ == 0) return MakeError(ErrorCode::kInvalidInput, "decrypt: " + path.string() + ": bad chunk size");
  Result<std::string> first = r->Read(0, 1);
  if (!first.ok()) return first.error();
  return r;
}

DecryptingReader::~DecryptingReader() {
  if (fd_ >= 0) ::close(fd_);
  OPENSSL_cleanse(dek_.data(), dek_.size());
}

Result<std::string> DecryptingReader::Read(uint64_t offset, uint64_t length) {
  if (sealed_) return sealed_->Read(offset, length);
  std::string out;
  const uint64_t end = std::min<uint64_t>(plaintext_bytes_, offset + length);
  const std::string_view file_nonce = std::string_view(header_).substr(20, kGcmNonceBytes);
  uint64_t index = offset / chunk_bytes_;
  if (plaintext_bytes_ == 0) index = 0;
  for (; index * chunk_bytes_ < end || (plaintext_bytes_ == 0 && index == 0); ++index) {
    const uint64_t plain_len =
        std::min<uint64_t>(chunk_bytes_, plaintext_bytes_ - index * chunk_bytes_);
    const uint64_t at = kKencHeaderBytes + index * (uint64_t{chunk_bytes_} + kGcmTagBytes);
    Result<std::string> sealed = ReadAt(fd_, at, plain_len + kGcmTagBytes, "chunk");
    if (!sealed.ok()) return sealed.error();
    if (sealed->size() != plain_len + kGcmTagBytes)
      return MakeError(ErrorCode::kPermissionDenied, "decrypt: file truncated");
    Result<std::string> plain =
        GcmOpen(dek_, ChunkIv(file_nonce, index), ChunkAad(header_, index), *sealed);
    if (!plain.ok()) return plain.error();
    const uint64_t chunk_start = index * chunk_bytes_;
    const uint64_t from = std::max(offset, chunk_start) - chunk_start;
    const uint64_t to = std::min(end, chunk_start + plain_len) - chunk_start;
    if (to > from) out.append(plain->data() + from, to - from);
    OPENSSL_cleanse(plain->data(), plain->size());
    if (plaintext_bytes_ == 0) break;
  }
  return out;
}

Status OverwriteAndUnlink(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return OkStatus();
    return IoError("open", path, errno);
  }
  struct stat st {};
  ::fstat(fd, &st);
  const std::string zeros(64 * 1024, '\0');
  Status status = OkStatus();
  for (off_t left = st.st_size; left > 0 && status.ok();) {
    const size_t n = static_cast<size_t>(std::min<off_t>(left, static_cast<off_t>(zeros.size())));
    status = WriteAll(fd, std::string_view(zeros).substr(0, n), path);
    left -= static_cast<off_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("unlink", path, errno);
  FsyncDir(path.parent_path());
  return status;
}

}  // namespace kronika::srs
