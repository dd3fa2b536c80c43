// The web page's texts (issue 16 item 3): one table of keys and English msgids, marked with
// N_ so xgettext extracts them into po/ (the Polish in po/pl/ui.po). The server puts them
// into the page (index.html's {{key}}) and hands the scripts the same table as JSON
// (GET /ui/texts.json), both in the page's language through Tr().
// Threads: any (the table is constant).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace kronika::srs {

// The text of `key` in `language`; nullopt for a key the table lacks.
std::optional<std::string> UiText(std::string_view language, std::string_view key);

// {key: text} for every key, in `language`.
nlohmann::json UiTexts(std::string_view language);

}  // namespace kronika::srs
