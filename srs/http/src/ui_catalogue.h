// The catalogue a page script translates its text with (issue 16 item 1/3): the script's
// msgids (English) and their translation into the reader's language, with the office's
// time zone, from GET /api/v1/ui/catalogue?area=records[&lang=pl|en] (records_routes.cc).
// The msgids live in C++ tables so that xgettext and the catalogue checks see them.
// Private to srs/http.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace kronika::srs {

// The msgids srs/http/ui/records.js shows (records_ui_strings.cc).
const std::vector<const char*>& RecordsUiMsgids();

// {language, time_zone, messages: {msgid: text}} for `msgids` in `language`.
nlohmann::json UiCatalogue(const std::vector<const char*>& msgids, std::string_view language,
                           std::string_view time_zone);

}  // namespace kronika::srs
