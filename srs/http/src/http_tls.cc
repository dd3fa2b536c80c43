// HTTPS helpers for HttpServer (SEC-1); see http_tls.h and docs/api.md "HTTPS".
#include "http_tls.h"

#include <dlfcn.h>
#include <link.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "kronika/civetweb_tls_shim.h"

namespace kronika::srs {
namespace {

// The names civetweb 1.15 dlopen()s, each with the marker only kronika's shim exports and one
// function civetweb dlsym()s from it: SSL_get_peer_certificate is the one OpenSSL 3 dropped
// (the reason for the shim), ERR_get_error stands for the libcrypto half.
struct TlsLibraryProbe {
  const char* library;
  const char* shim_marker;
  const char* symbol;
};
constexpr TlsLibraryProbe kCivetwebTlsProbes[] = {
    {"libssl.so", "kronika_tls_shim_ssl_version", "SSL_get_peer_certificate"},
    {"libcrypto.so", "kronika_tls_shim_crypto_version", "ERR_get_error"}};

Status TlsUnavailable(const std::string& why) {
  return MakeError(500, "http: TLS unavailable: " + why +
                            " (kronika's civetweb TLS shims live in build/srs/civetweb_tls_shim or "
                            "<prefix>/lib/kronika; see docs/api.md HTTPS)");
}

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
  return MakeError(500, "http: TLS private key '" + key + "' does not match the certificate in '" +
                            certificate_file + "': " + why);
}

// Error when `path` cannot be opened for reading (names the file and errno's reason).
Status CheckReadable(const std::string& what, const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    return MakeError(500, "http: TLS " + what + " '" + path + "' cannot be read: " + std::strerror(errno));
  }
  return OkStatus();
}

// A daemon cannot prompt for a pass phrase: OpenSSL's default callback would read the tty.
int RefusePassphrase(char*, int, int, void*) { return 0; }

}  // namespace

Status CheckCivetwebTlsLibraries() {
  for (const TlsLibraryProbe& probe : kCivetwebTlsProbes) {
    void* handle = dlopen(probe.library, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = dlerror();
      return TlsUnavailable(std::string("civetweb cannot load ") + probe.library + ": " +
                            (why != nullptr ? why : "not found"));
    }
    std::string file = probe.library;
    if (link_map* map = nullptr; dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map != nullptr &&
                                 map->l_name != nullptr && map->l_name[0] != '\0') {
      file = map->l_name;
    }
    const bool is_shim = dlsym(handle, probe.shim_marker) != nullptr;
    const bool has_symbol = dlsym(handle, probe.symbol) != nullptr;
    dlclose(handle);
    if (!is_shim) {
      return TlsUnavailable(std::string(probe.library) + " resolves to " + file +
                            ", not kronika's shim (LD_LIBRARY_PATH or a broken install shadows it)");
    }
    if (!has_symbol) {
      return TlsUnavailable(std::string(probe.library) + " (" + file + ") lacks " + probe.symbol);
    }
  }
  // Safe to call now that the shims are known to be loaded; these calls are also what keeps
  // them DT_NEEDED (GCC links --as-needed here), i.e. loaded before civetweb asks for them.
  if (kronika_tls_shim_ssl_version() != OpenSSL_version_num() ||
      kronika_tls_shim_crypto_version() != OpenSSL_version_num()) {
    return TlsUnavailable("the libssl.so/libcrypto.so shims forward to another OpenSSL than kronika's");
  }
  return OkStatus();
}

Status ConfigureTlsContext(void* ssl_ctx, const std::string& certificate_file, const std::string& key_file) {
  SSL_CTX* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  const std::string& key = key_file.empty() ? certificate_file : key_file;
  if (Status s = CheckReadable("certificate", certificate_file); !s.ok()) return s;
  if (Status s = CheckReadable("private key", key); !s.ok()) return s;
  ERR_clear_error();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    return MakeError(500, "http: TLS: cannot require TLS 1.2: " + OpensslError());
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, certificate_file.c_str()) != 1) {
    return MakeError(500, "http: TLS certificate '" + certificate_file +
                              "' holds no usable PEM certificate: " + OpensslError());
  }
  SSL_CTX_set_default_passwd_cb(ctx, &RefusePassphrase);
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    const unsigned long first = ERR_get_error();
    ERR_clear_error();
    if (ERR_GET_LIB(first) == ERR_LIB_X509 && ERR_GET_REASON(first) == X509_R_KEY_VALUES_MISMATCH) {
      return KeyMismatch(key, certificate_file, OpensslErrorText(first));
    }
    return MakeError(500, "http: TLS private key '" + key +
                              "' holds no usable unencrypted PEM private key: " + OpensslErrorText(first));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) return KeyMismatch(key, certificate_file, OpensslError());
  return OkStatus();
}

Status CheckTlsIdentity(const std::string& certificate_file, const std::string& key_file) {
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> ctx(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  if (!ctx) return MakeError(500, "http: TLS: cannot create an OpenSSL context: " + OpensslError());
  return ConfigureTlsContext(ctx.get(), certificate_file, key_file);
}

}  // namespace kronika::srs
