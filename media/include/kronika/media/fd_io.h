// Whole-buffer reads and writes on a file descriptor, with errors that name the file.
// Shared by sealed recordings (media) and the .kenc/at-rest code in srs (SEC-1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "kronika/result.h"

namespace kronika::media {

// "<what> <path>: <strerror(err)>" with code kIo (a local I/O failure, never the peer's fault).
Error IoError(std::string_view what, const std::filesystem::path& path, int err);

// Writes all of `data`, retrying short writes and EINTR. `path` only names the file in errors.
Status WriteAll(int fd, std::string_view data, const std::filesystem::path& path);

// Reads `n` bytes at `offset` (pread, the file offset is untouched); fewer only at end of file.
Result<std::string> ReadAt(int fd, uint64_t offset, size_t n, const std::filesystem::path& path);

}  // namespace kronika::media
