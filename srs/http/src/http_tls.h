// The HTTPS server identity for HttpServer (SEC-1): the certificate chain and the private key
// read from PEM files, checked at start so a bad setup is reported with the file's name
// before anything is bound.
//
// Threads: called from the thread that starts the server; no state of their own.
#pragma once

#include <string>

#include "kronika/result.h"

namespace kronika::srs {

// The identity re-encoded as PEM for the TLS stack: the chain (leaf first, then
// intermediates) and the private key, unencrypted PKCS#8. Key bytes are wiped on destruction.
struct TlsIdentityPem {
  std::string certificate_chain;
  std::string private_key;
  TlsIdentityPem() = default;
  TlsIdentityPem(const TlsIdentityPem&) = delete;
  TlsIdentityPem& operator=(const TlsIdentityPem&) = delete;
  TlsIdentityPem(TlsIdentityPem&&) = default;
  TlsIdentityPem& operator=(TlsIdentityPem&&) = default;
  ~TlsIdentityPem();
};

// Loads the certificate chain from `certificate_file` (PEM: leaf first, then intermediates)
// and the private key from `key_file` ("" = the same file). Error naming the file and the
// cause: unreadable, no certificate, no or encrypted key (never prompts for a pass phrase),
// key not matching the certificate.
Result<TlsIdentityPem> LoadTlsIdentity(const std::string& certificate_file, const std::string& key_file);

// What the log says of a served certificate (issue 15 item 5): the leaf's subject as
// "CN=..,O=.." (RFC 2253) and its notAfter as OpenSSL prints it.
struct TlsCertificateSummary {
  std::string subject;
  std::string not_after;
};

// The summary of the first certificate in `chain_pem`. Error when it holds none.
Result<TlsCertificateSummary> SummarizeCertificate(const std::string& chain_pem);

// The same identity loaded into an OpenSSL SSL_CTX (`ssl_ctx`), TLS 1.2 and newer only.
Status ConfigureTlsContext(void* ssl_ctx, const std::string& certificate_file,
                           const std::string& key_file);

}  // namespace kronika::srs
