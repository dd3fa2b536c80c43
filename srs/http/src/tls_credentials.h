// The HTTPS identity libmicrohttpd serves, replaceable while the server runs (issue 15
// item 5): the server hands GnuTLS a certificate callback (MHD_OPTION_HTTPS_CERT_CALLBACK)
// instead of a fixed certificate, and the callback answers with the identity current at the
// handshake. Replace() switches it for new connections; connections already past their
// handshake keep theirs, and the listening socket is never touched.
//
// GnuTLS's callback carries no user pointer, so the callback finds the credentials by the
// local port of the connection's socket (a process-wide table, one entry per HTTPS
// listener; two HTTPS servers of one process cannot share a port).
//
// Threads: Replace() from any thread (serialised inside); the callback runs on
// libmicrohttpd's event threads (a short mutex around the port table). An identity once served is kept until the
// object is destroyed, because GnuTLS reads it during the handshake without a reference
// count; a reload leaks a few kilobytes until Stop(), which is the price of never
// freeing an identity a handshake still uses.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "http_tls.h"
#include "kronika/mutex.h"
#include "kronika/result.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs::http_internal {

class TlsCredentials {
 public:
  TlsCredentials();
  ~TlsCredentials();
  TlsCredentials(const TlsCredentials&) = delete;
  TlsCredentials& operator=(const TlsCredentials&) = delete;

  // Makes `pem` the identity of new handshakes. Error (the identity in use stays) when
  // GnuTLS cannot import the chain or the key.
  Status Replace(const TlsIdentityPem& pem);

  // Serves this object's identity to handshakes on sockets bound to local `port`; 0 stops.
  void ServePort(int port);

  // The gnutls_certificate_retrieve_function2 to give MHD_OPTION_HTTPS_CERT_CALLBACK as its
  // pointer argument (void* here so this header needs no GnuTLS).
  static void* Callback();

  struct Identity;  // GnuTLS's chain and key (tls_credentials.cc)
  // The identity of new handshakes; nullptr before the first Replace().
  Identity* current() const { return current_.load(std::memory_order_acquire); }

 private:
  Mutex replace_mu_;
  std::vector<std::unique_ptr<Identity>> identities_ GUARDED_BY(replace_mu_);  // every one served; the last is current
  std::atomic<Identity*> current_{nullptr};
  int port_ = 0;
};

}  // namespace kronika::srs::http_internal
