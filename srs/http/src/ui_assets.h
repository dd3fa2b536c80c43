// The web page's files (srs/http/ui/), embedded into the binary at build time by
// ui/embed_ui.cmake: the daemon serves /ui/ from memory and reads no file for it.
// Threads: any (immutable after first use).
#pragma once

#include <string_view>
#include <vector>

namespace kronika::srs {

struct UiAsset {
  std::string_view name;  // file name under ui/, e.g. "app.js"
  std::string_view body;  // its bytes as they were at build time
};

// In the order of KRONIKA_UI_FILES (srs/http/CMakeLists.txt): index.html, app.css,
// app.js, then the section scripts.
const std::vector<UiAsset>& UiAssets();

}  // namespace kronika::srs
