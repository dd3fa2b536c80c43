// Where key files may live: never inside the data directory they protect, so a copy of
// the data directory (backup, disclosure, stolen disk) never carries its own keys (SEC-1, DISC-3).
#pragma once

#include <filesystem>
#include <string_view>

#include "kronika/result.h"

namespace kronika::srs {

// True if `child` is `parent` or lies below it, after resolving symlinks and "..".
bool IsInside(const std::filesystem::path& child, const std::filesystem::path& parent);

// kInvalidInput "<what>: <key_file> lies inside the data directory <data_dir>; keep it elsewhere
// (<requirement>)" when it does; OK when it does not or `data_dir` is empty.
Status RequireOutsideDataDir(const std::filesystem::path& key_file, const std::filesystem::path& data_dir,
                             std::string_view what, std::string_view requirement);

}  // namespace kronika::srs
