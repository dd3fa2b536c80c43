// The small web page for listeners and approvers served at /ui/ (issue 8 part 6): one
// static HTML document with inline script; it keeps the user's token in sessionStorage
// and calls the JSON API with it. Audio is fetched with the token and played from a blob,
// so one fetch makes one register entry.
#pragma once

#include <string_view>

namespace kronika::srs {

std::string_view AccessUiHtml();

}  // namespace kronika::srs
