// GET /metrics (see metrics_route.h).
#include "kronika/srs/http/metrics_route.h"

namespace kronika::srs {

void RegisterMetricsRoute(HttpServer& server, const Metrics& metrics) {
  server.Route("GET", "/metrics", [&metrics](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics.Render();
    return response;
  }, RouteDispatch::kImmediate);  // answered even while every worker is busy
}

}  // namespace kronika::srs
