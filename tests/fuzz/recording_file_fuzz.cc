// FuzzRecordingFile: a recording file as the disk holds it after a crash or a
// bad copy (fuzz_targets.h). The daemon repairs every .opus.part at start
// (RecoverPartFile) and reads sealed files for playback and export
// (SealedReader); neither may crash on any bytes.
//
// Input: byte 0 chooses the form, the rest is the file:
//   0: a plain .opus.part (Ogg Opus cut anywhere) -> RecoverPartFile
//   1: the plaintext Ogg of a sealed .part: sealed here under kKey in records
//   of the sizes
//      the next bytes give, then cut at a fuzzed offset -> RecoverPartFile with
//      the key
//   2: a sealed file as it is on disk (KENC0002, any bytes) ->
//   SealedReader::Open (both tail
//      modes) and reads, and RecoverPartFile with the key
// Files live in a private directory under /dev/shm (or the temp dir), removed
// after each run.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "fuzz_targets.h"
#include "kronika/media/sealed_file.h"
#include "recording_recovery.h"

namespace kronika::fuzz {
namespace {

namespace fs = std::filesystem;

constexpr char kRecordingId[] = "01JDQX5Z8K3M7N9P2R4T6V8W0Y";
const std::string kKey(media::kSealKeyBytes, '\x5a');

// A directory of this process, removed at exit.
class WorkDirectory {
 public:
  WorkDirectory() {
    std::error_code ec;
    const fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
    path_ = base / ("kronika-fuzz-recording-" + std::to_string(getpid()));
    fs::create_directories(path_ / "2026" / "01" / "01", ec);
  }
  ~WorkDirectory() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path &path() const { return path_; }

 private:
  fs::path path_;
};

const fs::path &WorkDir() {
  static const WorkDirectory dir;
  return dir.path();
}

fs::path PartPath() {
  return WorkDir() / "2026" / "01" / "01" / (std::string(kRecordingId) + media::kPartSuffix);
}

void WriteFile(const fs::path &path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Seals `plain` into `path` in records whose sizes come from `sizes` (cycled),
// then cuts the file at `cut` bytes when that is shorter (a crash mid-write).
void WriteSealed(const fs::path &path, std::string_view plain, std::string_view sizes, size_t cut) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  if (Result<std::unique_ptr<media::SealedWriter>> writer = media::SealedWriter::Start(fd, kKey, path);
      writer.ok()) {
    size_t at = 0;
    for (size_t i = 0; at < plain.size(); ++i) {
      const size_t n = sizes.empty() ? plain.size() : 1 + static_cast<uint8_t>(sizes[i % sizes.size()]) * 16;
      const size_t take = std::min(n, plain.size() - at);
      if (!(*writer)->Append(plain.data() + at, take).ok() || !(*writer)->Seal().ok()) break;
      at += take;
    }
  }
  ::close(fd);
  std::error_code ec;
  if (cut < fs::file_size(path, ec) && !ec) fs::resize_file(path, cut, ec);
}

media::AtRestKeyLookup Keys() {
  return [](const std::string &) -> Result<std::string> { return kKey; };
}

void Clean() {
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(WorkDir() / "2026" / "01" / "01", ec))
    fs::remove(entry.path(), ec);
}

}  // namespace

int FuzzRecordingFile(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char *>(data) + 1, size - 1);
  const fs::path part = PartPath();
  switch (data[0] % 3) {
    case 0:
      WriteFile(part, input);
      (void)media::RecoverPartFile(part);
      break;
    case 1: {
      // [u8 n][n size bytes][u16 cut][plaintext Ogg]
      if (input.empty()) break;
      const size_t n = std::min<size_t>(static_cast<uint8_t>(input[0]), input.size() - 1);
      const std::string_view sizes = input.substr(1, n);
      std::string_view rest = input.substr(1 + n);
      size_t cut = SIZE_MAX;
      if (rest.size() >= 2) {
        cut =
            media::kSealedHeaderBytes + static_cast<uint8_t>(rest[0]) * 256u + static_cast<uint8_t>(rest[1]);
        rest.remove_prefix(2);
      }
      WriteSealed(part, rest, sizes, cut);
      (void)media::RecoverPartFile(part, Keys());
      break;
    }
    case 2: {
      const fs::path sealed = WorkDir() / "2026" / "01" / "01" / "sealed.opus.kenc";
      WriteFile(sealed, input);
      for (media::SealedReader::Tail tail :
           {media::SealedReader::Tail::kRequireFinal, media::SealedReader::Tail::kAcceptTruncated}) {
        Result<std::unique_ptr<media::SealedReader>> reader = media::SealedReader::Open(sealed, kKey, tail);
        if (!reader.ok()) continue;
        const uint64_t total = (*reader)->size();
        (void)(*reader)->Read(0, total);
        (void)(*reader)->Read(total / 2, 4096);
        (void)(*reader)->Read(total, 1);
        (void)(*reader)->Read(UINT64_MAX - 1, 2);
      }
      WriteFile(part, input);
      (void)media::RecoverPartFile(part, Keys());
      break;
    }
  }
  Clean();
  return 0;
}

}  // namespace kronika::fuzz
