// PrintDocument <-> JSON (see print_document_json.h).
#include "print_document_json.h"

#include <array>
#include <initializer_list>
#include <string_view>
#include <utility>

namespace kronika::srs {
namespace {

constexpr std::array<std::pair<PrintBlock::Kind, std::string_view>, 8> kKinds = {{
    {PrintBlock::Kind::kHeading, "heading"},
    {PrintBlock::Kind::kSubheading, "subheading"},
    {PrintBlock::Kind::kParagraph, "paragraph"},
    {PrintBlock::Kind::kTable, "table"},
    {PrintBlock::Kind::kPageBreak, "page_break"},
    {PrintBlock::Kind::kDocument, "document"},
    {PrintBlock::Kind::kCode, "code"},
    {PrintBlock::Kind::kSignatures, "signatures"},
}};

bool HasText(PrintBlock::Kind kind) {
  return kind == PrintBlock::Kind::kHeading || kind == PrintBlock::Kind::kSubheading ||
         kind == PrintBlock::Kind::kParagraph || kind == PrintBlock::Kind::kCode;
}

Error Bad(const std::string& field, const std::string& why) {
  return Error{ErrorCode::kInvalidInput, "print document: " + field + ": " + why};
}

Result<PrintTable> TableFromJson(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) return Bad(where, "an object is expected");
  PrintTable t;
  const auto weights = j.find("column_weights");
  if (weights == j.end() || !weights->is_array()) return Bad(where + ".column_weights", "an array is expected");
  for (const auto& w : *weights) {
    if (!w.is_number()) return Bad(where + ".column_weights", "numbers are expected");
    t.column_weights.push_back(w.get<double>());
  }
  for (auto [name, flag] : {std::pair{"header_row", &t.header_row}, std::pair{"label_column", &t.label_column}}) {
    if (const auto it = j.find(name); it != j.end()) {
      if (!it->is_boolean()) return Bad(where + "." + name, "true or false is expected");
      *flag = it->get<bool>();
    }
  }
  for (auto [name, value] : {std::pair{"min_row_height_pt", &t.min_row_height_pt},
                             std::pair{"font_size_pt", &t.font_size_pt}}) {
    if (const auto it = j.find(name); it != j.end()) {
      if (!it->is_number()) return Bad(where + "." + name, "a number is expected");
      *value = it->get<double>();
    }
  }
  const auto rows = j.find("rows");
  if (rows == j.end() || !rows->is_array()) return Bad(where + ".rows", "an array is expected");
  for (const auto& row : *rows) {
    if (!row.is_array()) return Bad(where + ".rows", "each row is an array of strings");
    std::vector<std::string> cells;
    for (const auto& cell : row) {
      if (!cell.is_string()) return Bad(where + ".rows", "each cell is a string");
      cells.push_back(cell.get<std::string>());
    }
    t.rows.push_back(std::move(cells));
  }
  return t;
}

// The string members named in `fields` of object `j` at `where`; absent ones stay "".
Status ReadStrings(const nlohmann::json& j, const std::string& where,
                   std::initializer_list<std::pair<const char*, std::string*>> fields) {
  if (!j.is_object()) return Bad(where, "an object is expected");
  for (const auto& [name, out] : fields) {
    const auto it = j.find(name);
    if (it == j.end()) continue;
    if (!it->is_string()) return Bad(where + "." + name, "a string is expected");
    *out = it->get<std::string>();
  }
  return OkStatus();
}

}  // namespace

nlohmann::json PrintDocumentToJson(const PrintDocument& doc) {
  nlohmann::json blocks = nlohmann::json::array();
  for (const PrintBlock& b : doc.blocks) {
    nlohmann::json block;
    for (const auto& [kind, name] : kKinds) {
      if (kind == b.kind) block["kind"] = name;
    }
    if (b.kind == PrintBlock::Kind::kTable) {
      block["table"] = {{"column_weights", b.table.column_weights}, {"header_row", b.table.header_row},
                        {"label_column", b.table.label_column},     {"rows", b.table.rows},
                        {"min_row_height_pt", b.table.min_row_height_pt},
                        {"font_size_pt", b.table.font_size_pt}};
    } else if (b.kind == PrintBlock::Kind::kDocument) {
      const PrintLetterhead& h = b.letterhead;
      block["letterhead"] = {{"office_name", h.office_name}, {"office_address", h.office_address},
                             {"logo_png", h.logo_png},       {"place_date", h.place_date},
                             {"number", h.number},           {"footer", h.footer}};
    } else if (b.kind == PrintBlock::Kind::kSignatures) {
      nlohmann::json signatures = nlohmann::json::array();
      for (const PrintSignature& s : b.signatures) {
        signatures.push_back(
            {{"role", s.role}, {"name", s.name}, {"position", s.position}, {"note", s.note}});
      }
      block["signatures"] = std::move(signatures);
    } else if (HasText(b.kind)) {
      block["text"] = b.text;
    }
    blocks.push_back(std::move(block));
  }
  return {{"title", doc.title},     {"author", doc.author},         {"subject", doc.subject},
          {"created", doc.created}, {"page_label", doc.page_label}, {"blocks", std::move(blocks)}};
}

Result<PrintDocument> PrintDocumentFromJson(const nlohmann::json& json) {
  if (!json.is_object()) return Bad("document", "an object is expected");
  PrintDocument doc;
  RETURN_IF_ERROR(ReadStrings(json, "document",
                              {{"title", &doc.title},
                               {"author", &doc.author},
                               {"subject", &doc.subject},
                               {"created", &doc.created},
                               {"page_label", &doc.page_label}}));
  const auto blocks = json.find("blocks");
  if (blocks == json.end() || !blocks->is_array()) return Bad("blocks", "an array is expected");
  for (size_t i = 0; i < blocks->size(); ++i) {
    const nlohmann::json& j = (*blocks)[i];
    const std::string where = "blocks[" + std::to_string(i) + "]";
    if (!j.is_object()) return Bad(where, "an object is expected");
    const auto kind = j.find("kind");
    if (kind == j.end() || !kind->is_string()) return Bad(where + ".kind", "a string is expected");
    PrintBlock block;
    bool known = false;
    for (const auto& [k, name] : kKinds) {
      if (name == kind->get<std::string>()) {
        block.kind = k;
        known = true;
      }
    }
    if (!known) return Bad(where + ".kind", "unknown kind '" + kind->get<std::string>() + "'");
    if (block.kind == PrintBlock::Kind::kTable) {
      const auto table = j.find("table");
      if (table == j.end()) return Bad(where + ".table", "missing");
      ASSIGN_OR_RETURN(block.table, TableFromJson(*table, where + ".table"));
    } else if (block.kind == PrintBlock::Kind::kDocument) {
      const auto head = j.find("letterhead");
      if (head == j.end()) return Bad(where + ".letterhead", "missing");
      PrintLetterhead& h = block.letterhead;
      RETURN_IF_ERROR(ReadStrings(*head, where + ".letterhead",
                                  {{"office_name", &h.office_name},
                                   {"office_address", &h.office_address},
                                   {"logo_png", &h.logo_png},
                                   {"place_date", &h.place_date},
                                   {"number", &h.number},
                                   {"footer", &h.footer}}));
    } else if (block.kind == PrintBlock::Kind::kSignatures) {
      const auto signatures = j.find("signatures");
      if (signatures == j.end() || !signatures->is_array())
        return Bad(where + ".signatures", "an array is expected");
      for (size_t k = 0; k < signatures->size(); ++k) {
        PrintSignature s;
        RETURN_IF_ERROR(ReadStrings((*signatures)[k], where + ".signatures[" + std::to_string(k) + "]",
                                    {{"role", &s.role}, {"name", &s.name}, {"position", &s.position},
                                     {"note", &s.note}}));
        block.signatures.push_back(std::move(s));
      }
    } else if (HasText(block.kind)) {
      const auto text = j.find("text");
      if (text == j.end() || !text->is_string()) return Bad(where + ".text", "a string is expected");
      block.text = text->get<std::string>();
    }
    doc.blocks.push_back(std::move(block));
  }
  return doc;
}

}  // namespace kronika::srs
