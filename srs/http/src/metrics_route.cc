// GET /metrics (see metrics_route.h).
#include "kronika/srs/http/metrics_route.h"

namespace kronika::srs {

void RegisterMetricsRoute(HttpServer& server, Metrics& metrics) {
  metrics.AddCollector([&server] {
    const HttpServerStats s = server.Stats();
    auto d = [](uint64_t v) { return static_cast<double>(v); };
    return std::vector<prometheus::MetricFamily>{
        GaugeFamily("kronika_http_connections_open", "HTTP connections open", d(s.connections_open)),
        CounterFamily("kronika_http_requests_total", "HTTP requests answered", d(s.requests_total)),
        CounterFamily("kronika_http_header_timeouts_total",
                      "HTTP connections closed because their request headers were not complete in time",
                      d(s.header_timeouts_total)),
        CounterFamily("kronika_http_busy_refusals_total",
                      "HTTP requests answered 503 because every worker was busy and the queue full",
                      d(s.busy_refusals_total))};
  });
  const Metrics* m = &metrics;
  server.Route(
      "GET", "/metrics", RouteAccess::Public(),  // no personal data in any label
      [m](const HttpRequest&) {
        HttpResponse response;
        response.content_type = "text/plain; version=0.0.4; charset=utf-8";
        response.body = m->Render();
        return response;
      },
      RouteDispatch::kImmediate);  // answered even while every worker is busy
}

}  // namespace kronika::srs
