#include "ogg_opus_writer.h"

#include "opus_frame_encoder.h"  // kOpusGranuleRateHz

#include <fcntl.h>
#include <ogg/ogg.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace kronika::media {
namespace {

void PutLe16(std::vector<unsigned char>& out, uint16_t v) {
  out.push_back(static_cast<unsigned char>(v & 0xff));
  out.push_back(static_cast<unsigned char>(v >> 8));
}
void PutLe32(std::vector<unsigned char>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<unsigned char>((v >> (8 * i)) & 0xff));
}
void PutBytes(std::vector<unsigned char>& out, std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }

// RFC 7845 section 5.1.
std::vector<unsigned char> OpusHead(const OggOpusHeader& h) {
  std::vector<unsigned char> out;
  PutBytes(out, "OpusHead");
  out.push_back(1);  // version
  out.push_back(static_cast<unsigned char>(h.channels));
  PutLe16(out, static_cast<uint16_t>(h.pre_skip_48k));
  PutLe32(out, static_cast<uint32_t>(h.input_rate_hz));
  PutLe16(out, 0);   // output gain
  if (!h.dual_mono) {
    out.push_back(0);  // channel mapping family 0: mono or L/R coupled stereo
    return out;
  }
  // Family 1 (§5.1.1.2), 2 channels: stream 0 -> left, stream 1 -> right, none coupled.
  out.push_back(1);  // channel mapping family
  out.push_back(2);  // stream count
  out.push_back(0);  // coupled stream count
  out.push_back(0);  // channel 0 (left) = stream 0
  out.push_back(1);  // channel 1 (right) = stream 1
  return out;
}

// RFC 7845 section 5.2.
std::vector<unsigned char> OpusTags(const OggOpusHeader& h) {
  std::vector<unsigned char> out;
  PutBytes(out, "OpusTags");
  PutLe32(out, static_cast<uint32_t>(std::strlen(kOpusVendor)));
  PutBytes(out, kOpusVendor);
  const std::string comment = "RECORDING_ID=" + h.recording_id;
  PutLe32(out, 1);
  PutLe32(out, static_cast<uint32_t>(comment.size()));
  PutBytes(out, comment);
  return out;
}

Error ErrnoError(const std::string& what, const std::filesystem::path& path, int err) {
  return MakeError(ErrorCode::kIo,
                   "media: " + what + " " + path.string() + ": " + std::strerror(err));
}

}  // namespace

struct OggOpusWriter::State {
  ogg_stream_state os{};
};

OggOpusWriter::OggOpusWriter() : state_(std::make_unique<State>()) {}

OggOpusWriter::~OggOpusWriter() {
  ogg_stream_clear(&state_->os);
  if (fd_ >= 0) close(fd_);
}

Result<std::unique_ptr<OggOpusWriter>> OggOpusWriter::Create(const std::filesystem::path& path,
                                                             const OggOpusHeader& header,
                                                             uint32_t serial,
                                                             std::string_view at_rest_key,
                                                             KeyStoredGate key_stored) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec)
    return MakeError(ErrorCode::kIo,
                     "media: cannot create " + path.parent_path().string() + ": " + ec.message());
  std::unique_ptr<OggOpusWriter> w(new OggOpusWriter());
  w->path_ = path;
  w->fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (w->fd_ < 0) return ErrnoError("cannot create", path, errno);
  if (!at_rest_key.empty()) {  // SEC-1: sealed from the first byte
    auto sealer = SealedWriter::Start(w->fd_, at_rest_key, path, std::move(key_stored));
    if (!sealer.ok()) return sealer.error();
    w->sealer_ = std::move(sealer.value());
  }
  ogg_stream_init(&w->state_->os, static_cast<int>(serial));
  w->pre_skip_ = header.pre_skip_48k;

  // Each header packet on a page of its own (RFC 7845 section 3).
  for (auto bytes : {OpusHead(header), OpusTags(header)}) {
    ogg_packet op{};
    op.packet = bytes.data();
    op.bytes = static_cast<long>(bytes.size());
    op.b_o_s = w->packet_no_ == 0 ? 1 : 0;
    op.granulepos = 0;
    op.packetno = w->packet_no_++;
    ogg_stream_packetin(&w->state_->os, &op);
    if (Status s = w->WritePages(/*force_flush=*/true); !s.ok()) return s.error();
  }
  return w;
}

Status OggOpusWriter::WriteAll(const unsigned char* data, long size) {
  if (sealer_) {
    Status s = sealer_->Append(data, static_cast<size_t>(size));
    if (!s.ok()) failed_ = true;
    return s;
  }
  while (size > 0) {
    const ssize_t n = write(fd_, data, static_cast<size_t>(size));
    if (n < 0) {
      if (errno == EINTR) continue;
      failed_ = true;
      return ErrnoError("write", path_, errno);
    }
    data += n;
    size -= n;
    bytes_written_ += static_cast<uint64_t>(n);
  }
  return OkStatus();
}

Status OggOpusWriter::WritePages(bool force_flush) {
  ogg_page page;
  for (;;) {
    const int got = force_flush ? ogg_stream_flush(&state_->os, &page) : ogg_stream_pageout(&state_->os, &page);
    if (got == 0) break;
    if (Status s = WriteAll(page.header, page.header_len); !s.ok()) return s;
    if (Status s = WriteAll(page.body, page.body_len); !s.ok()) return s;
    unflushed_samples_48k_ = 0;
  }
  if (!sealer_) return OkStatus();
  // The pages of this flush become one sealed record (the final one from Finish()).
  Status s = finishing_ ? sealer_->Finish() : sealer_->Seal();
  if (!s.ok()) failed_ = true;
  return s;
}

Status OggOpusWriter::SubmitPending(bool end_of_stream, int64_t final_granule) {
  granule_ += pending_samples_48k_;
  ogg_packet op{};
  op.packet = pending_.data();
  op.bytes = static_cast<long>(pending_.size());
  op.e_o_s = end_of_stream ? 1 : 0;
  op.granulepos = end_of_stream ? std::min(final_granule, granule_) : granule_;
  op.packetno = packet_no_++;
  ogg_stream_packetin(&state_->os, &op);
  has_pending_ = false;
  unflushed_samples_48k_ += pending_samples_48k_;
  const bool flush =
      end_of_stream || unflushed_samples_48k_ >= int64_t{kMaxUnflushedAudioMs} * kOpusGranuleRateHz / 1000;
  return WritePages(flush);
}

Status OggOpusWriter::WritePacket(const uint8_t* data, size_t size, int samples_48k) {
  if (failed_ || fd_ < 0)
    return MakeError(ErrorCode::kIo, "media: write " + path_.string() + ": writer stopped");
  if (has_pending_) {
    if (Status s = SubmitPending(false, 0); !s.ok()) return s;
  }
  pending_.assign(data, data + size);
  pending_samples_48k_ = samples_48k;
  has_pending_ = true;
  return OkStatus();
}

Status OggOpusWriter::Finish(int64_t audio_samples_48k) {
  if (failed_ || fd_ < 0)
    return MakeError(ErrorCode::kIo, "media: write " + path_.string() + ": writer stopped");
  if (!has_pending_)
    return MakeError(ErrorCode::kInternal, "media: write " + path_.string() + ": no audio packet");
  finishing_ = true;
  return SubmitPending(true, pre_skip_ + audio_samples_48k);
}

int OggOpusWriter::ReleaseFd() { return std::exchange(fd_, -1); }

Status CommitRecordingFile(int fd, const std::filesystem::path& part_path,
                           const std::filesystem::path& final_path) {
  if (fsync(fd) != 0) {
    const int err = errno;
    close(fd);
    return ErrnoError("commit", part_path, err);
  }
  close(fd);
  if (rename(part_path.c_str(), final_path.c_str()) != 0) return ErrnoError("commit", final_path, errno);
  const int dir = open(final_path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return OkStatus();
}

}  // namespace kronika::media
