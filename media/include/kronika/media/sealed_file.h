// Sealed files: a byte stream encrypted and authenticated as it is written (SEC-1, RET-3).
//
// When encryption at rest is on, a recording is written through a SealedWriter from its
// first byte, so its audio never touches the disk in plaintext. The srs module reads the
// same format back (playback, HTTP ranges, disclosure export) with SealedReader.
//
// Format "KENC0002" (all integers big-endian), AES-256-GCM under the recording's 32-byte
// data key (DEK), in the STREAM construction (online authenticated encryption):
//   header (24 bytes): "KENC0002" | 12 bytes random file nonce | u32 max record bytes
//   record i (i = 0, 1, ...): u32 plaintext length L | 16-byte GCM tag | L bytes ciphertext
//     IV  = file nonce XOR big-endian(i) in its last 8 bytes
//     AAD = header | u64 i | u8 final (1 for the last record of a finished file, else 0)
// A record is sealed whenever the writer flushes (the Ogg writer: at least every half
// second of audio), so at most about half a second of audio is held in memory. Each record is written
// once and never rewritten (no IV is ever used twice under a key); a new file gets a new
// random nonce. Binding the header, the index and the final flag into every tag detects
// altered bytes, reordered or dropped records, records spliced in from another file, and
// truncation at a record boundary (the last record must authenticate as final).
// A file cut by a crash has no final record: SealedReader::Open(kAcceptTruncated) keeps
// every record that authenticates and ignores a torn tail (crash recovery).
//
// Threads: one thread per writer / reader object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/result.h"

namespace kronika::media {

inline constexpr size_t kSealKeyBytes = 32;
inline constexpr char kSealedMagic[] = "KENC0002";
inline constexpr size_t kSealedHeaderBytes = 24;
inline constexpr size_t kSealedRecordOverheadBytes = 4 + 16;  // length + GCM tag
// Largest record a writer produces and a reader accepts (bounds memory on hostile files).
inline constexpr uint32_t kSealedMaxRecordBytes = 1u << 20;
// Ciphertext a SealedWriter holds while its key is not durable: 4 MiB is 17 minutes of the
// default 32 kbit/s stereo Opus, where a key takes ~16 ms (SealedWriter).
inline constexpr size_t kSealedMaxHeldBytes = 4u << 20;

// The data key of a recording (crash recovery of sealed .part files); errors when the key
// is unavailable (no master key, shredded).
using AtRestKeyLookup = std::function<Result<std::string>(const std::string& recording_id)>;

// True when `first_bytes` (a file's beginning) is a KENC0002 header magic.
bool HasSealedMagic(std::string_view first_bytes);

// Whether the data key of the file being written is durable (true), not yet (false), or
// will not be (an error naming why). Called on the writer's thread; must not block.
using KeyStoredGate = std::function<Result<bool>()>;

// Writes sealed records to a file descriptor it does not own (the caller closes it).
//
// With a KeyStoredGate (issue 13 item 4: the data key's file is written and fsynced on
// another thread after the recording starts), no byte reaches the file before the gate
// says the key is durable: the header and the records sealed until then are held in memory
// (ciphertext only) and written, in order, by the first Seal() after it opens. So a crash
// can never leave audio on disk without the key that decrypts it. Exceptions, by design:
// Finish() writes what it holds even if the gate is still closed (a call that ended within
// the key's fsync, ~16 ms: the writer's thread cannot wait, and losing the call would be
// worse; its fsync comes later, on the file finisher), and an error from the gate fails the
// writer (500 naming the gate's reason) rather than write a file nobody could decrypt.
// At most kSealedMaxHeldBytes are held; more is an error (the key never became durable).
class SealedWriter {
 public:
  // Starts a fresh header (new random nonce) at the fd's current offset (normally 0),
  // written at once without `gate`, else when it opens (above).
  // Errors: 400 key not 32 bytes, 500 "media: write <path>: <strerror>", the gate's error.
  static Result<std::unique_ptr<SealedWriter>> Start(int fd, std::string_view key,
                                                     std::filesystem::path path_for_errors,
                                                     KeyStoredGate gate = {});
  ~SealedWriter();  // wipes the key and any buffered plaintext
  SealedWriter(const SealedWriter&) = delete;
  SealedWriter& operator=(const SealedWriter&) = delete;

  // Buffers plaintext; seals a record by itself when kSealedMaxRecordBytes are buffered.
  Status Append(const void* data, size_t size);
  // Seals the buffered bytes as one (non-final) record and writes it; no-op when empty.
  Status Seal();
  // Seals what is buffered (possibly nothing) as the final record. No writes after it.
  Status Finish();

  // Header included; bytes held for the gate count (the file has them once it opens).
  uint64_t bytes_written() const { return bytes_written_; }
  bool holding() const { return !held_.empty(); }  // bytes wait for the key gate
  uint64_t records() const { return index_; }

 private:
  SealedWriter() = default;
  Status SealRecord(bool final);
  // Writes `bytes` after anything held, or holds them while the gate is closed (`force`:
  // write even then, Finish()).
  Status Emit(std::string bytes, bool force);

  int fd_ = -1;
  KeyStoredGate gate_;  // cleared once the key is durable
  std::string held_;    // ciphertext waiting for the gate
  std::filesystem::path path_;
  std::string key_;
  std::string header_;
  std::string buffer_;
  uint64_t index_ = 0;
  uint64_t bytes_written_ = 0;
  bool finished_ = false;
  bool failed_ = false;
};

// Random access to the plaintext of a sealed file.
class SealedReader {
 public:
  enum class Tail {
    kRequireFinal,     // a finished file: the last record must be the final one (else
                       // kPermissionDenied)
    kAcceptTruncated,  // crash recovery: keep the records that authenticate, stop at the
                       // first one that does not (torn or missing tail)
  };
  // Errors: kIo unreadable, kInvalidInput a key that is not 32 bytes, kCorrupt not KENC0002,
  // kPermissionDenied "decrypt: ..." when the key is wrong or the file is altered/truncated
  // (kRequireFinal checks the final record here).
  static Result<std::unique_ptr<SealedReader>> Open(const std::filesystem::path& path,
                                                    std::string_view key,
                                                    Tail tail = Tail::kRequireFinal);
  ~SealedReader();
  SealedReader(const SealedReader&) = delete;
  SealedReader& operator=(const SealedReader&) = delete;

  uint64_t size() const { return plaintext_bytes_; }  // plaintext bytes readable
  bool finished() const { return finished_; }         // the final record is present
  size_t records() const { return records_.size(); }
  // Plaintext [offset, offset+length) clipped to size(). kPermissionDenied when a record
  // does not authenticate (altered file, wrong key).
  Result<std::string> Read(uint64_t offset, uint64_t length);

 private:
  struct Record {
    uint64_t file_offset = 0;   // of its length field
    uint64_t plain_offset = 0;  // of its first plaintext byte
    uint32_t length = 0;
  };
  SealedReader() = default;
  Result<std::string> OpenRecord(size_t i, bool final) const;

  int fd_ = -1;
  std::filesystem::path path_;
  std::string key_;
  std::string header_;
  std::vector<Record> records_;
  uint64_t plaintext_bytes_ = 0;
  bool finished_ = false;
  size_t cached_index_ = SIZE_MAX;  // last record decrypted (sequential range reads)
  std::string cached_;
};

}  // namespace kronika::media
