#include "recording_recovery.h"

#include <fcntl.h>
#include <ogg/ogg.h>
#include <openssl/crypto.h>
#include <opus/opus.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <system_error>

namespace kronika::media {
namespace {

constexpr size_t kOpusHeadMinBytes = 19;

Error RecoverError(ErrorCode code, const std::filesystem::path& path, const std::string& why) {
  return MakeError(code, "media: recover " + path.string() + ": " + why);
}

// All complete packets of all complete pages of `bytes`, in order (libogg does the
// framing and CRC checks; a torn or corrupt tail simply yields no more packets).
std::vector<std::vector<unsigned char>> ReadPackets(const std::string& bytes, uint32_t* serial) {
  std::vector<std::vector<unsigned char>> packets;
  ogg_sync_state sync;
  ogg_sync_init(&sync);
  if (!bytes.empty()) {  // an empty file (or sealed file with no readable record) has no pages
    char* buffer = ogg_sync_buffer(&sync, static_cast<long>(bytes.size()));
    std::memcpy(buffer, bytes.data(), bytes.size());
    ogg_sync_wrote(&sync, static_cast<long>(bytes.size()));
  }
  ogg_stream_state stream;
  bool stream_open = false;
  ogg_page page;
  bool hole = false;
  while (!hole) {
    const int got = ogg_sync_pageout(&sync, &page);
    if (got == 0) break;         // no more complete pages
    if (got < 0) continue;       // skipped garbage
    if (!stream_open) {
      *serial = static_cast<uint32_t>(ogg_page_serialno(&page));
      ogg_stream_init(&stream, ogg_page_serialno(&page));
      stream_open = true;
    }
    if (static_cast<uint32_t>(ogg_page_serialno(&page)) != *serial) continue;
    if (ogg_stream_pagein(&stream, &page) != 0) break;
    ogg_packet op;
    for (;;) {
      const int r = ogg_stream_packetout(&stream, &op);
      if (r == 0) break;
      if (r < 0) { hole = true; break; }  // lost data: keep what precedes it
      packets.emplace_back(op.packet, op.packet + op.bytes);
    }
  }
  if (stream_open) ogg_stream_clear(&stream);
  ogg_sync_clear(&sync);
  return packets;
}

Status WriteAllFd(int fd, const unsigned char* data, long size) {
  while (size > 0) {
    const ssize_t n = write(fd, data, static_cast<size_t>(size));
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kIo, std::strerror(errno));
    }
    data += n;
    size -= n;
  }
  return OkStatus();
}

}  // namespace

Result<RecoveredFile> RecoverPartFile(const std::filesystem::path& part_path, const AtRestKeyLookup& keys) {
  const std::string name = part_path.filename().string();
  const size_t suffix_len = std::strlen(kPartSuffix);
  if (name.size() <= suffix_len || name.compare(name.size() - suffix_len, suffix_len, kPartSuffix) != 0) {
    return RecoverError(ErrorCode::kInvalidInput, part_path, "not a .opus.part file");
  }
  RecoveredFile out;
  out.recording_id = name.substr(0, name.size() - suffix_len);
  out.file = part_path.parent_path() / (out.recording_id + ".opus");

  std::ifstream in(part_path, std::ios::binary);
  if (!in) return RecoverError(ErrorCode::kIo, part_path, std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Nothing was ever written: a sealed recording cut before its data key was durable (its
  // writer holds every byte until then, sealed_file.h), or one cut before its first write.
  if (bytes.empty()) return RecoverError(ErrorCode::kCorrupt, part_path, "no complete audio page");
  std::string key;  // SEC-1: set when the .part is sealed
  if (HasSealedMagic(bytes)) {
    if (!keys) {
      return RecoverError(ErrorCode::kUnavailable, part_path,
                          "sealed file but no data keys (master key not configured?)");
    }
    Result<std::string> k = keys(out.recording_id);
    if (!k.ok())
      return RecoverError(k.error().code, part_path, "no data key: " + k.error().message);
    key = std::move(*k);
    auto reader = SealedReader::Open(part_path, key, SealedReader::Tail::kAcceptTruncated);
    if (!reader.ok()) return RecoverError(reader.error().code, part_path, reader.error().message);
    Result<std::string> plain = (*reader)->Read(0, (*reader)->size());
    if (!plain.ok()) return RecoverError(plain.error().code, part_path, plain.error().message);
    bytes = std::move(*plain);  // in memory only
    out.sealed = true;
    out.file = part_path.parent_path() / (out.recording_id + ".opus.kenc");
  }
  uint32_t serial = 0;
  const std::vector<std::vector<unsigned char>> packets = ReadPackets(bytes, &serial);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  if (packets.size() < 2 || packets[0].size() < kOpusHeadMinBytes ||
      std::memcmp(packets[0].data(), "OpusHead", 8) != 0 || packets[1].size() < 8 ||
      std::memcmp(packets[1].data(), "OpusTags", 8) != 0) {
    return RecoverError(ErrorCode::kCorrupt, part_path, "no Ogg Opus headers");
  }
  if (packets.size() < 3)
    return RecoverError(ErrorCode::kCorrupt, part_path, "no complete audio page");
  const int64_t pre_skip = packets[0][10] | (packets[0][11] << 8);

  const std::filesystem::path tmp = out.file.string() + ".recovering";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return RecoverError(ErrorCode::kIo, tmp, std::strerror(errno));
  std::unique_ptr<SealedWriter> sealer;
  if (out.sealed) {  // a new file, so a new nonce: no IV of the .part is reused
    auto started = SealedWriter::Start(fd, key, tmp);
    OPENSSL_cleanse(key.data(), key.size());
    if (!started.ok()) {
      close(fd);
      unlink(tmp.c_str());
      return RecoverError(started.error().code, tmp, started.error().message);
    }
    sealer = std::move(started.value());
  }
  auto emit = [&](const unsigned char* data, long size) {
    return sealer ? sealer->Append(data, static_cast<size_t>(size)) : WriteAllFd(fd, data, size);
  };
  ogg_stream_state os;
  ogg_stream_init(&os, static_cast<int>(serial));
  int64_t granule = 0;
  Status status = OkStatus();
  for (size_t i = 0; i < packets.size() && status.ok(); ++i) {
    const std::vector<unsigned char>& p = packets[i];
    ogg_packet op{};
    op.packet = const_cast<unsigned char*>(p.data());
    op.bytes = static_cast<long>(p.size());
    op.b_o_s = i == 0;
    op.e_o_s = i + 1 == packets.size();
    op.packetno = static_cast<int64_t>(i);
    if (i >= 2) {
      const int samples = opus_packet_get_nb_samples(p.data(), static_cast<opus_int32>(p.size()), 48000);
      if (samples > 0) granule += samples;
      op.granulepos = granule;
    }
    ogg_stream_packetin(&os, &op);
    ogg_page page;
    // Headers on pages of their own; audio in normal pages, the last one flushed.
    while (status.ok() && (i < 2 || op.e_o_s ? ogg_stream_flush(&os, &page) : ogg_stream_pageout(&os, &page))) {
      status = emit(page.header, page.header_len);
      if (status.ok()) status = emit(page.body, page.body_len);
    }
  }
  ogg_stream_clear(&os);
  if (status.ok() && sealer) status = sealer->Finish();
  if (status.ok() && fsync(fd) != 0) status = MakeError(ErrorCode::kIo, std::strerror(errno));
  close(fd);
  if (!status.ok()) {
    unlink(tmp.c_str());
    return RecoverError(status.error().code, tmp, status.error().message);
  }
  if (rename(tmp.c_str(), out.file.c_str()) != 0)
    return RecoverError(ErrorCode::kIo, out.file, std::strerror(errno));
  unlink(part_path.c_str());
  const int dir = open(part_path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  out.duration_s = static_cast<double>(std::max<int64_t>(0, granule - pre_skip)) / 48000.0;
  std::error_code size_error;
  out.file_bytes = std::filesystem::file_size(out.file, size_error);
  if (size_error) out.file_bytes = 0;
  return out;
}

Result<RecoveredFile> SalvagePartFile(const std::filesystem::path& part_path, const AtRestKeyLookup& keys) {
  const std::string name = part_path.filename().string();
  const size_t suffix_len = std::strlen(kPartSuffix);
  if (name.size() <= suffix_len || name.compare(name.size() - suffix_len, suffix_len, kPartSuffix) != 0) {
    return RecoverError(ErrorCode::kInvalidInput, part_path, "not a .opus.part file");
  }
  std::string bytes;
  {
    std::ifstream in(part_path, std::ios::binary);
    if (!in) return RecoverError(ErrorCode::kIo, part_path, std::strerror(errno));
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // SEC-1: records cannot be cut in place; the sealed repair writes a new file.
  if (HasSealedMagic(bytes)) return RecoverPartFile(part_path, keys);

  RecoveredFile out;
  out.recording_id = name.substr(0, name.size() - suffix_len);
  out.file = part_path.parent_path() / (out.recording_id + ".opus");
  // Walk the complete pages; remember the last audio page on which a packet ends (a page
  // whose last lacing value is 255 continues its packet on the next, perhaps torn, page).
  struct PageSpan {
    long start = 0;
    long end = 0;
    long header_len = 0;
    int64_t granule = 0;
  };
  std::optional<PageSpan> last_audio;
  int64_t pre_skip = -1;
  int pages = 0;
  ogg_sync_state sync;
  ogg_sync_init(&sync);
  if (!bytes.empty()) {
    char* buffer = ogg_sync_buffer(&sync, static_cast<long>(bytes.size()));
    std::memcpy(buffer, bytes.data(), bytes.size());
    ogg_sync_wrote(&sync, static_cast<long>(bytes.size()));
  }
  long offset = 0;
  ogg_page page;
  for (;;) {
    const long n = ogg_sync_pageseek(&sync, &page);
    if (n <= 0) break;  // 0: a torn tail; < 0: garbage, nothing after it is trusted
    const long start = offset;
    offset += n;
    if (++pages == 1) {
      if (page.body_len >= static_cast<long>(kOpusHeadMinBytes) && std::memcmp(page.body, "OpusHead", 8) == 0) {
        pre_skip = page.body[10] | (page.body[11] << 8);
      }
      continue;
    }
    if (pages == 2) continue;  // OpusTags
    const int segments = page.header[26];
    if (segments == 0 || page.header[27 + segments - 1] == 255 || ogg_page_granulepos(&page) < 0) continue;
    last_audio = PageSpan{start, offset, page.header_len, ogg_page_granulepos(&page)};
  }
  ogg_sync_clear(&sync);
  if (pre_skip < 0) return RecoverError(ErrorCode::kCorrupt, part_path, "no Ogg Opus headers");
  if (!last_audio) return RecoverError(ErrorCode::kCorrupt, part_path, "no complete audio page");

  // Cutting and rewriting one page header within the file never needs a new block.
  std::string last_page = bytes.substr(static_cast<size_t>(last_audio->start),
                                       static_cast<size_t>(last_audio->end - last_audio->start));
  ogg_page eos{};
  eos.header = reinterpret_cast<unsigned char*>(last_page.data());
  eos.header_len = last_audio->header_len;
  eos.body = eos.header + eos.header_len;
  eos.body_len = static_cast<long>(last_page.size()) - eos.header_len;
  eos.header[5] |= 0x04;  // end of stream (RFC 3533 section 6)
  ogg_page_checksum_set(&eos);
  const int fd = open(part_path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return RecoverError(ErrorCode::kIo, part_path, std::strerror(errno));
  Status status = OkStatus();
  if (ftruncate(fd, last_audio->end) != 0 ||
      pwrite(fd, eos.header, static_cast<size_t>(eos.header_len), last_audio->start) != eos.header_len ||
      fsync(fd) != 0) {
    status = MakeError(ErrorCode::kIo, std::strerror(errno));
  }
  close(fd);
  if (!status.ok()) return RecoverError(ErrorCode::kIo, part_path, status.error().message);
  if (rename(part_path.c_str(), out.file.c_str()) != 0)
    return RecoverError(ErrorCode::kIo, out.file, std::strerror(errno));
  const int dir = open(part_path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  out.duration_s = static_cast<double>(std::max<int64_t>(0, last_audio->granule - pre_skip)) / 48000.0;
  out.file_bytes = static_cast<uint64_t>(last_audio->end);
  return out;
}

RecoveryReport RecoverAll(const std::filesystem::path& recordings_dir, const AtRestKeyLookup& keys) {
  RecoveryReport out;
  std::error_code ec;
  std::vector<std::filesystem::path> parts;
  for (auto it = std::filesystem::recursive_directory_iterator(recordings_dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_regular_file(ec) && name.size() > std::strlen(kPartSuffix) &&
        name.ends_with(kPartSuffix)) {
      parts.push_back(it->path());
    }
  }
  for (const auto& part : parts) {
    Result<RecoveredFile> r = RecoverPartFile(part, keys);
    if (r.ok()) {
      out.repaired.push_back(std::move(r.value()));
    } else if (r.error().message.ends_with("no complete audio page") && std::filesystem::remove(part, ec)) {
      const std::string name = part.filename().string();
      out.discarded_ids.push_back(name.substr(0, name.size() - std::strlen(kPartSuffix)));
    }
  }
  return out;
}

}  // namespace kronika::media
