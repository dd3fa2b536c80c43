// GET /readyz: whether this node should be sent calls and API traffic now (issue 15 item 5),
// beside GET /healthz (the process is alive and its store answers). A load balancer or
// Kamailio's dispatcher takes a node out while /readyz says 503 and puts it back when it
// says 200; docs/operations.md lists the checks and what to do about each.
//
//   200 {"status":"ready",     "checks":{"store":{"ok":true,"detail":"..."}, ...}}
//   503 {"status":"not_ready", "checks":{"disk":{"ok":false,"detail":"12 MiB free ..."}, ...}}
//
// Public like /healthz (no personal data). Answered on the event thread
// (RouteDispatch::kImmediate): a node busy with API requests is not thereby unready for
// calls. Each check is also a gauge, kronika_ready{check="<name>"} (1 ready, 0 not), so an
// alert and the dashboard see the same verdict the balancer gets.
//
// Threads: probes run on the HTTP event threads and the metrics scrape, concurrently; each
// must be thread-safe, cheap and never block (atomics, statvfs).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/core/metrics.h"
#include "kronika/srs/http/http_server.h"

namespace kronika::srs {

struct ReadinessCheck {
  std::string name;  // "store", "disk", "media", "sip": the JSON key and the gauge's label
  // OkStatus() with `detail` set to what was seen, or an error whose message says why the
  // node is not ready.
  std::function<Status(std::string& detail)> probe;
};

// Registers GET /readyz on `server` and kronika_ready{check} on `metrics`. Call before
// Start(); `metrics` and `server` are borrowed and must outlive the server's Stop().
void RegisterReadinessRoute(HttpServer& server, Metrics& metrics, std::vector<ReadinessCheck> checks);

}  // namespace kronika::srs
