// ZipPackage (see package_archive.h): libarchive writes the ZIP; this file only walks the
// package and feeds it the files.
#include "kronika/srs/access/package_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <system_error>
#include <vector>

namespace kronika::srs {
namespace {

constexpr size_t kReadChunkBytes = 1 << 16;

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

// libarchive's write callback: appends to the std::string it was opened with.
la_ssize_t AppendToString(archive*, void* out, const void* buffer, size_t length) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

Error ArchiveError(archive* a, const std::string& what) {
  const char* message = archive_error_string(a);
  return Error{ErrorCode::kIo, "package archive: " + what + ": " + (message ? message : "libarchive failed")};
}

}  // namespace

Result<std::string> ZipPackage(const std::filesystem::path& package, std::string_view top) {
  std::error_code ec;
  if (!std::filesystem::is_directory(package, ec)) {
    return MakeError(ErrorCode::kNotFound, "package archive: no package directory " + package.string());
  }
  // The files first, in a stable order, each checked to be a regular file (no link out of
  // the package can smuggle another file into the archive).
  std::vector<std::filesystem::path> files;
  uint64_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(package, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const std::filesystem::file_status status = it->symlink_status(ec);
    if (ec) break;
    if (status.type() == std::filesystem::file_type::directory) continue;
    if (status.type() != std::filesystem::file_type::regular) {
      return MakeError(ErrorCode::kConflict, "package archive: " + it->path().string() + " is not a regular file");
    }
    total += it->file_size(ec);
    if (ec) break;
    files.push_back(it->path());
  }
  if (ec) return MakeError(ErrorCode::kIo, "package archive: cannot read " + package.string() + ": " + ec.message());
  if (total > kMaxPackageArchiveBytes) {
    return MakeError(ErrorCode::kTooLarge, "package archive: " + std::to_string(total) +
                                               " bytes of files, more than can be served in one answer");
  }
  std::sort(files.begin(), files.end());

  std::string out;
  out.reserve(static_cast<size_t>(total) + files.size() * 256 + 1024);
  std::unique_ptr<archive, ArchiveDeleter> a(archive_write_new());
  if (!a) return MakeError(ErrorCode::kInternal, "package archive: archive_write_new failed");
  if (archive_write_set_format_zip(a.get()) != ARCHIVE_OK ||
      archive_write_set_options(a.get(), "zip:compression=store") != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK) {
    return ArchiveError(a.get(), "zip format");
  }
  if (archive_write_open2(a.get(), &out, nullptr, AppendToString, nullptr, nullptr) != ARCHIVE_OK) {
    return ArchiveError(a.get(), "open");
  }
  std::vector<char> chunk(kReadChunkBytes);
  for (const std::filesystem::path& file : files) {
    const std::string name = std::string(top) + "/" + file.lexically_relative(package).generic_string();
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return MakeError(ErrorCode::kIo, "package archive: cannot stat " + file.string());
    std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
    archive_entry_set_pathname_utf8(entry.get(), name.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0600);  // the package's own mode (personal data)
    archive_entry_set_size(entry.get(), st.st_size);
    archive_entry_set_mtime(entry.get(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) return ArchiveError(a.get(), name);
    std::ifstream in(file, std::ios::binary);
    if (!in) return MakeError(ErrorCode::kIo, "package archive: cannot open " + file.string());
    int64_t written = 0;
    while (in) {
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      const std::streamsize n = in.gcount();
      if (n <= 0) break;
      if (archive_write_data(a.get(), chunk.data(), static_cast<size_t>(n)) != n) return ArchiveError(a.get(), name);
      written += n;
    }
    if (in.bad() || written != st.st_size) {
      return MakeError(ErrorCode::kIo, "package archive: " + file.string() + " changed or could not be read whole");
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return ArchiveError(a.get(), "close");
  return out;
}

}  // namespace kronika::srs
