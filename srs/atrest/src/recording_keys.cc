// RecordingKeys and encryption of finished recordings (see recording_keys.h).
#include "kronika/srs/atrest/recording_keys.h"

#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <openssl/crypto.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>

#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/atrest/key_location.h"
#include "kronika/srs/core/data_layout.h"
#include "kronika/srs/core/log.h"
#include "kronika/thread_role.h"

namespace kronika::srs {
namespace {

constexpr std::string_view kDekMagic = "KDEK1";
constexpr size_t kKekIdBytes = 8;
constexpr char kDekSuffix[] = ".dek";

}  // namespace

bool ValidRecordingKeyId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

Result<std::string> LoadMasterKey(const std::filesystem::path& key_file,
                                  const std::filesystem::path& data_dir) {
  RETURN_IF_ERROR(RequireOutsideDataDir(key_file, data_dir, "master key", "SEC-1"));
  std::ifstream in(key_file, std::ios::binary);
  if (!in)
    return MakeError(ErrorCode::kInvalidInput, "master key: cannot read " + key_file.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  if (text.size() == kAesKeyBytes) return text;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  if (text.size() == 2 * kAesKeyBytes) {
    Result<std::string> key = HexDecode(text);
    if (key.ok()) return key;
  }
  return MakeError(ErrorCode::kInvalidInput,
                   "master key: " + key_file.string() + " must hold 32 bytes or 64 hex digits");
}

RecordingKeys::RecordingKeys(std::filesystem::path keys_dir, std::string kek)
    : dir_(std::move(keys_dir)), kek_(std::move(kek)), kek_id_(KekId(kek_)) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
}

RecordingKeys::~RecordingKeys() {
  OPENSSL_cleanse(kek_.data(), kek_.size());
  OPENSSL_cleanse(previous_kek_.data(), previous_kek_.size());
}

std::string RecordingKeys::kek_id() const {
  ReaderLock lock(kek_mu_);
  return kek_id_;
}

std::filesystem::path RecordingKeys::DefaultDir(const std::filesystem::path& data_dir) {
  return AccessDir(data_dir) / "keys";
}

std::string RecordingKeys::KekId(std::string_view kek) {
  return HexEncode(Sha256(kek).substr(0, kKekIdBytes));
}

std::filesystem::path RecordingKeys::PathOf(std::string_view recording_id) const {
  return dir_ / (std::string(recording_id) + kDekSuffix);
}

Status RecordingKeys::WriteWrapped(std::string_view recording_id, std::string_view dek,
                                   std::string_view kek) const {
  CheckDiskIoAllowed("RecordingKeys: key file write");
  ASSIGN_OR_RETURN(std::string sealed, SealSmall(kek, dek, recording_id));
  const std::string blob = std::string(kDekMagic) + Sha256(kek).substr(0, kKekIdBytes) + sealed;
  const std::filesystem::path path = PathOf(recording_id);
  const std::filesystem::path tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return MakeError(ErrorCode::kIo, "keys: create " + tmp.string() + ": " + std::strerror(errno));
  const bool ok = ::write(fd, blob.data(), blob.size()) == static_cast<ssize_t>(blob.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return MakeError(ErrorCode::kIo, "keys: write " + path.string() + ": " + std::strerror(errno));
  }
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return OkStatus();
}

Result<std::string> RecordingKeys::Create(std::string_view recording_id) {
  std::string dek = RandomBytes(kAesKeyBytes);
  Status s = Put(recording_id, dek);
  if (!s.ok()) {
    OPENSSL_cleanse(dek.data(), dek.size());
    return s.error();
  }
  return dek;
}

Status RecordingKeys::Put(std::string_view recording_id, std::string_view dek) {
  if (!ValidRecordingKeyId(recording_id)) return MakeError(ErrorCode::kInvalidInput, "keys: bad recording id");
  if (dek.size() != kAesKeyBytes) return MakeError(ErrorCode::kInvalidInput, "keys: a data key is 32 bytes");
  if (Has(recording_id))
    return MakeError(ErrorCode::kConflict,
                     "keys: " + std::string(recording_id) + " already has a key");
  // Held across the write: a rotation switches the KEK only between wraps, so no key it
  // has not seen is left wrapped by the old one.
  ReaderLock lock(kek_mu_);
  return WriteWrapped(recording_id, dek, kek_);
}

bool RecordingKeys::Has(std::string_view recording_id) const {
  CheckDiskIoAllowed("RecordingKeys::Has");
  std::error_code ec;
  return ValidRecordingKeyId(recording_id) && std::filesystem::exists(PathOf(recording_id), ec);
}

Result<std::string> RecordingKeys::Get(std::string_view recording_id) const {
  CheckDiskIoAllowed("RecordingKeys::Get");
  if (!ValidRecordingKeyId(recording_id)) return MakeError(ErrorCode::kInvalidInput, "keys: bad recording id");
  std::ifstream in(PathOf(recording_id), std::ios::binary);
  if (!in)
    return MakeError(ErrorCode::kNotFound, "keys: no key for " + std::string(recording_id) +
                                               " (destroyed or never made)");
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string blob = buf.str();
  if (blob.compare(0, kDekMagic.size(), kDekMagic) != 0 ||
      blob.size() < kDekMagic.size() + kKekIdBytes) {
    return MakeError(ErrorCode::kCorrupt,
                     "keys: " + PathOf(recording_id).string() + " is not a key file");
  }
  const std::string kek_id = HexEncode(blob.substr(kDekMagic.size(), kKekIdBytes));
  ReaderLock lock(kek_mu_);
  const std::string* kek = kek_id == kek_id_ ? &kek_
                           : (!previous_kek_.empty() && kek_id == previous_kek_id_) ? &previous_kek_
                                                                                     : nullptr;
  if (kek == nullptr) {
    return MakeError(ErrorCode::kPermissionDenied, "keys: " + std::string(recording_id) +
                                                       " is wrapped by master key " + kek_id +
                                                       ", the configured one is " + kek_id_);
  }
  return OpenSmall(*kek, std::string_view(blob).substr(kDekMagic.size() + kKekIdBytes),
                   recording_id);
}

Status RecordingKeys::Shred(std::string_view recording_id) {
  CheckDiskIoAllowed("RecordingKeys::Shred");
  if (!ValidRecordingKeyId(recording_id)) return MakeError(ErrorCode::kInvalidInput, "keys: bad recording id");
  return OverwriteAndUnlink(PathOf(recording_id));
}

Result<std::vector<std::string>> RecordingKeys::RecordingIds() const {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.path().extension() == kDekSuffix) ids.push_back(entry.path().stem().string());
  }
  if (ec) return MakeError(ErrorCode::kIo, "keys: list " + dir_.string() + ": " + ec.message());
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<RecordingKeys::WrapCheck> RecordingKeys::CheckWrapping(size_t limit) const {
  ASSIGN_OR_RETURN(std::vector<std::string> ids, RecordingIds());
  WrapCheck check;
  const std::string current = kek_id();
  for (const std::string& id : ids) {
    if (check.checked >= limit) break;
    // "": shredded meanwhile, or not a key file (Get() reports it when used).
    const std::string kek_id = WrappingKekId(id);
    if (kek_id.empty()) continue;
    ++check.checked;
    if (kek_id == current) continue;
    if (check.foreign++ == 0) {
      check.first_foreign_id = id;
      check.first_foreign_kek_id = kek_id;
    }
  }
  return check;
}

std::string RecordingKeys::WrappingKekId(std::string_view recording_id) const {
  std::ifstream in(PathOf(recording_id), std::ios::binary);
  std::string header(kDekMagic.size() + kKekIdBytes, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(header.size()))) return "";
  if (header.compare(0, kDekMagic.size(), kDekMagic) != 0) return "";
  return HexEncode(header.substr(kDekMagic.size(), kKekIdBytes));
}

Result<bool> RecordingKeys::Rewrap(std::string_view recording_id, std::string_view dek,
                                   std::string_view kek) const {
  ASSIGN_OR_RETURN(std::string sealed, SealSmall(kek, dek, recording_id));
  const std::string blob = std::string(kDekMagic) + Sha256(kek).substr(0, kKekIdBytes) + sealed;
  const std::filesystem::path path = PathOf(recording_id);
  const std::filesystem::path tmp = path.string() + ".rewrap";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return MakeError(ErrorCode::kIo, "keys: create " + tmp.string() + ": " + std::strerror(errno));
  const bool written = ::write(fd, blob.data(), blob.size()) == static_cast<ssize_t>(blob.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(tmp.c_str());
    return MakeError(ErrorCode::kIo, "keys: write " + tmp.string() + ": " + std::strerror(errno));
  }
  // Exchanged, not renamed over: a key shredded (ShredRecordingAtRest, from any process)
  // since it was read is not there to exchange with, so it is not brought back; and a
  // shred running now overwrites and unlinks one of the two inodes either way.
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    if (err == ENOENT) return false;
    return MakeError(ErrorCode::kIo, "keys: replace " + path.string() + ": " + std::strerror(err));
  }
  RETURN_IF_ERROR(OverwriteAndUnlink(tmp));  // the copy under the old KEK
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

Result<size_t> RecordingKeys::Rotate(std::string_view new_kek) {
  if (new_kek.size() != kAesKeyBytes)
    return MakeError(ErrorCode::kInvalidInput, "keys: new master key must be 32 bytes");
  MutexLock rotation(rotate_mu_);
  const std::string new_id = KekId(new_kek);
  // 1. A key under a third master key: refused before anything changes.
  {
    ASSIGN_OR_RETURN(auto ids, RecordingIds());
    std::string current, previous;
    {
      ReaderLock lock(kek_mu_);
      current = kek_id_;
      previous = previous_kek_.empty() ? "" : previous_kek_id_;
    }
    for (const std::string& id : ids) {
      const std::string wrapped_by = WrappingKekId(id);
      if (wrapped_by.empty() || wrapped_by == current || wrapped_by == new_id || wrapped_by == previous) continue;
      return MakeError(ErrorCode::kPermissionDenied,
                       "keys: rotation stopped at " + id + ": it is wrapped by master key " + wrapped_by +
                           ", neither the configured one (" + current + ") nor the new one (" + new_id +
                           "); nothing was changed");
    }
  }
  // 2. The switch: from here every new key is wrapped by the new KEK; the old one still
  // unwraps until step 3 is done.
  {
    WriterLock lock(kek_mu_);
    if (kek_id_ != new_id) {
      OPENSSL_cleanse(previous_kek_.data(), previous_kek_.size());
      previous_kek_ = std::move(kek_);
      previous_kek_id_ = std::move(kek_id_);
      kek_ = std::string(new_kek);
      kek_id_ = new_id;
    }
  }
  // 3. Every file still under the old KEK, listed again until none is left (a Create()
  // that held the lock across the switch wrote with the old KEK before it).
  size_t n = 0;
  for (int pass = 0;; ++pass) {
    std::string previous;
    {
      ReaderLock lock(kek_mu_);
      previous = previous_kek_.empty() ? "" : previous_kek_id_;
    }
    if (previous.empty()) break;
    ASSIGN_OR_RETURN(auto ids, RecordingIds());
    size_t rewrapped = 0;
    for (const std::string& id : ids) {
      if (WrappingKekId(id) != previous) continue;
      Result<std::string> dek = Get(id);
      if (!dek.ok()) {
        if (dek.error().code == ErrorCode::kNotFound) continue;  // shredded meanwhile
        return MakeError(dek.error().code, "keys: rotation stopped at " + id + ": " + dek.error().message);
      }
      Result<bool> done = Rewrap(id, *dek, new_kek);
      OPENSSL_cleanse(dek->data(), dek->size());
      if (!done.ok()) return done.error();
      rewrapped += *done ? 1 : 0;
    }
    n += rewrapped;
    if (rewrapped == 0) break;
    if (pass >= 3) {  // cannot happen (see the switch above); the old KEK is kept so nothing is lost
      return MakeError(ErrorCode::kInternal, "keys: rotation: keys under the old master key keep appearing; run it "
                                             "again");
    }
  }
  // 4. Done: the old KEK is forgotten.
  WriterLock lock(kek_mu_);
  OPENSSL_cleanse(previous_kek_.data(), previous_kek_.size());
  previous_kek_.clear();
  previous_kek_id_.clear();
  return n;
}

Status RecordingKeys::Adopt(std::string_view kek) {
  if (kek.size() != kAesKeyBytes) return MakeError(ErrorCode::kInvalidInput, "keys: master key must be 32 bytes");
  const std::string id = KekId(kek);
  if (id == kek_id()) return OkStatus();
  ASSIGN_OR_RETURN(auto ids, RecordingIds());
  for (const std::string& rid : ids) {
    const std::string wrapped_by = WrappingKekId(rid);
    if (wrapped_by.empty() || wrapped_by == id) continue;
    return MakeError(ErrorCode::kPermissionDenied, "keys: master key " + id + " does not open the key of recording " +
                                                       rid + " (wrapped by " + wrapped_by + ")");
  }
  // Keys created since the listing are under the current KEK: Rotate() rewraps them.
  Result<size_t> rewrapped = Rotate(kek);
  if (!rewrapped.ok()) return std::move(rewrapped).error();
  return OkStatus();
}

Result<std::unique_ptr<RecordingKeys>> OpenRecordingKeys(const std::filesystem::path& data_dir,
                                                         const std::filesystem::path& master_key_file) {
  std::filesystem::path key_file = master_key_file;
  if (key_file.empty()) {
    if (const char* env = std::getenv(kMasterKeyEnv); env && *env) key_file = env;
  }
  if (key_file.empty()) return std::unique_ptr<RecordingKeys>();
  ASSIGN_OR_RETURN(std::string kek, LoadMasterKey(key_file, data_dir));
  auto keys = std::make_unique<RecordingKeys>(RecordingKeys::DefaultDir(data_dir), kek);
  OPENSSL_cleanse(kek.data(), kek.size());
  return keys;
}

Status ShredRecordingAtRest(const std::filesystem::path& data_dir, std::string_view recording_id,
                            const std::filesystem::path& plain_path) {
  if (!ValidRecordingKeyId(recording_id)) return MakeError(ErrorCode::kInvalidInput, "keys: bad recording id");
  Status key = OverwriteAndUnlink(RecordingKeys::DefaultDir(data_dir) /
                                  (std::string(recording_id) + kDekSuffix));
  if (!key.ok()) return key;
  return OverwriteAndUnlink(EncryptedPathOf(plain_path));
}

std::filesystem::path EncryptedPathOf(const std::filesystem::path& plain_path) {
  return plain_path.string() + kKencSuffix;
}

Status EncryptFinishedRecording(RecordingKeys& keys, std::string_view recording_id,
                                const std::filesystem::path& plain_path) {
  const std::filesystem::path enc = EncryptedPathOf(plain_path);
  std::error_code ec;
  if (std::filesystem::exists(enc, ec) && keys.Has(recording_id)) {
    Result<std::string> dek = keys.Get(recording_id);
    if (dek.ok() && DecryptingReader::Open(enc, *dek).ok()) return OverwriteAndUnlink(plain_path);
  }
  if (!std::filesystem::exists(plain_path, ec))
    return MakeError(ErrorCode::kNotFound, "encrypt: no file " + plain_path.string());
  Result<std::string> dek =
      keys.Has(recording_id) ? keys.Get(recording_id) : keys.Create(recording_id);
  if (!dek.ok()) return dek.error();
  Status s = EncryptFile(plain_path, enc, *dek);
  OPENSSL_cleanse(dek->data(), dek->size());
  if (!s.ok()) return s;
  return OverwriteAndUnlink(plain_path);
}

Result<std::string> ReadRecordingAudio(const RecordingKeys* keys, std::string_view recording_id,
                                       const std::filesystem::path& plain_path, uint64_t offset,
                                       uint64_t length, uint64_t& total_bytes) {
  const std::filesystem::path enc = EncryptedPathOf(plain_path);
  std::error_code ec;
  if (std::filesystem::exists(enc, ec)) {
    if (keys == nullptr) {
      return MakeError(ErrorCode::kUnavailable,
                       "audio: " + enc.string() +
                           " is encrypted but no master key is configured (" +
                           std::string(kMasterKeyEnv) + ")");
    }
    ASSIGN_OR_RETURN(std::string dek, keys->Get(recording_id));
    auto reader = DecryptingReader::Open(enc, dek);
    OPENSSL_cleanse(dek.data(), dek.size());
    if (!reader.ok()) return reader.error();
    total_bytes = (*reader)->size();
    return (*reader)->Read(offset, length);
  }
  std::ifstream in(plain_path, std::ios::binary);
  if (!in)
    return MakeError(ErrorCode::kNotFound,
                     "audio: no file for recording " + std::string(recording_id));
  in.seekg(0, std::ios::end);
  total_bytes = static_cast<uint64_t>(in.tellg());
  if (offset >= total_bytes) return std::string();
  const uint64_t n = std::min(length, total_bytes - offset);
  std::string out(n, '\0');
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(out.data(), static_cast<std::streamsize>(n));
  return out;
}

}  // namespace kronika::srs
