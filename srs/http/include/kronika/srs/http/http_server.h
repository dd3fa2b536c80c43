// HttpServer: one small HTTP listener (civetweb) with a route table.
//
// The recording API (recording_api.h), /healthz and the ops engineer's /metrics all mount
// on the same server. Bound to 127.0.0.1:8080 by default. Authentication is the access
// module's (it wraps the routes); HttpServerOptions::tls_certificate makes the listener
// HTTPS only (SEC-1, docs/api.md "HTTPS").
//
// Threads: civetweb runs handlers on its own worker threads (HttpServerOptions::threads);
// a handler may run concurrently with itself and must be thread-safe. Route() may be
// called before or after Start(), from any thread. Handlers must not throw (an escaping
// exception is answered with 500).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kronika/result.h"

namespace kronika::srs {

struct HttpServerOptions {
  std::string listen_address = "127.0.0.1";  // IP literal (IPv6 without brackets)
  int port = 8080;                            // 0 = ephemeral (see HttpServer::port())
  int threads = 4;                            // civetweb worker threads
  // PEM file holding the server certificate (then any intermediate CA certificates) and,
  // unless tls_private_key is set, its private key; when set the listener speaks HTTPS
  // only, TLS 1.2 and newer (SEC-1). "" = plain HTTP.
  std::string tls_certificate;
  std::string tls_private_key;  // PEM file with the (unencrypted) key; "" = in tls_certificate
  size_t max_body_bytes = 1 << 20;            // larger request bodies are answered with 413
};

struct HttpRequest {
  std::string method;        // "GET", ...
  std::string path;          // URL-decoded path without the query, e.g. "/api/v1/recordings/X"
  std::string path_rest;     // for prefix routes: the part after the prefix ("X"), else ""
  std::string query_string;  // raw, without '?'
  std::string remote_addr;
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;  // request body (POST/PUT), at most HttpServerOptions::max_body_bytes

  // Value of the first header named `name` (case-insensitive); nullopt when absent.
  std::optional<std::string> Header(std::string_view name) const;

  // URL-decoded value of the first `name=` in the query string; nullopt when absent.
  std::optional<std::string> QueryParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  // {"error": {"status": <status>, "message": <message>}} with the given status.
  static HttpResponse JsonError(int status, std::string_view message);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Registers `handler` for `method` on `pattern`: an exact path ("/healthz") or a prefix
  // ending in "/*" ("/api/v1/recordings/*" matches "/api/v1/recordings/ABC", with
  // path_rest "ABC"). Exact routes win over prefixes; longer prefixes win. A later
  // registration of the same method+pattern replaces the earlier. Unknown paths get 404,
  // known paths with another method 405 (JSON errors).
  void Route(std::string method, std::string pattern, HttpHandler handler);
  // The handler registered for exactly this method + pattern (as given to Route()), or an
  // empty function. Lets a module wrap routes registered by another (e.g. authentication).
  HttpHandler Handler(const std::string& method, std::string pattern) const;

  // Binds and starts serving. Error (message names the address) when the port is taken;
  // with TLS also when the certificate or key is unreadable, invalid or mismatched, or the
  // civetweb TLS shims are not loaded (message names the file; nothing is bound then).
  Status Start();
  // Stops accepting and waits for running handlers. Idempotent.
  void Stop();

  // The bound port after Start() (the real one when options.port was 0); 0 before.
  int port() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kronika::srs
