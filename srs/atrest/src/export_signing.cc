// ExportSigner (see export_signing.h).
#include "kronika/srs/atrest/export_signing.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/atrest/key_location.h"

namespace kronika::srs {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

// PEM and fingerprint of the public half of `key`.
Status DescribePublic(EVP_PKEY* key, std::string& pem, std::string& fingerprint) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1)
    return MakeError(ErrorCode::kInternal, "export signing: cannot encode the public key");
  pem = BioText(bio.get());
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key, &der);
  if (n <= 0)
    return MakeError(ErrorCode::kInternal, "export signing: cannot encode the public key");
  fingerprint = Sha256Hex(std::string_view(reinterpret_cast<const char*>(der), n));
  OPENSSL_free(der);
  return OkStatus();
}

Result<Pkey> ParsePublic(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Pkey key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
    ERR_clear_error();  // leave no stale errors for later OpenSSL users on this thread (TLS)
    return MakeError(ErrorCode::kInvalidInput, "not a PEM Ed25519 public key");
  }
  return key;
}

Status WriteNew(const std::filesystem::path& path, std::string_view text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return MakeError(errno == EEXIST ? ErrorCode::kConflict : ErrorCode::kIo,
                     "export keygen: " + path.string() + ": " + std::strerror(errno));
  }
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return MakeError(ErrorCode::kIo, "export keygen: cannot write " + path.string());
  return OkStatus();
}

}  // namespace

ExportSigner::~ExportSigner() { EVP_PKEY_free(key_); }

Result<std::unique_ptr<ExportSigner>> ExportSigner::Load(const std::filesystem::path& pem_file,
                                                         const std::filesystem::path& data_dir) {
  RETURN_IF_ERROR(RequireOutsideDataDir(pem_file, data_dir, "export signing key", "DISC-3"));
  std::ifstream in(pem_file, std::ios::binary);
  if (!in)
    return MakeError(ErrorCode::kInvalidInput,
                     "export signing key: cannot read " + pem_file.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  Bio bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  Pkey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
    ERR_clear_error();
    return MakeError(ErrorCode::kInvalidInput,
                     "export signing key: " + pem_file.string() +
                         " is not a PEM Ed25519 private key (make one with `kronika "
                         "export keygen`)");
  }
  std::unique_ptr<ExportSigner> signer(new ExportSigner());
  if (Status s = DescribePublic(key.get(), signer->public_pem_, signer->fingerprint_); !s.ok())
    return s.error();
  signer->key_ = key.release();
  return signer;
}

Result<std::unique_ptr<ExportSigner>> ExportSigner::Generate(
    const std::filesystem::path& private_file, const std::filesystem::path& data_dir) {
  RETURN_IF_ERROR(RequireOutsideDataDir(private_file, data_dir, "export keygen", "DISC-3"));
  const std::filesystem::path public_file = private_file.string() + ".pub";
  std::error_code ec;
  for (const auto& p : {private_file, public_file}) {
    if (std::filesystem::exists(p, ec))
      return MakeError(ErrorCode::kConflict, "export keygen: " + p.string() + " already exists");
  }
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return MakeError(ErrorCode::kInternal, "export keygen: Ed25519 key generation failed");
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return MakeError(ErrorCode::kInternal, "export keygen: cannot encode the private key");
  }
  std::string private_pem = BioText(bio.get());
  std::unique_ptr<ExportSigner> signer(new ExportSigner());
  if (Status s = DescribePublic(key.get(), signer->public_pem_, signer->fingerprint_); !s.ok())
    return s.error();
  Status written = WriteNew(private_file, private_pem, 0600);
  OPENSSL_cleanse(private_pem.data(), private_pem.size());
  if (!written.ok()) return written.error();
  RETURN_IF_ERROR(WriteNew(public_file, signer->public_pem_, 0644));
  signer->key_ = key.release();
  return signer;
}

Result<std::string> ExportSigner::Sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::string sig(kEd25519SignatureBytes, '\0');
  size_t sig_len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return MakeError(ErrorCode::kInternal, "export signing: Ed25519 signing failed");
  }
  sig.resize(sig_len);
  return sig;
}

Result<std::string> Ed25519PublicKeyFingerprint(std::string_view pem) {
  ASSIGN_OR_RETURN(auto key, ParsePublic(pem));
  std::string normalised, fingerprint;
  RETURN_IF_ERROR(DescribePublic(key.get(), normalised, fingerprint));
  return fingerprint;
}

Status VerifyEd25519(std::string_view public_pem, std::string_view message,
                     std::string_view signature) {
  ASSIGN_OR_RETURN(auto key, ParsePublic(public_pem));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
    return MakeError(ErrorCode::kInternal, "Ed25519 verification could not start");
  if (signature.size() != kEd25519SignatureBytes ||
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1) {
    ERR_clear_error();
    return MakeError(ErrorCode::kCorrupt, "signature does not match");
  }
  return OkStatus();
}

}  // namespace kronika::srs
