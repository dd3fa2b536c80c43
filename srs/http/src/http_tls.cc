// The HTTPS server identity (see http_tls.h and docs/api.md "HTTPS").
#include "http_tls.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace kronika::srs {
namespace {

// Text of an OpenSSL error code.
std::string OpensslErrorText(unsigned long code) {
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// The earliest queued OpenSSL error of this thread (the cause, e.g. "no start line"; later
// entries only say where it surfaced) as text, and the queue cleared.
std::string OpensslError() {
  const unsigned long first = ERR_get_error();
  ERR_clear_error();
  return OpensslErrorText(first);
}

Status KeyMismatch(const std::string& key, const std::string& certificate_file, const std::string& why) {
  return MakeError(ErrorCode::kInvalidInput, "http: TLS private key '" + key + "' does not match the certificate in '" +
                            certificate_file + "': " + why);
}

// Error when `path` cannot be opened for reading (names the file and errno's reason).
Status CheckReadable(const std::string& what, const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    return MakeError(ErrorCode::kIo, "http: TLS " + what + " '" + path + "' cannot be read: " + std::strerror(errno));
  }
  return OkStatus();
}

// A daemon cannot prompt for a pass phrase: OpenSSL's default callback would read the tty.
int RefusePassphrase(char*, int, int, void*) { return 0; }

}  // namespace

Status ConfigureTlsContext(void* ssl_ctx, const std::string& certificate_file, const std::string& key_file) {
  SSL_CTX* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  const std::string& key = key_file.empty() ? certificate_file : key_file;
  if (Status s = CheckReadable("certificate", certificate_file); !s.ok()) return s;
  if (Status s = CheckReadable("private key", key); !s.ok()) return s;
  ERR_clear_error();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    return MakeError(ErrorCode::kInternal, "http: TLS: cannot require TLS 1.2: " + OpensslError());
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, certificate_file.c_str()) != 1) {
    return MakeError(ErrorCode::kInvalidInput, "http: TLS certificate '" + certificate_file +
                              "' holds no usable PEM certificate: " + OpensslError());
  }
  SSL_CTX_set_default_passwd_cb(ctx, &RefusePassphrase);
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    const unsigned long first = ERR_get_error();
    ERR_clear_error();
    if (ERR_GET_LIB(first) == ERR_LIB_X509 && ERR_GET_REASON(first) == X509_R_KEY_VALUES_MISMATCH) {
      return KeyMismatch(key, certificate_file, OpensslErrorText(first));
    }
    return MakeError(ErrorCode::kInvalidInput, "http: TLS private key '" + key +
                              "' holds no usable unencrypted PEM private key: " + OpensslErrorText(first));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) return KeyMismatch(key, certificate_file, OpensslError());
  return OkStatus();
}

TlsIdentityPem::~TlsIdentityPem() {
  if (!private_key.empty()) OPENSSL_cleanse(private_key.data(), private_key.size());
}

Result<TlsIdentityPem> LoadTlsIdentity(const std::string& certificate_file, const std::string& key_file) {
  // The same checks (and messages) as the TLS context gets, on a throwaway context.
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> ctx(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  if (!ctx) return MakeError(ErrorCode::kInternal, "http: TLS: cannot create an OpenSSL context: " + OpensslError());
  RETURN_IF_ERROR(ConfigureTlsContext(ctx.get(), certificate_file, key_file));
  std::unique_ptr<BIO, int (*)(BIO*)> out(BIO_new(BIO_s_mem()), &BIO_free);
  auto take = [&out]() {
    char* data = nullptr;
    const long n = BIO_get_mem_data(out.get(), &data);
    std::string text(data, static_cast<size_t>(n));
    OPENSSL_cleanse(data, static_cast<size_t>(n));
    (void)BIO_reset(out.get());
    return text;
  };
  TlsIdentityPem pem;
  bool ok = PEM_write_bio_X509(out.get(), SSL_CTX_get0_certificate(ctx.get())) == 1;
  STACK_OF(X509)* chain = nullptr;
  if (ok && SSL_CTX_get0_chain_certs(ctx.get(), &chain) == 1 && chain != nullptr) {
    for (int i = 0; ok && i < sk_X509_num(chain); ++i) ok = PEM_write_bio_X509(out.get(), sk_X509_value(chain, i)) == 1;
  }
  if (!ok) return MakeError(ErrorCode::kInternal, "http: TLS: cannot encode the certificate chain: " + OpensslError());
  pem.certificate_chain = take();
  if (PEM_write_bio_PrivateKey(out.get(), SSL_CTX_get0_privatekey(ctx.get()), nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    return MakeError(ErrorCode::kInternal, "http: TLS: cannot encode the private key: " + OpensslError());
  }
  pem.private_key = take();
  return pem;
}

Result<TlsCertificateSummary> SummarizeCertificate(const std::string& chain_pem) {
  std::unique_ptr<BIO, int (*)(BIO*)> in(BIO_new_mem_buf(chain_pem.data(), static_cast<int>(chain_pem.size())),
                                         &BIO_free);
  std::unique_ptr<X509, void (*)(X509*)> leaf(
      in ? PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr) : nullptr, &X509_free);
  if (!leaf) return MakeError(ErrorCode::kInvalidInput, "http: TLS: no certificate to describe: " + OpensslError());
  std::unique_ptr<BIO, int (*)(BIO*)> out(BIO_new(BIO_s_mem()), &BIO_free);
  auto take = [&out]() {
    char* data = nullptr;
    const long n = BIO_get_mem_data(out.get(), &data);
    std::string text(data, static_cast<size_t>(n > 0 ? n : 0));
    (void)BIO_reset(out.get());
    return text;
  };
  TlsCertificateSummary summary;
  X509_NAME_print_ex(out.get(), X509_get_subject_name(leaf.get()), 0, XN_FLAG_RFC2253);
  summary.subject = take();
  ASN1_TIME_print(out.get(), X509_get0_notAfter(leaf.get()));
  summary.not_after = take();
  return summary;
}

}  // namespace kronika::srs
