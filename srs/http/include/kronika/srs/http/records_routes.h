// The records keeper's and the auditor's HTTP API (issue 16 item 3), beside the access
// routes (access_routes.h): the listening register with the office's local dates as
// filters and as printable/exportable documents (REG-1..3), its integrity check, legal
// holds (RET-2) and a data subject's erasure and restriction (RIGHTS-1..3).
// docs/api.md lists every endpoint with its role.
//
// State rules: the register is read here (the daemon appends to it, as playback does).
// Holds, erasure and restriction change the rules database and the store: the HTTP API
// runs inside the daemon that owns them, and reaches them through RecordsActions, wired
// by the composition root to the same admin operations the CLI's `kronika hold` and
// `kronika subject` ask the daemon for (admin_ops.h), so each database keeps one writer.
// srs/http itself includes no rules or admin code (include_rules.toml).
//
// Every act is logged with the authenticated user ("access: <user> ...") and that user is
// the act's `by` (never a name from the request body); refusals are logged and counted as
// for the other access routes. An erasure or a restriction must repeat the number in
// "confirm" (the page asks in a dialog): an API call cannot erase by a slip either.
//
// Threads: the handlers run on the HTTP server's workers, concurrently; RecordsActions'
// functions must be thread-safe (the daemon's serialise themselves).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/access/access_context.h"
#include "kronika/srs/http/http_server.h"

namespace kronika::srs {

// Legal holds placed on or lifted from named recordings (RET-2), as the API asks for them.
struct HoldRequest {
  std::vector<std::string> recording_ids;
  std::string case_ref;
  std::string by;      // the authenticated user
  std::string reason;  // lift only
};

// A data subject's request (RIGHTS-2/3) as the API asks for it.
struct SubjectRequest {
  std::string number;  // as typed; the owner normalises it
  std::string by;      // the authenticated user
  std::string reason;
};

// What the routes ask of the database owner. Each answers the JSON the API returns
// (docs/api.md). An empty function: the route answers 503 (not wired in this process).
struct RecordsActions {
  // {count, holds: [{recording_id, case, placed_by, placed_at_utc}]}; all = the whole log
  // {count, acts: [{act, recording_id, case, by, at_utc, reason}]}.
  std::function<Result<nlohmann::json>(bool all)> list_holds;
  // {recording_ids, case, at_utc}: all or none.
  std::function<Result<nlohmann::json>(const HoldRequest&)> place_holds;
  std::function<Result<nlohmann::json>(const HoldRequest&)> lift_holds;
  // {number, count, recordings: [{recording_id, start_utc, duration_s, site, hold_cases,
  // restricted}]}.
  std::function<Result<nlohmann::json>(const std::string& number)> find_subject;
  // {number, erased: [id], kept: [{recording_id, why}], texts, purged_packages: [...],
  // notify: [...], failures: [...]}.
  std::function<Result<nlohmann::json>(const SubjectRequest&)> erase_subject;
  // {number, restricted, changed: [id], unchanged: [{recording_id, why}]}.
  std::function<Result<nlohmann::json>(const SubjectRequest&, bool restricted)> restrict_subject;
};

struct RecordsRoutesOptions {
  // The office's time zone ([office] time_zone): the register's from/to are its dates, and
  // the page shows times in it.
  std::string time_zone = "Europe/Warsaw";
  // The language of the page's text when the request names none ([office] language).
  std::string language = "pl";
  RecordsActions actions;
};

// Registers the register, hold and subject routes and the page's catalogue
// (GET /api/v1/ui/catalogue?area=records[&lang=pl|en]: {language, time_zone, messages}) on
// `server`. Call before Start();
// `context` must outlive Stop().
void MountRecordsApi(HttpServer& server, AccessContext& context, RecordsRoutesOptions options);

}  // namespace kronika::srs
