// KENC0002 sealed stream (SEC-1): round trip, byte ranges across record boundaries, and
// detection of altered, truncated, reordered and spliced records.
#include "kronika/media/sealed_file.h"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

namespace kronika::media {
namespace {

const std::string kKey(32, '\x5a');
const std::string kOtherKey(32, '\x33');

std::filesystem::path TempFile(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("kronika_sealed_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::filesystem::remove(path);
  return path;
}

std::string Pattern(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteFile(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

// Writes `records` as one sealed record each; `finish` adds the final (empty) record.
void WriteSealed(const std::filesystem::path& path, const std::vector<std::string>& records, bool finish,
                 const std::string& key = kKey) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  auto w = SealedWriter::Start(fd, key, path);
  REQUIRE(w.ok());
  for (const auto& r : records) {
    REQUIRE((*w)->Append(r.data(), r.size()).ok());
    REQUIRE((*w)->Seal().ok());
  }
  if (finish) REQUIRE((*w)->Finish().ok());
  CHECK((*w)->bytes_written() == std::filesystem::file_size(path));
  ::close(fd);
}

// File offset of record `i` (walks the length fields like a reader would).
size_t RecordOffset(const std::string& file, size_t i) {
  size_t at = kSealedHeaderBytes;
  for (size_t k = 0; k < i; ++k) {
    const auto* p = reinterpret_cast<const unsigned char*>(file.data() + at);
    const size_t len = (size_t{p[0]} << 24) | (size_t{p[1]} << 16) | (size_t{p[2]} << 8) | p[3];
    at += kSealedRecordOverheadBytes + len;
  }
  return at;
}

TEST_CASE("Sealed stream: round trip and any byte range across record boundaries") {
  const auto path = TempFile("roundtrip.kenc");
  std::vector<std::string> records = {Pattern(1000, 1), Pattern(1, 2), Pattern(4096, 3), Pattern(2500, 4)};
  std::string plain;
  for (const auto& r : records) plain += r;
  WriteSealed(path, records, /*finish=*/true);

  const std::string on_disk = ReadFile(path);
  CHECK(on_disk.substr(0, 8) == "KENC0002");
  CHECK(on_disk.size() == kSealedHeaderBytes + 5 * kSealedRecordOverheadBytes + plain.size());
  CHECK(on_disk.find(plain.substr(2000, 32)) == std::string::npos);  // no plaintext on disk

  auto reader = SealedReader::Open(path, kKey);
  REQUIRE(reader.ok());
  CHECK((*reader)->finished());
  CHECK((*reader)->records() == 5);
  REQUIRE((*reader)->size() == plain.size());
  auto all = (*reader)->Read(0, UINT64_MAX);
  REQUIRE(all.ok());
  CHECK(*all == plain);
  // Ranges that start/end inside, at and across record boundaries (1000, 1001, 5097).
  std::mt19937 rng(7);
  for (int k = 0; k < 300; ++k) {
    const uint64_t from = rng() % (plain.size() + 10);
    const uint64_t len = rng() % 6000;
    auto part = (*reader)->Read(from, len);
    REQUIRE(part.ok());
    const std::string want = from >= plain.size() ? "" : plain.substr(from, len);
    REQUIRE(*part == want);
  }
  for (uint64_t edge : {999, 1000, 1001, 5096, 5097, 5098}) {
    auto part = (*reader)->Read(edge - 2, 4);
    REQUIRE(part.ok());
    CHECK(*part == plain.substr(edge - 2, 4));
  }
}

TEST_CASE("Sealed stream: an empty finished stream has size 0; a wrong key is refused") {
  const auto path = TempFile("empty.kenc");
  WriteSealed(path, {}, true);
  auto reader = SealedReader::Open(path, kKey);
  REQUIRE(reader.ok());
  CHECK((*reader)->size() == 0);
  CHECK((*reader)->Read(0, 100)->empty());

  const auto other = TempFile("wrongkey.kenc");
  WriteSealed(other, {"secret audio"}, true);
  auto wrong = SealedReader::Open(other, kOtherKey);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().code == ErrorCode::kPermissionDenied);
  CHECK_FALSE(SealedReader::Open(other, "short").ok());
}

TEST_CASE("Sealed stream: one altered byte in any record is detected when that record is read") {
  const auto path = TempFile("tamper.kenc");
  WriteSealed(path, {Pattern(500, 1), Pattern(500, 2), Pattern(500, 3)}, true);
  const std::string good = ReadFile(path);
  for (size_t record = 0; record < 3; ++record) {
    std::string bad = good;
    bad[RecordOffset(good, record) + kSealedRecordOverheadBytes + 100] ^= 0x01;
    WriteFile(path, bad);
    auto reader = SealedReader::Open(path, kKey);
    REQUIRE(reader.ok());  // only the last (final) record is checked at open
    auto before = (*reader)->Read(0, record * 500);
    CHECK(before.ok());  // records before the damage still read
    auto read = (*reader)->Read(record * 500, 500);
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().code == ErrorCode::kPermissionDenied);
  }
  std::string bad_header = good;
  bad_header[10] ^= 0x01;  // the file nonce: every IV and AAD changes
  WriteFile(path, bad_header);
  CHECK_FALSE(SealedReader::Open(path, kKey).ok());
}

TEST_CASE("Sealed stream: truncation at a record boundary or inside a record is detected") {
  const auto path = TempFile("truncate.kenc");
  const std::vector<std::string> records = {Pattern(700, 1), Pattern(700, 2), Pattern(700, 3)};
  WriteSealed(path, records, true);
  const std::string good = ReadFile(path);

  // Drop the final (empty) record: every remaining record is intact, yet the file is short.
  WriteFile(path, good.substr(0, RecordOffset(good, 3)));
  auto cut = SealedReader::Open(path, kKey);
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().code == ErrorCode::kPermissionDenied);
  // Drop the last two records: the new last record does not authenticate as final.
  WriteFile(path, good.substr(0, RecordOffset(good, 2)));
  CHECK_FALSE(SealedReader::Open(path, kKey).ok());
  // Cut inside a record.
  WriteFile(path, good.substr(0, RecordOffset(good, 2) + 100));
  CHECK_FALSE(SealedReader::Open(path, kKey).ok());

  // Recovery mode keeps exactly the records that authenticate.
  auto recovered = SealedReader::Open(path, kKey, SealedReader::Tail::kAcceptTruncated);
  REQUIRE(recovered.ok());
  CHECK_FALSE((*recovered)->finished());
  REQUIRE((*recovered)->size() == 1400);
  CHECK(*(*recovered)->Read(0, 1400) == records[0] + records[1]);
  WriteFile(path, good);
  auto whole = SealedReader::Open(path, kKey, SealedReader::Tail::kAcceptTruncated);
  REQUIRE(whole.ok());
  CHECK((*whole)->finished());
  CHECK((*whole)->size() == 2100);
}

TEST_CASE("Sealed stream: reordered records and records spliced from another file are detected") {
  const auto path = TempFile("reorder.kenc");
  WriteSealed(path, {Pattern(300, 1), Pattern(300, 2), Pattern(300, 3)}, true);
  const std::string good = ReadFile(path);
  const size_t r0 = RecordOffset(good, 0), r1 = RecordOffset(good, 1), r2 = RecordOffset(good, 2);
  // Swap records 0 and 1 (same length, so the index walk still lines up).
  std::string swapped = good.substr(0, r0) + good.substr(r1, r2 - r1) + good.substr(r0, r1 - r0) + good.substr(r2);
  REQUIRE(swapped.size() == good.size());
  WriteFile(path, swapped);
  auto reader = SealedReader::Open(path, kKey);
  REQUIRE(reader.ok());
  CHECK_FALSE((*reader)->Read(0, 300).ok());
  CHECK_FALSE((*reader)->Read(300, 300).ok());

  // Same key, same record index, another file (another nonce): record 1 spliced in.
  const auto other = TempFile("splice-src.kenc");
  WriteSealed(other, {Pattern(300, 9), Pattern(300, 8), Pattern(300, 7)}, true);
  const std::string donor = ReadFile(other);
  std::string spliced = good.substr(0, r1) + donor.substr(r1, r2 - r1) + good.substr(r2);
  WriteFile(path, spliced);
  auto spliced_reader = SealedReader::Open(path, kKey);
  REQUIRE(spliced_reader.ok());
  CHECK((*spliced_reader)->Read(0, 300).ok());
  CHECK_FALSE((*spliced_reader)->Read(300, 300).ok());

  // A stream written by two writers never shares a nonce (fresh header each time).
  CHECK(good.substr(8, 12) != donor.substr(8, 12));
}

TEST_CASE("Sealed stream: large appends are split into records no larger than the maximum") {
  const auto path = TempFile("large.kenc");
  const std::string big = Pattern(kSealedMaxRecordBytes * 2 + 123, 5);
  WriteSealed(path, {big}, true);
  auto reader = SealedReader::Open(path, kKey);
  REQUIRE(reader.ok());
  CHECK((*reader)->records() == 4);  // 1 MiB, 1 MiB, 123 bytes, final
  CHECK(*(*reader)->Read(kSealedMaxRecordBytes - 5, 10) == big.substr(kSealedMaxRecordBytes - 5, 10));
  std::filesystem::remove_all(path.parent_path());
}

TEST_CASE("SEC-1 key gate: no sealed byte reaches the file before the data key is durable (issue 13 item 4)") {
  const auto path = TempFile("gated.kenc");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  Result<bool> stored = false;  // kr-keysync has not fsynced the key file yet
  auto w = SealedWriter::Start(fd, kKey, path, [&] { return stored; });
  REQUIRE(w.ok());
  const std::string first = Pattern(3000, 1), second = Pattern(500, 2), third = Pattern(700, 3);
  REQUIRE((*w)->Append(first.data(), first.size()).ok());
  REQUIRE((*w)->Seal().ok());
  CHECK(std::filesystem::file_size(path) == 0);  // header and record held in memory
  CHECK((*w)->holding());
  stored = true;  // the key is durable: the next flush writes everything, in order
  REQUIRE((*w)->Append(second.data(), second.size()).ok());
  REQUIRE((*w)->Seal().ok());
  CHECK_FALSE((*w)->holding());
  stored = MakeError(ErrorCode::kIo, "not asked again once open");
  REQUIRE((*w)->Append(third.data(), third.size()).ok());
  REQUIRE((*w)->Finish().ok());
  CHECK((*w)->bytes_written() == std::filesystem::file_size(path));
  ::close(fd);
  auto r = SealedReader::Open(path, kKey);
  REQUIRE(r.ok());
  CHECK(*(*r)->Read(0, 4200) == first + second + third);
}

TEST_CASE("SEC-1 key gate: a call that ends before its key is durable is still written whole") {
  const auto path = TempFile("gated-short.kenc");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  auto w = SealedWriter::Start(fd, kKey, path, [] { return Result<bool>(false); });
  REQUIRE(w.ok());
  const std::string audio = Pattern(900, 4);
  REQUIRE((*w)->Append(audio.data(), audio.size()).ok());
  REQUIRE((*w)->Seal().ok());
  CHECK(std::filesystem::file_size(path) == 0);
  REQUIRE((*w)->Finish().ok());  // the worker cannot wait; the finisher's fsync comes later
  ::close(fd);
  auto r = SealedReader::Open(path, kKey);
  REQUIRE(r.ok());
  CHECK(*(*r)->Read(0, 900) == audio);
}

TEST_CASE("SEC-1 key gate: a key file that could not be written fails the writer, nothing written") {
  const auto path = TempFile("gated-failed.kenc");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  Result<bool> stored = false;
  auto w = SealedWriter::Start(fd, kKey, path, [&] { return stored; });
  REQUIRE(w.ok());
  stored = MakeError(ErrorCode::kIo, "data key not stored: keys: write x.dek: No space left on device");
  const std::string audio = Pattern(100, 5);
  REQUIRE((*w)->Append(audio.data(), audio.size()).ok());
  Status sealed = (*w)->Seal();
  REQUIRE_FALSE(sealed.ok());
  CHECK(sealed.error().message.find("No space left") != std::string::npos);
  CHECK_FALSE((*w)->Finish().ok());
  ::close(fd);
  CHECK(std::filesystem::file_size(path) == 0);
}

}  // namespace
}  // namespace kronika::media
