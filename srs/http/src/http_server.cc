// HttpServer on civetweb: one catch-all civetweb handler dispatching to our route table.
#include "kronika/srs/http/http_server.h"

#include <civetweb.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <tuple>

#include "http_tls.h"
#include "kronika/srs/core/json_record.h"

namespace kronika::srs {
namespace {

constexpr char kRequestTimeoutMs[] = "10000";

struct RouteKey {
  std::string method;
  std::string path;  // exact path, or the prefix (with trailing '/') of a "/*" pattern
  bool operator<(const RouteKey& o) const {
    return std::tie(path, method) < std::tie(o.path, o.method);
  }
};

void InitCivetwebOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mg_init_library(MG_FEATURES_SSL); });
}

}  // namespace

class HttpServer::Impl {
 public:
  // Finds the handler for a request; fills path_rest. nullptr + status 404/405 if none.
  HttpHandler Find(const std::string& method, const std::string& path, std::string& path_rest,
                   int& status) const {
    std::shared_lock lock(mu);
    bool other_method = false;
    if (auto it = exact.find(RouteKey{method, path}); it != exact.end()) return it->second;
    for (const auto& [key, handler] : exact) {
      if (key.path == path) other_method = true;
    }
    const std::pair<const RouteKey, HttpHandler>* best = nullptr;
    for (const auto& entry : prefix) {
      const RouteKey& key = entry.first;
      if (path.compare(0, key.path.size(), key.path) != 0) continue;
      if (key.method != method) {
        other_method = true;
        continue;
      }
      if (best == nullptr || key.path.size() > best->first.path.size()) best = &entry;
    }
    if (best != nullptr) {
      path_rest = path.substr(best->first.path.size());
      return best->second;
    }
    status = other_method ? 405 : 404;
    return nullptr;
  }

  static int Dispatch(mg_connection* conn, void* data) noexcept;
  // civetweb's init_ssl: loads our certificate chain and key (separate key file allowed).
  static int InitTls(void* ssl_ctx, void* data) noexcept {
    const auto* impl = static_cast<const Impl*>(data);
    return ConfigureTlsContext(ssl_ctx, impl->options.tls_certificate, impl->options.tls_private_key).ok()
               ? 1    // identity set up, civetweb must not load it again
               : -1;  // civetweb fails the start
  }

  HttpServerOptions options;
  mutable std::shared_mutex mu;
  std::map<RouteKey, HttpHandler> exact;   // guarded by mu
  std::map<RouteKey, HttpHandler> prefix;  // guarded by mu
  mg_context* ctx = nullptr;
  int bound_port = 0;
};

namespace {

void Send(mg_connection* conn, const HttpResponse& response) {
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " +
                     mg_get_response_code_text(conn, response.status) + "\r\n" +
                     "Content-Type: " + response.content_type + "\r\n" +
                     "Content-Length: " + std::to_string(response.body.size()) + "\r\n" +
                     "Cache-Control: no-store\r\n";
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  head += "\r\n";
  mg_write(conn, head.data(), head.size());
  if (!response.body.empty()) mg_write(conn, response.body.data(), response.body.size());
}

}  // namespace

int HttpServer::Impl::Dispatch(mg_connection* conn, void* data) noexcept {
  auto* impl = static_cast<HttpServer::Impl*>(data);
  const mg_request_info* info = mg_get_request_info(conn);
  HttpResponse response;
  try {
    HttpRequest request;
    request.method = info->request_method ? info->request_method : "";
    request.path = info->local_uri ? info->local_uri : "";
    request.query_string = info->query_string ? info->query_string : "";
    request.remote_addr = info->remote_addr;
    for (int i = 0; i < info->num_headers; ++i) {
      request.headers.emplace_back(info->http_headers[i].name ? info->http_headers[i].name : "",
                                   info->http_headers[i].value ? info->http_headers[i].value : "");
    }
    if (info->content_length > 0 &&
        static_cast<uint64_t>(info->content_length) > impl->options.max_body_bytes) {
      Send(conn, HttpResponse::JsonError(413, "request body too large"));
      return 413;
    }
    char chunk[8192];
    for (int n; (n = mg_read(conn, chunk, sizeof chunk)) > 0;) {
      request.body.append(chunk, static_cast<size_t>(n));
      if (request.body.size() > impl->options.max_body_bytes) {
        Send(conn, HttpResponse::JsonError(413, "request body too large"));
        return 413;
      }
    }
    int status = 0;
    HttpHandler handler = impl->Find(request.method, request.path, request.path_rest, status);
    if (handler) {
      response = handler(request);
    } else {
      response = HttpResponse::JsonError(
          status, status == 405 ? "method " + request.method + " not allowed on " + request.path
                                : "no such resource: " + request.path);
    }
  } catch (const std::exception& e) {
    response = HttpResponse::JsonError(500, std::string("internal error: ") + e.what());
  } catch (...) {
    response = HttpResponse::JsonError(500, "internal error");
  }
  Send(conn, response);
  return response.status;
}

std::optional<std::string> HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return std::nullopt;
}

std::optional<std::string> HttpRequest::QueryParam(std::string_view name) const {
  if (query_string.empty()) return std::nullopt;
  std::string key(name);
  std::string buffer(query_string.size() + 1, '\0');
  int n = mg_get_var2(query_string.data(), query_string.size(), key.c_str(), buffer.data(),
                      buffer.size(), 0);
  if (n < 0) return std::nullopt;
  buffer.resize(static_cast<size_t>(n));
  return buffer;
}

HttpResponse HttpResponse::JsonError(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.body = DumpJson(nlohmann::json{{"error", {{"status", status}, {"message", message}}}});
  return r;
}

HttpServer::HttpServer(HttpServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(std::string method, std::string pattern, HttpHandler handler) {
  std::unique_lock lock(impl_->mu);
  if (pattern.size() >= 2 && pattern.compare(pattern.size() - 2, 2, "/*") == 0) {
    pattern.pop_back();  // keep the '/'
    impl_->prefix[RouteKey{std::move(method), std::move(pattern)}] = std::move(handler);
  } else {
    impl_->exact[RouteKey{std::move(method), std::move(pattern)}] = std::move(handler);
  }
}

HttpHandler HttpServer::Handler(const std::string& method, std::string pattern) const {
  std::shared_lock lock(impl_->mu);
  const bool is_prefix = pattern.size() >= 2 && pattern.compare(pattern.size() - 2, 2, "/*") == 0;
  if (is_prefix) pattern.pop_back();
  const auto& table = is_prefix ? impl_->prefix : impl_->exact;
  auto it = table.find(RouteKey{method, pattern});
  return it == table.end() ? HttpHandler() : it->second;
}

Status HttpServer::Start() {
  if (impl_->ctx != nullptr) return OkStatus();
  InitCivetwebOnce();
  const bool tls = !impl_->options.tls_certificate.empty();
  const std::string& address = impl_->options.listen_address;
  const bool v6 = address.find(':') != std::string::npos;  // civetweb wants "[::1]:8080"
  const std::string listen = (v6 ? "[" + address + "]" : address) + ":" +
                             std::to_string(impl_->options.port) + (tls ? "s" : "");
  const std::string threads = std::to_string(impl_->options.threads);
  std::vector<const char*> civet_options = {"listening_ports", listen.c_str(),
                                            "num_threads", threads.c_str(),
                                            "request_timeout_ms", kRequestTimeoutMs};
  mg_callbacks callbacks{};
  if (!tls && !impl_->options.tls_private_key.empty()) {
    return MakeError(500, "http: a TLS private key is set but no certificate; refusing to serve plain HTTP");
  }
  if (tls) {
    if (mg_check_feature(2) == 0) {
      return MakeError(500, "http: TLS requested but civetweb was built without TLS support");
    }
    // civetweb 1.15 dlopen()s "libssl.so" and calls SSL_get_peer_certificate unchecked on every
    // TLS connection; OpenSSL 3 no longer exports it, so without help it crashed on the first
    // HTTPS request (measured on Debian 12). Fix: the libssl.so shim (srs/civetweb_tls_shim/)
    // linked into this binary. Chosen over terminating TLS in our own relay thread because it
    // is ~20 lines, civetweb keeps the real socket (client addresses stay true for the logs
    // and the listening register) and there is no second hop to secure. This self-check stays
    // as the guard: a missing or shadowed shim is a clear start error, never a crash.
    if (Status s = CheckCivetwebTlsLibraries(); !s.ok()) return s;
    // Identity errors are reported here with the file name, before the port is bound.
    if (Status s = CheckTlsIdentity(impl_->options.tls_certificate, impl_->options.tls_private_key);
        !s.ok()) {
      return s;
    }
    civet_options.push_back("ssl_certificate");  // for civetweb's checks; Impl::InitTls loads it
    civet_options.push_back(impl_->options.tls_certificate.c_str());
    civet_options.push_back("ssl_protocol_version");
    civet_options.push_back("4");  // TLS 1.2 and newer (also enforced in ConfigureTlsContext)
    callbacks.init_ssl = &Impl::InitTls;
  }
  civet_options.push_back(nullptr);
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = impl_.get();
  init.configuration_options = civet_options.data();
  char error_text[256] = "";
  mg_error_data error{};
  error.text = error_text;
  error.text_buffer_size = sizeof error_text;
  impl_->ctx = mg_start2(&init, &error);
  if (impl_->ctx == nullptr) {
    return MakeError(500, "http: cannot listen on " + listen + ": " +
                              (error_text[0] ? error_text : "civetweb failed to start"));
  }
  mg_set_request_handler(impl_->ctx, "/", &Impl::Dispatch, impl_.get());
  mg_server_port ports[4];
  int n = mg_get_server_ports(impl_->ctx, 4, ports);
  impl_->bound_port = n > 0 ? ports[0].port : impl_->options.port;
  return OkStatus();
}

void HttpServer::Stop() {
  if (impl_->ctx == nullptr) return;
  mg_stop(impl_->ctx);
  impl_->ctx = nullptr;
  impl_->bound_port = 0;
}

int HttpServer::port() const { return impl_->bound_port; }

}  // namespace kronika::srs
