// File descriptor helpers (see kronika/media/fd_io.h).
#include "kronika/media/fd_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kronika::media {

Error IoError(std::string_view what, const std::filesystem::path& path, int err) {
  return MakeError(ErrorCode::kIo,
                   std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

Status WriteAll(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

Result<std::string> ReadAt(int fd, uint64_t offset, size_t n, const std::filesystem::path& path) {
  std::string buf(n, '\0');
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, buf.data() + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path, errno);
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  buf.resize(got);
  return buf;
}

}  // namespace kronika::media
