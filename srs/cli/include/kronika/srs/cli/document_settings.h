// The `[office]` configuration as the access module's document settings (office_documents.h):
// one mapping for the daemon (API documents, export packages) and the CLI (`kronika register
// export`). Threads: pure function.
#pragma once

#include <string_view>

#include "kronika/srs/access/office_documents.h"
#include "kronika/srs/config/config.h"

namespace kronika::srs {

// `office` with the document's language: `language` when Kronika ships it ("" = the office's).
DocumentSettings OfficeDocumentSettings(const OfficeConfig& office, std::string_view language = "");

}  // namespace kronika::srs
