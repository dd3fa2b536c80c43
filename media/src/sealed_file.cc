// Sealed files, format KENC0002 (see kronika/media/sealed_file.h).
#include "kronika/media/sealed_file.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "kronika/media/aes_gcm.h"
#include "kronika/media/fd_io.h"

namespace kronika::media {
namespace {

constexpr size_t kMagicBytes = 8;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = kGcmTagBytes;
constexpr size_t kNonceAt = kMagicBytes;
constexpr size_t kMaxRecordAt = kMagicBytes + kNonceBytes;

void PutBig(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetBig(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

std::string RecordIv(std::string_view header, uint64_t index) {
  std::string iv(header.substr(kNonceAt, kNonceBytes));
  for (int i = 0; i < 8; ++i) {
    iv[kNonceBytes - 1 - i] = static_cast<char>(iv[kNonceBytes - 1 - i] ^ ((index >> (8 * i)) & 0xff));
  }
  return iv;
}

std::string RecordAad(std::string_view header, uint64_t index, bool final) {
  std::string aad(header);
  PutBig(aad, index, 8);
  aad.push_back(final ? 1 : 0);
  return aad;
}

}  // namespace

bool HasSealedMagic(std::string_view first_bytes) {
  return first_bytes.size() >= kMagicBytes && first_bytes.substr(0, kMagicBytes) == kSealedMagic;
}

// ---- SealedWriter ----

Result<std::unique_ptr<SealedWriter>> SealedWriter::Start(int fd, std::string_view key,
                                                          std::filesystem::path path_for_errors,
                                                          KeyStoredGate gate) {
  if (key.size() != kSealKeyBytes)
    return MakeError(ErrorCode::kInvalidInput, "media: at-rest key must be 32 bytes");
  std::unique_ptr<SealedWriter> w(new SealedWriter());
  w->fd_ = fd;
  w->path_ = std::move(path_for_errors);
  w->key_ = std::string(key);
  w->gate_ = std::move(gate);
  w->header_.assign(kSealedMagic, kMagicBytes);
  std::string nonce(kNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), static_cast<int>(nonce.size())) != 1) std::abort();
  w->header_ += nonce;
  PutBig(w->header_, kSealedMaxRecordBytes, 4);
  if (Status s = w->Emit(w->header_, false); !s.ok()) return s.error();
  return w;
}

Status SealedWriter::Emit(std::string bytes, bool force) {
  if (gate_) {
    Result<bool> stored = gate_();
    if (!stored.ok()) {
      failed_ = true;
      return MakeError(ErrorCode::kIo, "media: " + path_.string() + ": " + stored.error().message);
    }
    if (!*stored && !force) {
      if (held_.size() + bytes.size() > kSealedMaxHeldBytes) {
        failed_ = true;
        return MakeError(ErrorCode::kIo, "media: " + path_.string() + ": data key still not durable after " +
                                             std::to_string(held_.size()) + " bytes");
      }
      held_ += bytes;
      bytes_written_ += bytes.size();
      return OkStatus();
    }
    gate_ = nullptr;  // durable (or Finish): from now on written as sealed
  }
  const size_t size = bytes.size();
  if (!held_.empty()) bytes = std::exchange(held_, std::string()) + bytes;
  if (Status s = WriteAll(fd_, bytes, path_); !s.ok()) {
    failed_ = true;
    return s;
  }
  bytes_written_ += size;
  return OkStatus();
}

SealedWriter::~SealedWriter() {
  OPENSSL_cleanse(key_.data(), key_.size());
  OPENSSL_cleanse(buffer_.data(), buffer_.size());
}

Status SealedWriter::Append(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const size_t room = kSealedMaxRecordBytes - buffer_.size();
    const size_t n = std::min(room, size);
    buffer_.append(p, n);
    p += n;
    size -= n;
    if (buffer_.size() == kSealedMaxRecordBytes) {
      if (Status s = Seal(); !s.ok()) return s;
    }
  }
  return OkStatus();
}

Status SealedWriter::Seal() {
  if (buffer_.empty()) return OkStatus();
  return SealRecord(false);
}

Status SealedWriter::Finish() { return SealRecord(true); }

Status SealedWriter::SealRecord(bool final) {
  if (failed_ || finished_) {
    return MakeError(ErrorCode::kIo, "media: write " + path_.string() + ": sealed stream closed");
  }
  std::string record;
  PutBig(record, buffer_.size(), 4);
  record += GcmSeal(key_, RecordIv(header_, index_), RecordAad(header_, index_, final), buffer_);
  OPENSSL_cleanse(buffer_.data(), buffer_.size());
  buffer_.clear();
  // The record index advances even if the write fails: its IV is never used again.
  ++index_;
  finished_ = final;
  return Emit(std::move(record), /*force=*/final);
}

// ---- SealedReader ----

Result<std::unique_ptr<SealedReader>> SealedReader::Open(const std::filesystem::path& path, std::string_view key,
                                                         Tail tail) {
  if (key.size() != kSealKeyBytes)
    return MakeError(ErrorCode::kInvalidInput, "decrypt: key must be 32 bytes");
  std::unique_ptr<SealedReader> r(new SealedReader());
  r->path_ = path;
  r->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (r->fd_ < 0) return IoError("open", path, errno);
  struct stat st {};
  if (::fstat(r->fd_, &st) != 0) return IoError("stat", path, errno);
  const uint64_t file_bytes = static_cast<uint64_t>(st.st_size);
  Result<std::string> header = ReadAt(r->fd_, 0, kSealedHeaderBytes, path);
  if (!header.ok()) return header.error();
  if (header->size() != kSealedHeaderBytes || !HasSealedMagic(*header)) {
    return MakeError(ErrorCode::kCorrupt,
                     "decrypt: " + path.string() + " is not a KENC0002 sealed file");
  }
  r->header_ = *header;
  r->key_ = std::string(key);
  const uint64_t max_record =
      std::min<uint64_t>(kSealedMaxRecordBytes, GetBig(std::string_view(r->header_).substr(kMaxRecordAt, 4)));

  // Index the records by walking their length fields.
  uint64_t at = kSealedHeaderBytes, plain = 0;
  bool damaged = false;
  while (at + kSealedRecordOverheadBytes <= file_bytes) {
    Result<std::string> len = ReadAt(r->fd_, at, 4, path);
    if (!len.ok()) return len.error();
    const uint64_t n = GetBig(*len);
    if (n > max_record || at + kSealedRecordOverheadBytes + n > file_bytes) {
      damaged = true;
      break;
    }
    r->records_.push_back(Record{at, plain, static_cast<uint32_t>(n)});
    at += kSealedRecordOverheadBytes + n;
    plain += n;
  }
  if (at != file_bytes) damaged = true;

  if (tail == Tail::kRequireFinal) {
    if (damaged || r->records_.empty()) {
      return MakeError(ErrorCode::kPermissionDenied,
                       "decrypt: " + path.string() + " is truncated or damaged");
    }
    Result<std::string> last = r->OpenRecord(r->records_.size() - 1, /*final=*/true);
    if (!last.ok()) {
      return MakeError(
          ErrorCode::kPermissionDenied,
          "decrypt: " + path.string() +
              ": last record does not authenticate as final (wrong key, altered or truncated)");
    }
    r->finished_ = true;
    r->plaintext_bytes_ = plain;
    return r;
  }

  // Recovery: keep the authenticated prefix.
  size_t keep = 0;
  for (; keep < r->records_.size(); ++keep) {
    if (r->OpenRecord(keep, false).ok()) continue;
    if (r->OpenRecord(keep, true).ok()) {
      r->finished_ = true;
      ++keep;
    }
    break;
  }
  r->records_.resize(keep);
  r->plaintext_bytes_ = keep == 0 ? 0 : r->records_.back().plain_offset + r->records_.back().length;
  r->cached_index_ = SIZE_MAX;
  OPENSSL_cleanse(r->cached_.data(), r->cached_.size());
  return r;
}

SealedReader::~SealedReader() {
  if (fd_ >= 0) ::close(fd_);
  OPENSSL_cleanse(key_.data(), key_.size());
  OPENSSL_cleanse(cached_.data(), cached_.size());
}

Result<std::string> SealedReader::OpenRecord(size_t i, bool final) const {
  const Record& rec = records_[i];
  Result<std::string> sealed = ReadAt(fd_, rec.file_offset + 4, kTagBytes + rec.length, path_);
  if (!sealed.ok()) return sealed.error();
  if (sealed->size() != kTagBytes + rec.length) {
    return MakeError(ErrorCode::kPermissionDenied, "decrypt: " + path_.string() + " truncated");
  }
  std::string out;
  const std::string_view s(*sealed);
  if (!GcmOpen(key_, RecordIv(header_, i), RecordAad(header_, i, final), s.substr(0, kTagBytes), s.substr(kTagBytes),
               out)) {
    return MakeError(ErrorCode::kPermissionDenied,
                     "decrypt: " + path_.string() + ": record " + std::to_string(i) +
                         " does not authenticate (wrong key or altered data)");
  }
  return out;
}

Result<std::string> SealedReader::Read(uint64_t offset, uint64_t length) {
  std::string out;
  const uint64_t end = std::min(plaintext_bytes_, offset + std::min(length, plaintext_bytes_));
  if (offset >= end) return out;
  // First record whose plaintext ends after `offset`.
  auto it = std::upper_bound(records_.begin(), records_.end(), offset,
                             [](uint64_t off, const Record& r) { return off < r.plain_offset + r.length; });
  for (; it != records_.end() && it->plain_offset < end; ++it) {
    const size_t i = static_cast<size_t>(it - records_.begin());
    if (i != cached_index_) {
      const bool final = finished_ && i + 1 == records_.size();
      Result<std::string> plain = OpenRecord(i, final);
      if (!plain.ok()) {
        OPENSSL_cleanse(out.data(), out.size());
        return plain.error();
      }
      OPENSSL_cleanse(cached_.data(), cached_.size());
      cached_ = std::move(*plain);
      cached_index_ = i;
    }
    const uint64_t from = std::max(offset, it->plain_offset) - it->plain_offset;
    const uint64_t to = std::min(end, it->plain_offset + it->length) - it->plain_offset;
    out.append(cached_.data() + from, to - from);
  }
  return out;
}

}  // namespace kronika::media
