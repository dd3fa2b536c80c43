// HTTPS for HttpServer (SEC-1): the startup self-check of civetweb's run-time OpenSSL and the
// server identity (certificate chain + private key) loaded into civetweb's SSL_CTX.
//
// civetweb 1.15 (Debian 12) dlopen()s "libssl.so" and "libcrypto.so" and dlsym()s ~60
// functions, calling them unchecked. Kronika links two shims with exactly those SONAMEs
// (srs/civetweb_tls_shim/), so those dlopen()s find the already loaded shims, whose
// dependencies are the real libssl.so.3 / libcrypto.so.3; the libssl shim adds
// SSL_get_peer_certificate, which OpenSSL 3 no longer exports. Called from the thread that
// starts the server; no state of their own.
#pragma once

#include <string>

#include "kronika/result.h"

namespace kronika::srs {

// Checks that civetweb's dlopen("libssl.so") / dlopen("libcrypto.so") resolve to libraries
// exporting what it calls. Error ("http: TLS unavailable: ...", naming the library file it
// found) when the shims are missing or shadowed, e.g. by LD_LIBRARY_PATH or a broken install.
Status CheckCivetwebTlsLibraries();

// Loads the certificate chain from `certificate_file` (PEM: leaf first, then intermediates)
// and the private key from `key_file` ("" = the same file) into `ssl_ctx` (an SSL_CTX*),
// TLS 1.2 and newer only. Error naming the file and the cause: unreadable, no certificate,
// no or encrypted key, key not matching the certificate.
Status ConfigureTlsContext(void* ssl_ctx, const std::string& certificate_file,
                           const std::string& key_file);

// ConfigureTlsContext() on a throwaway context: reports a bad certificate or key at start,
// before the port is bound.
Status CheckTlsIdentity(const std::string& certificate_file, const std::string& key_file);

}  // namespace kronika::srs
