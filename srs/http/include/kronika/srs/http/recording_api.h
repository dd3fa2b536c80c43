// The read-only recording API (issue 5) mounted on an HttpServer:
//   GET /api/v1/recordings?number=&participant=&from=&to=&state=&limit=&offset=&format=json|csv
//   GET /api/v1/recordings/{id}
//   GET /healthz            200 {"status":"ok"} / 503 {"status":"unhealthy",...}
// Times (`from`, `to`) are ISO-8601 UTC ("2026-11-25T10:00:00Z") or dates ("2026-11-25").
// Errors are JSON {"error":{"status":N,"message":"..."}}: 400 bad parameter, 404 unknown
// id, 500 store error. Column names of the CSV/JSON list are documented in docs/query.md.
#pragma once

#include "kronika/srs/http/http_server.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {

// Registers the routes above. `store` is borrowed and must outlive the server's Stop().
// /healthz is public (no personal data). The two /api/v1/recordings routes are registered
// RouteAccess::Undeclared(): they hold phone numbers and names, and only the access module
// (MountAccessApi) says who may read them; without it the server refuses to start rather
// than serve them to anyone (routes fail closed).
void RegisterRecordingApi(HttpServer& server, const Store& store);

}  // namespace kronika::srs
