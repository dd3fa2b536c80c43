// HttpServer on libmicrohttpd (see http_server.h): epoll event threads own the connections,
// one access handler feeds our route table, kWorker handlers run on the WorkerPool while the
// connection is suspended, and HeaderDeadlines cuts off clients whose headers are late.
#include "kronika/srs/http/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <thread>
#include <utility>

#include "header_deadlines.h"
#include "http_tls.h"
#include "kronika/mutex.h"
#include "kronika/srs/core/log.h"
#include "kronika/thread_boundary.h"
#include "parked_requests.h"
#include "route_table.h"
#include "tls_credentials.h"
#include "worker_pool.h"

namespace kronika::srs {
namespace {

// Whether a route says who may call it (routes fail closed, issue 13).
bool DeclaresAccess(const RouteAccess& access) {
  return access.kind != RouteAccess::Kind::kUndeclared &&
         !(access.kind == RouteAccess::Kind::kRoles && access.roles.empty());
}

using http_internal::HeaderDeadlines;

// TLS 1.2 and 1.3 only (SEC-1); GnuTLS's defaults otherwise.
constexpr char kTlsPriorities[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
constexpr int kListenBacklog = 128;
constexpr char kRetryAfterSeconds[] = "1";
// How long Stop() waits for the answers handlers gave while it stopped to be sent.
constexpr std::chrono::milliseconds kStopSendGrace{2000};

// One request: what the access handler collected and, once a worker ran the handler, the
// answer. Owned by libmicrohttpd's per-request pointer; freed by OnCompleted.
struct RequestContext {
  HttpRequest request;
  HeaderDeadlines::Connection* connection = nullptr;
  bool body_too_large = false;
  bool dispatched = false;
  // Written by the worker before it resumes the connection; read by the event thread after
  // (libmicrohttpd's resume goes through a mutex, which orders the two).
  std::optional<HttpResponse> response;
};

enum MHD_Result AddPair(void* cls, enum MHD_ValueKind, const char* key, const char* value) {
  auto* pairs = static_cast<std::vector<std::pair<std::string, std::string>>*>(cls);
  pairs->emplace_back(key != nullptr ? key : "", value != nullptr ? value : "");
  return MHD_YES;
}

std::string AddressText(const sockaddr* addr) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr == nullptr) return "";
  if (addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, text, sizeof text);
  } else if (addr->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, text, sizeof text);
  }
  return text;
}

void DeleteBody(void* body) { delete static_cast<std::string*>(body); }

// Hands `response` to libmicrohttpd (the body is moved, not copied).
enum MHD_Result Queue(MHD_Connection* connection, HttpResponse response) {
  auto* body = new std::string(std::move(response.body));
  MHD_Response* r =
      MHD_create_response_from_buffer_with_free_callback_cls(body->size(), body->data(), &DeleteBody, body);
  if (r == nullptr) {
    delete body;
    return MHD_NO;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, response.content_type.c_str());
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  for (const auto& [name, value] : response.headers) {
    if (MHD_add_response_header(r, name.c_str(), value.c_str()) != MHD_YES) {
      Logf(LogLevel::kWarn, "", "http: response header %s dropped (not allowed or malformed)", name.c_str());
    }
  }
  const enum MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(response.status), r);
  MHD_destroy_response(r);
  return queued;
}

// The boundary of the HTTP threads (issue 13 item 4): a handler that throws answers 500,
// and the fault is logged and counted under the thread that ran it (kr-http-w<N> for the
// workers, kr-http-io for libmicrohttpd's event threads, which we do not name).
HttpResponse RunHandler(const HttpHandler& handler, const HttpRequest& request) noexcept {
  const std::string& name = CurrentThreadName();
  const std::string_view thread = name.starts_with("kr-http") ? std::string_view(name) : kHttpIoThreadName;
  std::optional<HttpResponse> response;
  if (RunGuarded(thread, FaultEffect::kRecovered, [&] { response.emplace(handler(request)); })) {
    if (response->poll && thread == kHttpIoThreadName) {  // only workers' requests may park
      Logf(LogLevel::kError, "", "http: %s %s answered 500: an immediate route asked to long-poll",
           request.method.c_str(), request.path.c_str());
      return HttpResponse::JsonError(500, "internal error (logged)");
    }
    return std::move(*response);
  }
  Logf(LogLevel::kError, "", "http: %s %s answered 500: its handler threw (the line 'thread %.*s: ...' says what)",
       request.method.c_str(), request.path.c_str(), static_cast<int>(thread.size()), thread.data());
  return HttpResponse::JsonError(500, "internal error (logged)");
}

HttpResponse Busy() {
  HttpResponse r = HttpResponse::JsonError(503, "server busy, retry shortly");
  r.headers.emplace_back("Retry-After", kRetryAfterSeconds);
  return r;
}

// The listening socket, bound by us so a taken port is reported with errno's reason.
Result<int> Listen(const std::string& address, int port, int& bound_port) {
  const bool v6 = address.find(':') != std::string::npos;
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, address.c_str(), &a->sin6_addr) != 1) {
      return MakeError(ErrorCode::kInvalidInput, "http: listen address '" + address + "' is not an IP address");
    }
    length = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&storage);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, address.c_str(), &a->sin_addr) != 1) {
      return MakeError(ErrorCode::kInvalidInput, "http: listen address '" + address + "' is not an IP address");
    }
    length = sizeof *a;
  }
  const std::string where = (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
  const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return MakeError(ErrorCode::kUnavailable, "http: cannot listen on " + where + ": " + std::strerror(errno));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // restart over TIME_WAIT
  if (v6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0 || ::listen(fd, kListenBacklog) != 0) {
    const int err = errno;
    ::close(fd);
    return MakeError(ErrorCode::kUnavailable, "http: cannot listen on " + where + ": " + std::strerror(err));
  }
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length);
  bound_port = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port
                        : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
  return fd;
}

void LogFromLibrary(void*, const char* format, va_list args) {
  char text[512];
  std::vsnprintf(text, sizeof text, format, args);
  size_t n = std::strlen(text);
  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r')) text[--n] = '\0';
  Logf(LogLevel::kDebug, "", "http: libmicrohttpd: %s", text);
}

}  // namespace

class HttpServer::Impl {
 public:
  static enum MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url, const char* method,
                                   const char* version, const char* upload_data, size_t* upload_data_size,
                                   void** request_state) noexcept;
  static void OnCompleted(void* cls, MHD_Connection* connection, void** request_state,
                          enum MHD_RequestTerminationCode why) noexcept;
  static void OnConnection(void* cls, MHD_Connection* connection, void** socket_state,
                           enum MHD_ConnectionNotificationCode what) noexcept;

  // The request's first call: copies what the handler needs out of libmicrohttpd.
  RequestContext* Begin(MHD_Connection* connection, const char* url, const char* method);
  // Headers and body complete: answers at once or hands the request to a worker.
  enum MHD_Result Dispatch(MHD_Connection* connection, RequestContext& context);
  // Hands a request whose handler answered "not yet" to the parking thread, which resumes
  // the connection with the answer.
  void ParkRequest(MHD_Connection* connection, RequestContext& context, HttpResponse pending);

  HttpServerOptions options;
  http_internal::RouteTable routes;
  http_internal::WorkerPool workers;
  http_internal::ParkedRequests parked;
  HeaderDeadlines deadlines;
  // The identity served (Start(), then ReloadTls()), guarded by tls_mu; credentials holds
  // it in GnuTLS's form for the handshakes.
  Mutex tls_mu;
  TlsIdentityPem tls GUARDED_BY(tls_mu);
  http_internal::TlsCredentials credentials;
  MHD_Daemon* daemon = nullptr;
  int listen_fd = -1;
  int bound_port = 0;
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> busy_refusals{0};
  // Requests handed to a worker (and maybe parked) whose answer is not yet sent: Stop()
  // lets the event threads send those answered while it stops before closing everything.
  std::atomic<int64_t> dispatched_open{0};
};

RequestContext* HttpServer::Impl::Begin(MHD_Connection* connection, const char* url, const char* method) {
  auto* context = new RequestContext;
  HttpRequest& request = context->request;
  request.method = method != nullptr ? method : "";
  request.path = url != nullptr ? url : "";
  MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &AddPair, &request.query);
  MHD_get_connection_values(connection, MHD_HEADER_KIND, &AddPair, &request.headers);
  MHD_get_connection_values(connection, MHD_COOKIE_KIND, &AddPair, &request.cookies);
  if (const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS)) {
    request.remote_addr = AddressText(info->client_addr);
  }
  if (const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT)) {
    context->connection = static_cast<HeaderDeadlines::Connection*>(info->socket_context);
    deadlines.RequestStarted(context->connection);
  }
  return context;
}

enum MHD_Result HttpServer::Impl::Dispatch(MHD_Connection* connection, RequestContext& context) {
  HttpRequest& request = context.request;
  if (context.body_too_large) return Queue(connection, HttpResponse::JsonError(413, "request body too large"));
  http_internal::Route route;
  int status = 0;
  if (!routes.Find(request.method, request.path, route, request.path_rest, status)) {
    return Queue(connection, HttpResponse::JsonError(
                                 status, status == 405 ? "method " + request.method + " not allowed on " + request.path
                                                       : "no such resource: " + request.path));
  }
  if (!DeclaresAccess(route.access)) {
    // Registered after Start() without saying who may call it: fail closed.
    Logf(LogLevel::kError, "", "http: %s %s refused: the route declares no access (roles)", request.method.c_str(),
         request.path.c_str());
    return Queue(connection, HttpResponse::JsonError(403, "this resource declares no access; refused"));
  }
  if (route.dispatch == RouteDispatch::kImmediate) return Queue(connection, RunHandler(route.handler, request));
  if (!workers.TryReserve()) {
    busy_refusals.fetch_add(1, std::memory_order_relaxed);
    Logf(LogLevel::kWarn, "", "http: %s %s from %s refused: every worker busy and the queue full",
         request.method.c_str(), request.path.c_str(), request.remote_addr.c_str());
    return Queue(connection, Busy());
  }
  // Suspended before the job can run: the worker's resume must find it suspended.
  context.dispatched = true;
  dispatched_open.fetch_add(1, std::memory_order_relaxed);
  MHD_suspend_connection(connection);
  workers.Submit([this, connection, &context, handler = std::move(route.handler)] {
    HttpResponse response = RunHandler(handler, context.request);
    if (response.poll) {
      // Long polling: the connection stays suspended, this worker goes back to the pool,
      // and the parking thread answers when the poll does (http_server.h).
      ParkRequest(connection, context, std::move(response));
      return;
    }
    context.response = std::move(response);
    MHD_resume_connection(connection);
  });
  return MHD_YES;
}

void HttpServer::Impl::ParkRequest(MHD_Connection* connection, RequestContext& context,
                                           HttpResponse pending) {
  parked.Park(context.request.method + " " + context.request.path, std::move(pending.poll), pending.poll_until,
              [connection, &context](HttpResponse answer) {
                context.response = std::move(answer);
                MHD_resume_connection(connection);
              });
}

enum MHD_Result HttpServer::Impl::OnRequest(void* cls, MHD_Connection* connection, const char* url,
                                            const char* method, const char*, const char* upload_data,
                                            size_t* upload_data_size, void** request_state) noexcept {
  auto* impl = static_cast<Impl*>(cls);
  try {
    auto* context = static_cast<RequestContext*>(*request_state);
    if (context == nullptr) {  // headers complete
      context = impl->Begin(connection, url, method);
      *request_state = context;
      const char* length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
      if (length != nullptr && std::strtoull(length, nullptr, 10) > impl->options.max_body_bytes) {
        // Answered before the body: libmicrohttpd discards it and closes the connection.
        return Queue(connection, HttpResponse::JsonError(413, "request body too large"));
      }
      return MHD_YES;
    }
    if (*upload_data_size > 0) {  // a piece of the body
      std::string& body = context->request.body;
      if (!context->body_too_large) {
        if (body.size() + *upload_data_size > impl->options.max_body_bytes) {
          context->body_too_large = true;  // the rest is read and dropped; 413 at the end
          std::string().swap(body);
        } else {
          body.append(upload_data, *upload_data_size);
        }
      }
      *upload_data_size = 0;
      return MHD_YES;
    }
    if (context->response.has_value()) return Queue(connection, std::move(*context->response));  // resumed
    if (context->dispatched) return MHD_YES;  // still with a worker
    return impl->Dispatch(connection, *context);
  } catch (const std::exception& e) {  // allocation failure: drop the connection
    Logf(LogLevel::kError, "", "http: request handling failed: %s", e.what());
    return MHD_NO;
  }
}

void HttpServer::Impl::OnCompleted(void* cls, MHD_Connection*, void** request_state,
                                   enum MHD_RequestTerminationCode) noexcept {
  auto* impl = static_cast<Impl*>(cls);
  auto* context = static_cast<RequestContext*>(*request_state);
  if (context == nullptr) return;
  impl->requests.fetch_add(1, std::memory_order_relaxed);
  if (context->dispatched) impl->dispatched_open.fetch_sub(1, std::memory_order_relaxed);
  impl->deadlines.RequestFinished(context->connection);
  delete context;
  *request_state = nullptr;
}

void HttpServer::Impl::OnConnection(void* cls, MHD_Connection* connection, void** socket_state,
                                    enum MHD_ConnectionNotificationCode what) noexcept {
  auto* impl = static_cast<Impl*>(cls);
  if (what == MHD_CONNECTION_NOTIFY_STARTED) {
    const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    *socket_state = impl->deadlines.Opened(info != nullptr ? info->connect_fd : -1);
  } else {
    impl->deadlines.Closed(static_cast<HeaderDeadlines::Connection*>(*socket_state));
    *socket_state = nullptr;
  }
}

HttpServer::HttpServer(HttpServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(std::string method, std::string pattern, RouteAccess access, HttpHandler handler,
                       RouteDispatch dispatch) {
  impl_->routes.Add(std::move(method), std::move(pattern),
                    http_internal::Route{std::move(handler), dispatch, std::move(access)});
}

std::vector<RouteInfo> HttpServer::Routes() const { return impl_->routes.List(); }

HttpHandler HttpServer::Handler(const std::string& method, std::string pattern) const {
  std::optional<http_internal::Route> route = impl_->routes.Get(method, std::move(pattern));
  return route ? route->handler : HttpHandler();
}

Status HttpServer::Start() {
  if (impl_->daemon != nullptr) return OkStatus();
  const HttpServerOptions& o = impl_->options;
  if (o.io_threads < 1 || o.workers < 1 || o.max_queued < 1 || o.max_connections < 1 ||
      o.max_connections_per_client < 1 || o.header_timeout.count() < 1 || o.idle_timeout.count() < 1) {
    return MakeError(ErrorCode::kInvalidInput,
                     "http: io_threads, workers, max_queued, max_connections, max_connections_per_client and "
                     "the timeouts must be positive");
  }
  for (const RouteInfo& route : impl_->routes.List()) {  // routes fail closed (issue 13)
    if (!DeclaresAccess(route.access)) {
      return MakeError(ErrorCode::kInternal, "http: route " + route.method + " " + route.pattern +
                                                 " does not declare who may call it; refusing to serve");
    }
  }
  const bool tls = !o.tls_certificate.empty();
  if (!tls && !o.tls_private_key.empty()) {
    return MakeError(ErrorCode::kInvalidInput,
                     "http: a TLS private key is set but no certificate; refusing to serve plain HTTP");
  }
  if (tls) {  // identity errors are reported with the file name, before the port is bound
    MutexLock lock(impl_->tls_mu);
    ASSIGN_OR_RETURN(impl_->tls, LoadTlsIdentity(o.tls_certificate, o.tls_private_key));
    RETURN_IF_ERROR(impl_->credentials.Replace(impl_->tls));
  }
  ASSIGN_OR_RETURN(impl_->listen_fd, Listen(o.listen_address, o.port, impl_->bound_port));
  if (tls) impl_->credentials.ServePort(impl_->bound_port);

  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  if (tls) flags |= MHD_USE_TLS;
  if (o.listen_address.find(':') != std::string::npos) flags |= MHD_USE_IPv6;
  std::vector<MHD_OptionItem> items = {
      {MHD_OPTION_LISTEN_SOCKET, impl_->listen_fd, nullptr},
      {MHD_OPTION_CONNECTION_LIMIT, o.max_connections, nullptr},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT, o.max_connections_per_client, nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(o.idle_timeout.count()), nullptr},
      {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&Impl::OnCompleted), impl_.get()},
      {MHD_OPTION_NOTIFY_CONNECTION, reinterpret_cast<intptr_t>(&Impl::OnConnection), impl_.get()},
      {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&LogFromLibrary), nullptr},
  };
  if (o.io_threads > 1) items.push_back({MHD_OPTION_THREAD_POOL_SIZE, o.io_threads, nullptr});
  if (tls) {
    // A callback rather than MHD_OPTION_HTTPS_MEM_CERT/KEY, which libmicrohttpd reads once:
    // the callback answers each handshake with the identity current then, so ReloadTls()
    // needs neither a second daemon nor the listening socket handed over.
    items.push_back({MHD_OPTION_HTTPS_CERT_CALLBACK, 0, http_internal::TlsCredentials::Callback()});
    items.push_back({MHD_OPTION_HTTPS_PRIORITIES, 0, const_cast<char*>(kTlsPriorities)});
  }
  items.push_back({MHD_OPTION_END, 0, nullptr});

  impl_->deadlines.Start(o.header_timeout);
  impl_->parked.Start(kParkPollInterval);
  impl_->workers.Start(o.workers, static_cast<size_t>(o.max_queued), kHttpWorkerThreadPrefix);
  impl_->daemon = MHD_start_daemon(flags, 0, nullptr, nullptr, &Impl::OnRequest, impl_.get(), MHD_OPTION_ARRAY,
                                   items.data(), MHD_OPTION_END);
  if (impl_->daemon == nullptr) {
    impl_->credentials.ServePort(0);
    impl_->workers.Stop();
    impl_->parked.Stop();
    impl_->deadlines.Stop();
    ::close(impl_->listen_fd);
    impl_->listen_fd = -1;
    impl_->bound_port = 0;
    return MakeError(ErrorCode::kUnavailable, "http: libmicrohttpd failed to start on " + o.listen_address + ":" +
                                                  std::to_string(o.port) + " (see the log above)");
  }
  return OkStatus();
}

void HttpServer::Stop() {
  if (impl_->daemon == nullptr) return;
  // No new connections; then every request already with a worker is answered (its
  // connection resumed: libmicrohttpd must not be stopped with one suspended), then every
  // parked long poll (after the workers, which may park more until they are done).
  const MHD_socket listen = MHD_quiesce_daemon(impl_->daemon);
  impl_->workers.Stop();
  impl_->parked.Stop();
  // Their connections are resumed, but the event threads send the answers on their next
  // turn: give them that (bounded: a client that does not read is cut off) before
  // MHD_stop_daemon closes every connection.
  const auto deadline = std::chrono::steady_clock::now() + kStopSendGrace;
  while (impl_->dispatched_open.load(std::memory_order_relaxed) > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  MHD_stop_daemon(impl_->daemon);
  impl_->daemon = nullptr;
  impl_->credentials.ServePort(0);
  impl_->deadlines.Stop();
  if (listen != MHD_INVALID_SOCKET) ::close(listen);
  impl_->listen_fd = -1;
  impl_->bound_port = 0;
  MutexLock lock(impl_->tls_mu);
  impl_->tls = TlsIdentityPem();
}

Result<TlsReloadOutcome> HttpServer::ReloadTls(const std::string& certificate_file, const std::string& key_file) {
  MutexLock lock(impl_->tls_mu);
  if (impl_->tls.certificate_chain.empty()) {
    return MakeError(ErrorCode::kInvalidInput,
                     "http: the server was started without TLS; serving HTTPS needs a restart");
  }
  ASSIGN_OR_RETURN(TlsIdentityPem next, LoadTlsIdentity(certificate_file, key_file));
  TlsReloadOutcome outcome;
  if (next.certificate_chain == impl_->tls.certificate_chain && next.private_key == impl_->tls.private_key) {
    return outcome;
  }
  ASSIGN_OR_RETURN(TlsCertificateSummary summary, SummarizeCertificate(next.certificate_chain));
  RETURN_IF_ERROR(impl_->credentials.Replace(next));
  impl_->tls = std::move(next);
  outcome.changed = true;
  outcome.subject = std::move(summary.subject);
  outcome.not_after = std::move(summary.not_after);
  return outcome;
}

int HttpServer::port() const { return impl_->bound_port; }

HttpServerStats HttpServer::Stats() const {
  HttpServerStats s;
  s.connections_open = impl_->deadlines.open();
  s.requests_total = impl_->requests.load(std::memory_order_relaxed);
  s.header_timeouts_total = impl_->deadlines.timeouts();
  s.busy_refusals_total = impl_->busy_refusals.load(std::memory_order_relaxed);
  s.requests_parked = impl_->parked.parked();
  return s;
}

}  // namespace kronika::srs
