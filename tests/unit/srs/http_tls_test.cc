// HttpServer over TLS (SEC-1): a real listener (libmicrohttpd, GnuTLS) with a freshly made
// certificate and a real OpenSSL client.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "kronika/srs/http/http_server.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::TempDir;

struct Identity {
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key{nullptr, &EVP_PKEY_free};
  std::unique_ptr<X509, void (*)(X509*)> cert{nullptr, &X509_free};
};

// A self-signed P-256 certificate for CN=127.0.0.1, valid for a day.
Identity MakeIdentity() {
  Identity id;
  id.key.reset(EVP_EC_gen("P-256"));
  REQUIRE(id.key);
  id.cert.reset(X509_new());
  X509* x = id.cert.get();
  REQUIRE(X509_set_version(x, 2) == 1);
  REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(x), 1) == 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1,
                             -1, 0);
  REQUIRE(X509_set_issuer_name(x, name) == 1);
  REQUIRE(X509_set_pubkey(x, id.key.get()) == 1);
  REQUIRE(X509_sign(x, id.key.get(), EVP_sha256()) > 0);
  return id;
}

void WritePem(const std::string& path, X509* cert, EVP_PKEY* key) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "w"), &std::fclose);
  REQUIRE(f);
  if (cert != nullptr) REQUIRE(PEM_write_X509(f.get(), cert) == 1);
  if (key != nullptr) REQUIRE(PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
}

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval timeout{5, 0};  // a broken server fails the test instead of hanging it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

struct TlsReply {
  std::string raw;           // response bytes
  int version = 0;           // negotiated protocol, e.g. TLS1_3_VERSION
  bool same_cert = false;    // the server presented our certificate
};

TlsReply HttpsGet(int port, const std::string& target, X509* expected_cert, int max_version = 0) {
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> ctx(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  REQUIRE(ctx);
  if (max_version != 0) {
    SSL_CTX_set_security_level(ctx.get(), 0);
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION);
    SSL_CTX_set_max_proto_version(ctx.get(), max_version);
  }
  std::unique_ptr<SSL, void (*)(SSL*)> ssl(SSL_new(ctx.get()), &SSL_free);
  const int fd = Connect(port);
  SSL_set_fd(ssl.get(), fd);
  TlsReply reply;
  if (SSL_connect(ssl.get()) == 1) {
    reply.version = SSL_version(ssl.get());
    std::unique_ptr<X509, void (*)(X509*)> peer(SSL_get1_peer_certificate(ssl.get()), &X509_free);
    reply.same_cert = peer && X509_cmp(peer.get(), expected_cert) == 0;
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    REQUIRE(SSL_write(ssl.get(), request.data(), static_cast<int>(request.size())) ==
            static_cast<int>(request.size()));
    char buf[4096];
    for (int n; (n = SSL_read(ssl.get(), buf, sizeof buf)) > 0;) reply.raw.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return reply;
}

TEST_CASE("SEC-1 HttpServer serves HTTPS (TLS 1.2+) only, with our certificate") {
  TempDir dir;
  Identity id = MakeIdentity();
  const std::string pem = dir.path().string() + "/server.pem";
  WritePem(pem, id.cert.get(), id.key.get());
  HttpServerOptions options;
  options.port = 0;
  options.tls_certificate = pem;
  HttpServer server(options);
  server.Route("GET", "/ping", RouteAccess::Public(), [](const HttpRequest& r) {
    HttpResponse response;
    response.content_type = "text/plain";
    response.body = "pong from " + r.remote_addr;
    return response;
  });
  REQUIRE(server.Start().ok());

  TlsReply reply = HttpsGet(server.port(), "/ping", id.cert.get());
  CHECK(reply.same_cert);
  CHECK(reply.version >= TLS1_2_VERSION);
  CHECK(reply.raw.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(reply.raw.find("pong from 127.0.0.1") != std::string::npos);  // the client's own address

  TlsReply old = HttpsGet(server.port(), "/ping", id.cert.get(), TLS1_1_VERSION);
  CHECK(old.version == 0);  // handshake refused
  CHECK(old.raw.empty());

  const int fd = Connect(server.port());
  const std::string plain = "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  REQUIRE(::send(fd, plain.data(), plain.size(), 0) == static_cast<ssize_t>(plain.size()));
  char buf[512];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ::close(fd);
  CHECK((n <= 0 || std::string(buf, static_cast<size_t>(n)).find("HTTP/") == std::string::npos));
}

TEST_CASE("SEC-1 a bad certificate or key fails Start() naming the file") {
  TempDir dir;
  Identity id = MakeIdentity();
  Identity other = MakeIdentity();
  const std::string cert = dir.path().string() + "/cert.pem";
  const std::string key = dir.path().string() + "/key.pem";
  const std::string other_key = dir.path().string() + "/other.pem";
  WritePem(cert, id.cert.get(), nullptr);
  WritePem(key, nullptr, id.key.get());
  WritePem(other_key, nullptr, other.key.get());
  auto start = [](const std::string& c, const std::string& k) {
    HttpServerOptions options;
    options.port = 0;
    options.tls_certificate = c;
    options.tls_private_key = k;
    HttpServer server(options);
    Status s = server.Start();
    return s.ok() ? std::string("ok") : s.error().message;
  };
  CHECK(start(cert, key) == "ok");
  CHECK_THAT(start(dir.path().string() + "/missing.pem", ""),
             Catch::Contains("TLS certificate '" + dir.path().string() + "/missing.pem' cannot be read"));
  CHECK_THAT(start(cert, ""), Catch::Contains("private key '" + cert + "' holds no usable"));
  CHECK_THAT(start(key, ""), Catch::Contains("certificate '" + key + "' holds no usable PEM certificate"));
  CHECK_THAT(start(cert, other_key), Catch::Contains("does not match the certificate in '" + cert + "'"));
  CHECK_THAT(start("", key), Catch::Contains("private key is set but no certificate"));
}

TEST_CASE("SEC-1 ReloadTls() serves a changed certificate to new connections and keeps it when the new files do "
          "not load (issue 15 item 5)") {
  TempDir dir;
  Identity a = MakeIdentity();
  Identity b = MakeIdentity();
  const std::string cert = dir.path().string() + "/cert.pem";
  const std::string key = dir.path().string() + "/key.pem";
  WritePem(cert, a.cert.get(), nullptr);
  WritePem(key, nullptr, a.key.get());
  HttpServerOptions options;
  options.port = 0;
  options.tls_certificate = cert;
  options.tls_private_key = key;
  HttpServer server(options);
  server.Route("GET", "/ping", RouteAccess::Public(), [](const HttpRequest&) { return HttpResponse{}; },
               RouteDispatch::kImmediate);
  REQUIRE(server.Start().ok());
  CHECK(HttpsGet(server.port(), "/ping", a.cert.get()).same_cert);

  Result<TlsReloadOutcome> same = server.ReloadTls(cert, key);  // files unchanged
  REQUIRE(same.ok());
  CHECK_FALSE(same->changed);

  WritePem(cert, b.cert.get(), nullptr);
  WritePem(key, nullptr, b.key.get());
  Result<TlsReloadOutcome> renewed = server.ReloadTls(cert, key);
  REQUIRE(renewed.ok());
  CHECK(renewed->changed);
  CHECK(renewed->subject == "CN=127.0.0.1");
  CHECK_THAT(renewed->not_after, Catch::Contains("GMT"));
  TlsReply reply = HttpsGet(server.port(), "/ping", b.cert.get());
  CHECK(reply.same_cert);
  CHECK(reply.raw.rfind("HTTP/1.1 200", 0) == 0);

  WritePem(key, nullptr, a.key.get());  // B's certificate with A's key
  Result<TlsReloadOutcome> mismatched = server.ReloadTls(cert, key);
  REQUIRE_FALSE(mismatched.ok());
  CHECK_THAT(mismatched.error().message, Catch::Contains("does not match the certificate"));
  CHECK(HttpsGet(server.port(), "/ping", b.cert.get()).same_cert);

  HttpServerOptions plain_options;
  plain_options.port = 0;
  HttpServer plain(plain_options);
  plain.Route("GET", "/ping", RouteAccess::Public(), [](const HttpRequest&) { return HttpResponse{}; });
  REQUIRE(plain.Start().ok());
  Result<TlsReloadOutcome> refused = plain.ReloadTls(cert, "");
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("started without TLS"));
}

}  // namespace
}  // namespace kronika::srs
