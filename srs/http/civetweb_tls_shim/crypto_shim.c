/* "libcrypto.so" for civetweb (SEC-1): no symbols of its own beyond the probe below; civetweb's
 * dlsym() calls on it resolve in its dependency libcrypto.so.3. */
#include <openssl/crypto.h>

#include "kronika/civetweb_tls_shim.h"

__attribute__((visibility("default"))) unsigned long kronika_tls_shim_crypto_version(void) {
  return OpenSSL_version_num();
}
