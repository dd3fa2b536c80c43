// DISC-3 (issue 16 item 3): ZipPackage writes every file of a package, and nothing else,
// into one ZIP with the bytes on disk; read back here with libarchive's reader (an
// independent path through the library) and refused for what a package never holds.
#include "kronika/srs/access/package_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <string>

#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::TempDir;

void WriteFile(const std::filesystem::path& p, const std::string& bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

// Every entry of a ZIP in memory: name -> bytes.
std::map<std::string, std::string> ReadZip(const std::string& zip) {
  std::map<std::string, std::string> out;
  archive* a = archive_read_new();
  archive_read_support_format_zip(a);
  REQUIRE(archive_read_open_memory(a, zip.data(), zip.size()) == ARCHIVE_OK);
  archive_entry* entry = nullptr;
  while (archive_read_next_header(a, &entry) == ARCHIVE_OK) {
    std::string bytes;
    char buf[4096];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) bytes.append(buf, static_cast<size_t>(n));
    REQUIRE(n == 0);
    out[archive_entry_pathname(entry)] = bytes;
  }
  archive_read_free(a);
  return out;
}

TEST_CASE("DISC-3 ZipPackage holds every file of the package under its top directory, byte for byte",
          "[access][disclosure]") {
  TempDir dir;
  const std::filesystem::path pkg = dir.path() / "DR-000001-1";
  std::string audio(200'000, '\0');
  for (size_t i = 0; i < audio.size(); ++i) audio[i] = static_cast<char>(i * 7 + 3);  // not text, > one read chunk
  WriteFile(pkg / "audio" / "REC1.opus", audio);
  WriteFile(pkg / "metadata" / "REC1.json", "{\"recording_id\":\"REC1\"}");
  WriteFile(pkg / "MANIFEST.sha256", "abc  audio/REC1.opus\n");
  WriteFile(pkg / "protocol.html", "<p>Protokół przekazania</p>");
  auto zip = ZipPackage(pkg, "DR-000001");
  REQUIRE(zip.ok());
  CHECK(zip->substr(0, 4) == std::string("PK\x03\x04", 4));
  const auto entries = ReadZip(*zip);
  CHECK(entries.size() == 4);
  CHECK(entries.at("DR-000001/audio/REC1.opus") == audio);
  CHECK(entries.at("DR-000001/metadata/REC1.json") == "{\"recording_id\":\"REC1\"}");
  CHECK(entries.at("DR-000001/MANIFEST.sha256") == "abc  audio/REC1.opus\n");
  CHECK(entries.at("DR-000001/protocol.html") == "<p>Protokół przekazania</p>");
}

TEST_CASE("DISC-3 ZipPackage refuses a missing package and a link inside one", "[access][disclosure]") {
  TempDir dir;
  auto missing = ZipPackage(dir.path() / "nothing", "X");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);

  const std::filesystem::path pkg = dir.path() / "pkg";
  WriteFile(pkg / "MANIFEST.sha256", "");
  WriteFile(dir.path() / "secret.txt", "not part of the package");
  std::filesystem::create_symlink(dir.path() / "secret.txt", pkg / "audio.opus");
  auto linked = ZipPackage(pkg, "X");
  REQUIRE_FALSE(linked.ok());
  CHECK(linked.error().code == ErrorCode::kConflict);
}

}  // namespace
}  // namespace kronika::srs
