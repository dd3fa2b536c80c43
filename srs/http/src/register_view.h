// The listening register between two of the office's local dates (REG-1..3, issue 16 item
// 3), as the records keeper and the auditor read, print and export it (private to srs/http).
//
// GET /api/v1/register?from=YYYY-MM-DD&to=YYYY-MM-DD&format=json|csv|html|pdf: `from` and
// `to` are calendar dates of the office's time zone, both whole days included (from its
// local midnight to the local midnight after `to`, whatever the DST change in between);
// an entry belongs to the day it was listened to (listened_at). Either may be left out.
// What people read has one row per listening session (MergeListeningParts,
// listening_sessions.h): CSV, HTML, PDF and JSON with view=sessions. Plain JSON is the
// register as written, closing lines included (a script verifies the chain with it); a
// closing line goes with its opening entry's day. The documents are the existing register
// documents (access_register.h), unchanged; CSV and PDF come as downloads
// (Content-Disposition: attachment), HTML inline to print.
//
// Threads: any.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/access/access_register.h"
#include "kronika/srs/access/office_documents.h"
#include "kronika/srs/http/http_server.h"

namespace kronika::srs {

struct RegisterView {
  std::string format = "json";  // json | csv | html | pdf
  bool sessions = true;         // one row per listening session (false: JSON as written)
  std::string from, to;         // the dates asked for ("" = open)
  std::optional<int64_t> from_ms_utc, to_ms_utc;  // [from, to) in UTC
  std::string time_zone;
  std::vector<nlohmann::json> entries;  // oldest first
};

// The local day [start, end) of `date` ("YYYY-MM-DD") in `time_zone` as UTC ms. Errors
// name the field: kInvalidInput for a malformed date or an unknown zone.
Result<std::pair<int64_t, int64_t>> LocalDayUtc(const std::string& date, const std::string& time_zone,
                                                 const char* field);

// Reads the request's from/to/format and the entries in range. 400 on a bad parameter.
Result<RegisterView> RegisterViewOf(const ListeningRegister& reg, const HttpRequest& request,
                                    const std::string& time_zone);

// The answer in the view's format; the printed forms as the office's documents
// (`documents`: header, language, time zone; office_documents.h).
Result<HttpResponse> RegisterDocument(const RegisterView& view, const DocumentSettings& documents);

}  // namespace kronika::srs
