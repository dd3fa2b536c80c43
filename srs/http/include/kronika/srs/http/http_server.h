// HttpServer: the daemon's one HTTP listener (libmicrohttpd, TLS by GnuTLS) with a route table.
//
// The recording API (recording_api.h), /healthz and the ops engineer's /metrics all mount
// on the same server. Bound to 127.0.0.1:8080 by default. Authentication is the access
// module's (it wraps the routes); HttpServerOptions::tls_certificate makes the listener
// HTTPS only (SEC-1, docs/api.md "HTTPS").
//
// Threads and starvation (issue 12 item 4): `io_threads` event threads (epoll) own every
// connection: accept, TLS, reading requests and writing responses. A connection costs no
// thread while it is idle or half-sent, so slow clients cannot take the server's threads.
// Handlers run on `workers` worker threads (a bounded queue in front of them: a full queue
// is answered 503 at once), except routes registered RouteDispatch::kImmediate, which run
// on the event thread that read the request and so never wait behind slow handlers (/metrics,
// /healthz: cheap, non-blocking). A handler may run concurrently with itself and must be
// thread-safe; an exception escaping it is answered with 500. Route() may be called before
// or after Start(), from any thread.
//
// Routes fail closed (issue 13): every Route() states who may call it (RouteAccess) where
// it is registered. Start() refuses to serve a table holding a route that does not
// (RouteAccess::Undeclared(), or kRoles with no role), naming it; such a route registered
// after Start() is answered 403 without its handler running. HttpServer itself does not
// authenticate: the module that mounts a route enforces what it declares (the access
// module builds both from one list, access_routes.cc), and Routes() lets a test check
// every route against its declaration (tests/unit/srs/http_route_access_test.cc).
//
// Long polling (GET /api/v1/events?wait=S): a kWorker handler may answer "not yet"
// (HttpResponse::poll). The server then parks the request: its connection stays suspended,
// the worker goes back to the pool at once, and one parking thread ("kr-http-park") calls
// the poll function about every kParkPollInterval until it answers or its deadline passes.
// So N waiting clients hold N suspended connections (bounded by max_connections), never N
// workers, and the other routes keep every worker. Stop() answers every parked request at
// once (poll with expired = true).
//
// Limits: a request's line and headers (and the TLS handshake before them) must arrive
// within `header_timeout` of the connection opening or of the previous response; a
// connection with no traffic for `idle_timeout` is closed; at most `max_connections` are
// open, at most `max_connections_per_client` from one address; request bodies over
// `max_body_bytes` get 413.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kronika/result.h"

namespace kronika::srs {

// Thread names (thread_boundary.h): the workers are "kr-http-w<N>"; a handler that throws on
// libmicrohttpd's event threads (not ours to name) is counted as "kr-http-io".
inline constexpr char kHttpWorkerThreadPrefix[] = "kr-http-w";
inline constexpr char kHttpIoThreadName[] = "kr-http-io";
inline constexpr char kHttpParkThreadName[] = "kr-http-park";
// How often the parking thread asks each parked request's poll function (long polling).
inline constexpr std::chrono::milliseconds kParkPollInterval{100};

struct HttpServerOptions {
  std::string listen_address = "127.0.0.1";  // IP literal (IPv6 without brackets)
  int port = 8080;                            // 0 = ephemeral (see HttpServer::port())
  int io_threads = 2;    // event threads (accept, TLS, parsing, sending; kImmediate routes)
  int workers = 8;       // threads running kWorker route handlers
  int max_queued = 256;  // requests waiting for a worker; beyond: 503 + Retry-After
  int max_connections = 256;           // open connections in all; beyond: refused at accept
  int max_connections_per_client = 32; // open connections from one IP address
  // Request line + headers (+ TLS handshake) complete within this, counted from the
  // connection's start or its previous response (a keep-alive connection waiting for its
  // next request is closed after it too).
  std::chrono::milliseconds header_timeout{5000};
  std::chrono::seconds idle_timeout{10};  // no byte in either direction for this long: closed
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
  // Query arguments in order, URL-decoded ('%2B' is '+'; a '+' stays a '+'); an argument
  // without '=' has an empty value.
  std::vector<std::pair<std::string, std::string>> query;
  std::string remote_addr;
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  // The Cookie header's name=value pairs as libmicrohttpd parsed them, in order.
  std::vector<std::pair<std::string, std::string>> cookies;
  std::string body;  // request body (POST/PUT), at most HttpServerOptions::max_body_bytes

  // Value of the first header named `name` (case-insensitive); nullopt when absent.
  std::optional<std::string> Header(std::string_view name) const;

  // Value of the first query argument named `name`; nullopt when absent.
  std::optional<std::string> QueryParam(std::string_view name) const;

  // Value of the first cookie named `name` (case-sensitive); nullopt when absent.
  std::optional<std::string> Cookie(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  // Long polling (see the file comment): when `poll` is set, this is not the answer yet
  // (status, body and headers are ignored). The parking thread calls poll(false) about every
  // kParkPollInterval until it returns an answer, then poll(true) once `poll_until` has
  // passed or the server stops; poll(true) must answer. It runs on the parking thread, one
  // parked request after the other: it must be quick and never wait (one LMDB read).
  // Only kWorker routes may park; from a kImmediate route it is answered 500.
  std::function<std::optional<HttpResponse>(bool expired)> poll;
  std::chrono::steady_clock::time_point poll_until;

  // {"error": {"status": <status>, "message": <message>}} with the given status.
  static HttpResponse JsonError(int status, std::string_view message);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Who may call a route (see the file comment: routes fail closed).
struct RouteAccess {
  enum class Kind {
    kUndeclared,  // nobody said: Start() refuses, and the route is never served
    kPublic,      // no authentication: no personal data (/healthz, /readyz, /metrics, /ui page)
    kAnyUser,     // any authenticated user (401 without a token); the handler may refuse more
    kRoles,       // an authenticated user holding at least one of `roles` (else 403)
  };
  Kind kind = Kind::kUndeclared;
  std::vector<std::string> roles;  // kRoles: role names as access_users.h RoleName() spells them

  static RouteAccess Undeclared() { return {}; }
  static RouteAccess Public() { return {Kind::kPublic, {}}; }
  static RouteAccess AnyUser() { return {Kind::kAnyUser, {}}; }
  static RouteAccess Roles(std::vector<std::string> names) { return {Kind::kRoles, std::move(names)}; }
};

// Where a route's handler runs (see the file comment).
enum class RouteDispatch {
  kWorker,     // on a worker thread: may block (LMDB, files, PDFs)
  kImmediate,  // on the event thread: must be cheap and never block (/metrics, /healthz)
};

// One registered route, as HttpServer::Routes() lists it.
struct RouteInfo {
  std::string method;
  std::string pattern;  // as given to Route(): "/healthz", "/api/v1/recordings/*"
  RouteAccess access;
  RouteDispatch dispatch = RouteDispatch::kWorker;
};

// Counters of the server since Start(); read with HttpServer::Stats() from any thread.
struct HttpServerStats {
  uint64_t connections_open = 0;       // gauge
  uint64_t requests_total = 0;         // answered by a handler or with 404/405/413
  uint64_t header_timeouts_total = 0;  // connections closed: headers not complete in time
  uint64_t busy_refusals_total = 0;    // 503: the worker queue was full
  uint64_t requests_parked = 0;        // gauge: long polls waiting (HttpResponse::poll)
};

// What HttpServer::ReloadTls() did.
struct TlsReloadOutcome {
  bool changed = false;    // false: the files hold the identity already served; nothing done
  std::string subject;     // the new certificate's subject, e.g. "CN=recorder.example"
  std::string not_after;   // its expiry as OpenSSL prints it, e.g. "Dec  7 17:49:12 2027 GMT"
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Registers `handler` for `method` on `pattern`, callable by whom `access` says: an exact
  // path ("/healthz") or a prefix ending in "/*" ("/api/v1/recordings/*" matches
  // "/api/v1/recordings/ABC", with path_rest "ABC"). Exact routes win over prefixes; longer
  // prefixes win. A later registration of the same method+pattern replaces the earlier
  // (handler and access both). Unknown paths get 404, known paths with another method 405
  // (JSON errors).
  void Route(std::string method, std::string pattern, RouteAccess access, HttpHandler handler,
             RouteDispatch dispatch = RouteDispatch::kWorker);
  // The handler registered for exactly this method + pattern (as given to Route()), or an
  // empty function. Lets a module wrap routes registered by another (e.g. authentication).
  HttpHandler Handler(const std::string& method, std::string pattern) const;
  // Every registered route, ordered by pattern then method.
  std::vector<RouteInfo> Routes() const;

  // Binds and starts serving. Errors: a route that does not declare who may call it
  // (kInternal, a bug in the code that mounted it: the message names its method and pattern;
  // nothing is bound); the port is taken (message names the address); with TLS the certificate or key
  // unreadable, invalid or mismatched (message names the file; nothing is bound); an option
  // out of range.
  Status Start();
  // Stops accepting, lets queued and running handlers finish, answers parked long polls
  // at once (empty), gives those answers up to 2 s to be sent, closes every connection.
  // Idempotent.
  void Stop();

  // Reads the certificate and key files again (issue 15 item 5, SIGHUP): when their
  // identity differs from the one served (compared as bytes, not by modification time),
  // new connections get it; connections already open and the listening socket are not
  // touched. Errors (the identity in use stays): the server was started without TLS, or
  // the files fail Start()'s checks (the message names the file and the cause). Any
  // thread; serialised with itself.
  Result<TlsReloadOutcome> ReloadTls(const std::string& certificate_file, const std::string& key_file);

  // The bound port after Start() (the real one when options.port was 0); 0 before.
  int port() const;
  HttpServerStats Stats() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kronika::srs
