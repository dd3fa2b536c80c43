// GET /metrics: the Prometheus text exposition (format 0.0.4) of every Kronika series
// (docs/operations.md), unauthenticated like /healthz (no personal data in any label).
//
// Threads: the handler runs on the HTTP server's threads; Metrics::Render is thread-safe.
#pragma once

#include "kronika/srs/core/metrics.h"
#include "kronika/srs/http/http_server.h"

namespace kronika::srs {

// Registers GET /metrics on `server`. `metrics` is borrowed and must outlive Stop().
void RegisterMetricsRoute(HttpServer& server, const Metrics& metrics);

}  // namespace kronika::srs
