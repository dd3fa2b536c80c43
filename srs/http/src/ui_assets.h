// The web page's static files (srs/http/ui/: scripts, styles), built into the binary by
// embed_ui.cmake and served as /ui/<name> (access_routes.cc): public, like the page itself,
// since they hold code and no data. Private to srs/http.
#pragma once

#include <string_view>
#include <vector>

namespace kronika::srs {

struct UiAsset {
  std::string_view name;          // "records.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view bytes;
};

// Every file of srs/http/ui/, by name.
const std::vector<UiAsset>& UiAssets();

}  // namespace kronika::srs
