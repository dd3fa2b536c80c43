// The replaceable HTTPS identity (see tls_credentials.h).
#include "tls_credentials.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <map>

namespace kronika::srs::http_internal {

// A chain longer than this (leaf and intermediates) is refused; real chains hold 2 to 4.
constexpr unsigned kMaxChain = 16;

struct TlsCredentials::Identity {
  gnutls_pcert_st chain[kMaxChain] = {};
  unsigned chain_length = 0;
  gnutls_privkey_t key = nullptr;
  ~Identity() {
    for (unsigned i = 0; i < chain_length; ++i) gnutls_pcert_deinit(&chain[i]);
    if (key != nullptr) gnutls_privkey_deinit(key);
  }
};

namespace {

// Local port -> the credentials serving it (see the header: GnuTLS's callback has no
// user pointer). Read by the handshakes under the mutex; an entry changes only when a
// server starts or stops.
Mutex registry_mu;
std::map<int, TlsCredentials*>& Registry() {
  static auto* registry = new std::map<int, TlsCredentials*>;
  return *registry;
}

int LocalPort(gnutls_session_t session) {
  const int fd = gnutls_transport_get_int(session);  // libmicrohttpd sets the socket
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (fd < 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return -1;
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
  return -1;
}

Status GnutlsError(const char* what, int code) {
  return MakeError(ErrorCode::kInvalidInput, std::string("http: TLS: ") + what + ": " + gnutls_strerror(code));
}

}  // namespace

namespace {

int RetrieveCertificate(gnutls_session_t session, const gnutls_datum_t*, int, const gnutls_pk_algorithm_t*, int,
                        gnutls_pcert_st** chain, unsigned int* chain_length, gnutls_privkey_t* key) {
  TlsCredentials::Identity* identity = nullptr;
  {
    MutexLock lock(registry_mu);
    auto it = Registry().find(LocalPort(session));
    if (it != Registry().end()) identity = it->second->current();
  }
  if (identity == nullptr) return -1;  // the handshake fails; no identity for this socket
  *chain = identity->chain;
  *chain_length = identity->chain_length;
  *key = identity->key;
  return 0;
}

}  // namespace

TlsCredentials::TlsCredentials() = default;

TlsCredentials::~TlsCredentials() { ServePort(0); }

Status TlsCredentials::Replace(const TlsIdentityPem& pem) {
  auto identity = std::make_unique<Identity>();
  gnutls_datum_t chain{reinterpret_cast<unsigned char*>(const_cast<char*>(pem.certificate_chain.data())),
                       static_cast<unsigned>(pem.certificate_chain.size())};
  unsigned length = kMaxChain;
  int rc = gnutls_pcert_list_import_x509_raw(identity->chain, &length, &chain, GNUTLS_X509_FMT_PEM, 0);
  if (rc < 0) return GnutlsError("cannot import the certificate chain", rc);
  identity->chain_length = length;
  if ((rc = gnutls_privkey_init(&identity->key)) < 0) return GnutlsError("cannot create a private key", rc);
  gnutls_datum_t key{reinterpret_cast<unsigned char*>(const_cast<char*>(pem.private_key.data())),
                     static_cast<unsigned>(pem.private_key.size())};
  rc = gnutls_privkey_import_x509_raw(identity->key, &key, GNUTLS_X509_FMT_PEM, nullptr, 0);
  if (rc < 0) return GnutlsError("cannot import the private key", rc);
  MutexLock lock(replace_mu_);
  current_.store(identity.get(), std::memory_order_release);
  identities_.push_back(std::move(identity));
  return OkStatus();
}

void TlsCredentials::ServePort(int port) {
  MutexLock lock(registry_mu);
  if (port_ != 0) Registry().erase(port_);
  port_ = port;
  if (port_ != 0) Registry()[port_] = this;
}

void* TlsCredentials::Callback() { return reinterpret_cast<void*>(&RetrieveCertificate); }

}  // namespace kronika::srs::http_internal
