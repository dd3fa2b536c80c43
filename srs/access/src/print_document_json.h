// PrintDocument as JSON: what RenderPdf sends to the kronika-pdf helper on its stdin.
//   {"title": "...", "blocks": [{"kind": "heading"|"subheading"|"paragraph"|"page_break",
//    "text": "..."}, {"kind": "table", "table": {"column_weights": [..], "header_row": b,
//    "label_column": b, "min_row_height_pt": n, "font_size_pt": n, "rows": [["..", ..], ..]}}]}
// Threads: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "kronika/result.h"
#include "pdf_protocol.h"

namespace kronika::srs {

nlohmann::json PrintDocumentToJson(const PrintDocument& doc);
// kInvalidInput naming the field when `json` is not a document as above; never throws.
Result<PrintDocument> PrintDocumentFromJson(const nlohmann::json& json);

}  // namespace kronika::srs
