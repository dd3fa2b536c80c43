// OggOpusWriter: one Ogg Opus file (RFC 7845) written with libogg as packets arrive.
//
// The writer produces the OpusHead (input rate = the native 8/16 kHz, pre-skip from the
// encoder lookahead) and OpusTags (vendor "kronika", RECORDING_ID=<id>) pages itself,
// then one audio packet per 20, 40 or 60 ms. Granule positions count 48 kHz samples. A page is
// written with write(2) at least every kMaxUnflushedAudioMs of audio, so a crash (kill -9,
// power loss after the page cache is written back) loses at most about half a second of
// what reached the writer, and under one second counted from the last RTP packet.
// The last packet is held back so that Finish() can mark it end-of-stream.
//
// Used by one thread (the recording's worker). Create/WritePacket/Finish do blocking
// write(2) calls into the page cache but never fsync; CommitRecordingFile does the fsync
// and rename and is meant for a thread that may block (the engine's finisher).
//
// Encryption at rest (SEC-1): given a data key, the writer seals its output instead of
// writing Ogg pages: the pages of each flush become one KENC0002 record (see
// kronika/media/sealed_file.h), the last one marked final by Finish(). No plaintext byte
// reaches the file; at most about half a second of pages is held in memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "kronika/media/sealed_file.h"
#include "kronika/result.h"

namespace kronika::media {

// Issue 12 item 5: kill -9 must lose <= 1 s of audio per call counted from the last RTP
// packet. Besides this much unwritten audio, the held-back packet (<= 60 ms), the reorder
// delay (60 ms) and the aligner's wait for a slower leg (kMaxAlignLagMs, 200 ms) are lost:
// 500 + 60 + 60 + 200 = 820 ms at worst. At 1000 ms, 4 of 50 calls lost more than 1 s.
// A page per half second costs ~30 bytes of page header, 0.05 % of a 48 kbit/s file.
inline constexpr int kMaxUnflushedAudioMs = 500;
inline constexpr char kOpusVendor[] = "kronika";

struct OggOpusHeader {
  int channels = 2;            // 1 or 2
  int input_rate_hz = 8000;    // informational OpusHead field: the native rate
  int pre_skip_48k = 0;        // encoder lookahead in 48 kHz samples
  std::string recording_id;    // stored as RECORDING_ID=<id> in OpusTags
  bool dual_mono = false;      // 2 channels as 2 mono streams: mapping family 1 (RFC 7845 §5.1.1.2)
};

class OggOpusWriter {
 public:
  // Creates the parent directories and `path` (must not exist), writes the two header
  // pages. `at_rest_key` (32 bytes) seals the file, "" writes plain Ogg; `key_stored`
  // (sealed only) holds the sealed bytes back until the key is durable (SealedWriter).
  // Errors: kIo "media: cannot create <path>: <strerror>", write errors, kInvalidInput bad
  // key size.
  static Result<std::unique_ptr<OggOpusWriter>> Create(const std::filesystem::path& path,
                                                       const OggOpusHeader& header, uint32_t serial,
                                                       std::string_view at_rest_key = {},
                                                       KeyStoredGate key_stored = {});
  ~OggOpusWriter();  // closes the fd if still owned (no EOS written: the file stays a .part)
  OggOpusWriter(const OggOpusWriter&) = delete;
  OggOpusWriter& operator=(const OggOpusWriter&) = delete;

  // Appends one Opus packet that decodes to `samples_48k` samples (960 for 20 ms).
  // Errors: kIo "media: write <path>: <strerror>"; the writer is unusable afterwards.
  Status WritePacket(const uint8_t* data, size_t size, int samples_48k);

  // Writes the held-back packet with the end-of-stream flag and flushes the last page.
  // `audio_samples_48k` is the real audio length: the final granule becomes pre-skip +
  // audio_samples_48k (RFC 7845 end trimming), so the decoded file is exactly that long
  // when the caller encoded at least pre-skip samples of padding after the audio.
  // Clamped to the audio submitted. The fd stays open for CommitRecordingFile.
  Status Finish(int64_t audio_samples_48k);

  // Hands the file descriptor to the caller (who must close it). -1 if already released.
  int ReleaseFd();

  const std::filesystem::path& path() const { return path_; }
  uint64_t bytes_written() const { return sealer_ ? sealer_->bytes_written() : bytes_written_; }
  int64_t packet_samples_48k() const { return granule_ + pending_samples_48k_; }  // all packets

 private:
  OggOpusWriter();
  Status SubmitPending(bool end_of_stream, int64_t final_granule);
  Status WritePages(bool force_flush);
  Status WriteAll(const unsigned char* data, long size);

  struct State;
  std::unique_ptr<State> state_;
  std::filesystem::path path_;
  int fd_ = -1;
  bool failed_ = false;
  int64_t pre_skip_ = 0;
  int64_t granule_ = 0;           // 48 kHz samples of the packets given to libogg
  int64_t packet_no_ = 0;
  int64_t unflushed_samples_48k_ = 0;
  uint64_t bytes_written_ = 0;
  std::vector<uint8_t> pending_;  // held-back packet
  int pending_samples_48k_ = 0;
  bool has_pending_ = false;
  std::unique_ptr<SealedWriter> sealer_;  // SEC-1: set when the file is sealed
  bool finishing_ = false;                // the next seal is the final record
};

// fsyncs and closes `fd`, renames `part_path` to `final_path`, fsyncs the directory.
// Blocking. Errors: kIo "media: commit <path>: <strerror>".
Status CommitRecordingFile(int fd, const std::filesystem::path& part_path,
                           const std::filesystem::path& final_path);

}  // namespace kronika::media
