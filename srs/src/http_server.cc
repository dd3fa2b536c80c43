// HttpServer: stub until the civetweb implementation lands.
#include "kronika/srs/http_server.h"

namespace kronika::srs {

class HttpServer::Impl {
 public:
  HttpServerOptions options;
};

std::optional<std::string> HttpRequest::QueryParam(std::string_view /*name*/) const {
  return std::nullopt;
}
HttpResponse HttpResponse::JsonError(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.body = std::string(message);
  return r;
}
HttpServer::HttpServer(HttpServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}
HttpServer::~HttpServer() = default;
void HttpServer::Route(std::string, std::string, HttpHandler) {}
Status HttpServer::Start() { return MakeError(500, "http: not implemented yet"); }
void HttpServer::Stop() {}
int HttpServer::port() const { return 0; }

}  // namespace kronika::srs
