// The read-only recording API (see recording_api.h).
#include <nlohmann/json.hpp>

#include "kronika/srs/core/csv_record.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/http/recording_api.h"
#include "kronika/srs/store/query_params.h"

namespace kronika::srs {
namespace {

constexpr char kJsonType[] = "application/json";
constexpr char kCsvType[] = "text/csv; charset=utf-8";

HttpResponse Json(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = kJsonType;
  r.body = DumpJson(body);
  return r;
}

int StatusOf(const Error& error) { return HttpStatus(error) == 503 ? 503 : 500; }

HttpResponse ListRecordings(const Store& store, const HttpRequest& request) {
  QueryParams params;
  params.id = request.QueryParam("id");
  params.number = request.QueryParam("number");
  params.participant = request.QueryParam("participant");
  params.from = request.QueryParam("from");
  params.to = request.QueryParam("to");
  params.state = request.QueryParam("state");
  params.verdict = request.QueryParam("verdict");
  params.limit = request.QueryParam("limit");
  params.offset = request.QueryParam("offset");
  params.order = request.QueryParam("order");
  params.metadata_status = request.QueryParam("metadata_status");
  std::string format = request.QueryParam("format").value_or("json");
  if (format != "json" && format != "csv") {
    return HttpResponse::JsonError(400, "format: expected json or csv");
  }
  Result<RecordingQuery> query = MakeRecordingQuery(params);
  if (!query.ok()) return HttpResponse::JsonError(400, query.error().message);
  if (auto cc = request.QueryParam("country_code")) query->default_country_code = *cc;
  Result<std::vector<RecordingRecord>> rows = store.Query(*query);
  if (!rows.ok()) return HttpResponse::JsonError(StatusOf(rows.error()), rows.error().message);
  if (format == "csv") {
    HttpResponse r;
    r.content_type = kCsvType;
    r.body = RecordingsCsv(*rows);
    return r;
  }
  nlohmann::json body = RecordingListJson(*rows);
  body["limit"] = query->limit;
  body["offset"] = query->offset;
  return Json(200, body);
}

HttpResponse GetRecording(const Store& store, const HttpRequest& request) {
  if (request.path_rest.empty()) return ListRecordings(store, request);
  if (request.path_rest.find('/') != std::string::npos) {
    return HttpResponse::JsonError(404, "no such resource: " + request.path);
  }
  Result<std::optional<RecordingRecord>> rec = store.Get(request.path_rest);
  if (!rec.ok()) return HttpResponse::JsonError(StatusOf(rec.error()), rec.error().message);
  if (!rec->has_value()) {
    return HttpResponse::JsonError(404, "no recording " + request.path_rest);
  }
  return Json(200, RecordingDetailJson(**rec));
}

HttpResponse Health(const Store& store) {
  Result<StoreStats> stats = store.Stats();
  if (!stats.ok()) {
    return Json(503, {{"status", "unhealthy"}, {"store", stats.error().message}});
  }
  const bool healthy = stats->healthy;
  return Json(healthy ? 200 : 503, {{"status", healthy ? "ok" : "unhealthy"},
                                    {"store",
                                     {{"healthy", healthy},
                                      {"map_full", stats->map_full},
                                      {"queue_depth", stats->queue_depth},
                                      {"recordings", stats->recordings},
                                      {"used_bytes", stats->used_bytes},
                                      {"map_size_bytes", stats->map_size_bytes}}}});
}

}  // namespace

void RegisterRecordingApi(HttpServer& server, const Store& store) {
  const Store* s = &store;
  // Undeclared until the access module wraps them (see recording_api.h).
  server.Route("GET", "/api/v1/recordings", RouteAccess::Undeclared(),
               [s](const HttpRequest& request) { return ListRecordings(*s, request); });
  server.Route("GET", "/api/v1/recordings/*", RouteAccess::Undeclared(),
               [s](const HttpRequest& request) { return GetRecording(*s, request); });
  // Read-only LMDB stats, never blocks: answered on the event thread, even while every
  // worker is busy (issue 12 item 4).
  server.Route("GET", "/healthz", RouteAccess::Public(), [s](const HttpRequest&) { return Health(*s); },
               RouteDispatch::kImmediate);
}

}  // namespace kronika::srs
