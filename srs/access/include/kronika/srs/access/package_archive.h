// One disclosure export package (access_disclosure.h) as one ZIP archive, for the records
// keeper to download and hand over on a carrier (DISC-3, issue 16 item 3). ZIP and not tar:
// the receiving office opens it with the file manager of any desktop system.
//
// The archive is written by libarchive from the package directory as it is on disk: every
// regular file under it, in path order, stored under "<top>/<relative path>" with its size
// and modification time; nothing is added or changed, so MANIFEST.sha256 and its signature
// check inside the unpacked archive as they do in the directory. Audio is Ogg Opus already:
// entries are stored, not deflated (compressing it again only costs time).
//
// Memory: the whole archive is built in memory (the HTTP server answers with one body);
// a package bigger than kMaxPackageArchiveBytes is refused rather than exhaust the daemon.
//
// Threads: any; reads only the package.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "kronika/result.h"

namespace kronika::srs {

inline constexpr uint64_t kMaxPackageArchiveBytes = uint64_t{2} << 30;  // 2 GiB of files

// The ZIP archive of `package` with every entry under `top` (e.g. "DR-000001"). Errors:
// kNotFound no such directory; kConflict a symbolic link or special file inside (a package
// holds regular files only); kTooLarge larger than kMaxPackageArchiveBytes; kIo
// a file unreadable or libarchive failing (its message).
Result<std::string> ZipPackage(const std::filesystem::path& package, std::string_view top);

}  // namespace kronika::srs
