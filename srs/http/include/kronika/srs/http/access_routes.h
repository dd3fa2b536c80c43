// The access module's HTTP API (issue 8) on the daemon's HttpServer: authenticated roles,
// the playback workflow with audio, the listening register, disclosures, restrictions,
// recording destruction and the /ui page. docs/api.md lists every endpoint with its role.
//
// Every request must carry "Authorization: Bearer <token>" (tokens from
// `kronika user token`), except /healthz and /metrics (no personal data). Refused calls
// are answered 401/403 with a JSON error, logged ("access: refused ...") and counted in
// kronika_access_refused_total{reason} (AccessContext::CountRefused).
//
// Threads: the mounted handlers run on the HTTP server's threads, concurrently.
#pragma once

#include "kronika/srs/access/access_context.h"
#include "kronika/srs/http/http_server.h"

namespace kronika::srs {

// Registers the access routes on `server` and wraps the read-only recording API already
// registered there (GET /api/v1/recordings, /api/v1/recordings/*) with authentication.
// Call after RegisterRecordingApi() and before Start(). `context` must outlive Stop().
void MountAccessApi(HttpServer& server, AccessContext& context);

}  // namespace kronika::srs
