// PrintDocument as JSON: what RenderPdf sends to the kronika-pdf helper on its stdin.
//   {"title", "author", "subject", "created", "page_label": "...",
//    "blocks": [{"kind": "heading"|"subheading"|"paragraph"|"code"|"page_break", "text": "..."},
//     {"kind": "table", "table": {"column_weights": [..], "header_row": b,
//      "label_column": b, "min_row_height_pt": n, "font_size_pt": n, "rows": [["..", ..], ..]}},
//     {"kind": "document", "letterhead": {"office_name", "office_address", "logo_png",
//      "place_date", "number", "footer"}},
//     {"kind": "signatures", "signatures": [{"role", "name", "position", "note"}, ..]}]}
// Every string member but "kind" and "text" may be absent ("").
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
