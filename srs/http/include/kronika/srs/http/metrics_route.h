// GET /metrics: the Prometheus text exposition (format 0.0.4) of every Kronika series
// (docs/operations.md), unauthenticated like /healthz (no personal data in any label).
//
// Threads: the handler runs on the HTTP server's event threads (RouteDispatch::kImmediate:
// a scrape never waits behind slow API handlers); Metrics::Render is thread-safe.
#pragma once

#include "kronika/srs/core/metrics.h"
#include "kronika/srs/http/http_server.h"

namespace kronika::srs {

// Registers GET /metrics on `server` and adds the server's own series to `metrics`
// (kronika_http_connections_open, kronika_http_requests_total,
// kronika_http_header_timeouts_total, kronika_http_busy_refusals_total). Call before Start();
// `metrics` and `server` are borrowed and must outlive the server's Stop().
void RegisterMetricsRoute(HttpServer& server, Metrics& metrics);

}  // namespace kronika::srs
