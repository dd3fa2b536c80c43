// The web page at /ui/ (issue 16 item 3; docs/api.md "Web page"): the shell (index.html)
// with its texts in the page's language, its stylesheet and scripts, all embedded in the
// binary at build time (srs/http/ui/, ui/embed_ui.cmake), and the scripts' texts as JSON.
//
//   GET /ui                 308 to /ui/
//   GET /ui/[?lang=pl|en]   the page, <html lang> the given language, else the office's
//   GET /ui/texts.json[?lang=]  {key: text} for the scripts, same language rule
//   GET /ui/<file>          app.css, app.js, requests.js, ... (text/css, text/javascript)
//
// Public: the page holds no personal data; the scripts sign in and call the JSON API. Every
// answer carries a strict Content-Security-Policy (no inline script or style, nothing from
// another origin, no framing), nosniff and no referrer; files are revalidated with an ETag
// (Cache-Control: no-cache), so an upgrade is seen at the next load.
// Threads: the handlers run on the HTTP workers, concurrently; they share only constants.
#pragma once

#include <string>

#include "kronika/srs/http/http_server.h"

namespace kronika::srs {

struct UiSettings {
  std::string language = "pl";               // the office's language ([office] language)
  std::string time_zone = "Europe/Warsaw";   // times on the page ([office] time_zone)
};

// Registers the /ui routes on `server`. Call before Start().
void MountUiPage(HttpServer& server, const UiSettings& settings);

// The page in `language` (exposed for the unit test): every {{key}} of index.html replaced.
std::string RenderUiIndex(const UiSettings& settings, const std::string& language);

}  // namespace kronika::srs
