/* "libssl.so" for civetweb 1.15 on OpenSSL 3 (SEC-1). Everything civetweb looks up is found in
 * this object's dependency libssl.so.3, except SSL_get_peer_certificate: OpenSSL 3 turned it
 * into a macro for SSL_get1_peer_certificate and no longer exports it, and civetweb calls the
 * looked-up pointer unchecked on every TLS connection. */
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "kronika/civetweb_tls_shim.h"

#undef SSL_get_peer_certificate

/* Same contract as OpenSSL 1.1's function: the peer certificate with its reference count
 * raised (the caller X509_free()s it), or NULL when the peer sent none. */
__attribute__((visibility("default"))) X509* SSL_get_peer_certificate(const SSL* ssl) {
  return SSL_get1_peer_certificate(ssl);
}

__attribute__((visibility("default"))) unsigned long kronika_tls_shim_ssl_version(void) {
  return OpenSSL_version_num();
}
