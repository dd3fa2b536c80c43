/* The civetweb TLS shims (libssl.so, libcrypto.so in a kronika-private directory; see
 * CMakeLists.txt next to this file). Binaries that serve HTTPS link both and call these, which
 * also keeps them DT_NEEDED under --as-needed linking. */
#ifndef KRONIKA_CIVETWEB_TLS_SHIM_H_
#define KRONIKA_CIVETWEB_TLS_SHIM_H_

#ifdef __cplusplus
extern "C" {
#endif

/* OpenSSL_version_num() of the libssl the "libssl.so" shim forwards to. */
unsigned long kronika_tls_shim_ssl_version(void);
/* OpenSSL_version_num() of the libcrypto the "libcrypto.so" shim forwards to. */
unsigned long kronika_tls_shim_crypto_version(void);

#ifdef __cplusplus
}
#endif

#endif /* KRONIKA_CIVETWEB_TLS_SHIM_H_ */
