// The office's document settings for one request (private to srs/http), shared by the access
// routes (protocols) and the records routes (the register's documents): `?lang=pl|en` when
// given (the page passes its user's choice), else the office's (issue 16 item 2).
#pragma once

#include <cstdint>

#include "kronika/srs/access/access_context.h"
#include "kronika/srs/access/office_documents.h"
#include "kronika/srs/http/http_server.h"

namespace kronika::srs {

inline DocumentSettings RequestDocuments(const AccessContext& c, const HttpRequest& request, int64_t now_ms_utc) {
  DocumentSettings settings = c.documents();
  settings.language = DocumentLanguage(request.QueryParam("lang").value_or(""), settings.language);
  settings.issued_ms_utc = now_ms_utc;
  return settings;
}

}  // namespace kronika::srs
