// Encryption at rest, crypto-shredding and key rotation (SEC-1, RET-3).
#include "kronika/srs/atrest/crypto.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>
#include <fstream>
#include <sstream>

#include "kronika/srs/atrest/recording_keys.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::TempDir;

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteAll(const std::filesystem::path& p, const std::string& data) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
  return s;
}

TEST_CASE("hex and base64 are OpenSSL's, in the forms stored on disk (lower-case hex)", "[access]") {
  CHECK(HexEncode(std::string("\x00\x01\xab\xff", 4)) == "0001abff");
  CHECK(HexEncode("").empty());
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(*HexDecode("0001abff") == std::string("\x00\x01\xab\xff", 4));
  CHECK(*HexDecode("0001ABFF") == std::string("\x00\x01\xab\xff", 4));
  CHECK(HexDecode("").value().empty());
  const std::string bytes = Pattern(1000);
  CHECK(*HexDecode(HexEncode(bytes)) == bytes);
  CHECK(HexDecode("abc").error().message == "hex: odd length");
  CHECK(HexDecode("zz").error().message == "hex: not a hex digit");
  CHECK(HexDecode(std::string("a\0", 2)).error().code == ErrorCode::kInvalidInput);
  CHECK(Base64Encode("any carnal pleas") == "YW55IGNhcm5hbCBwbGVhcw==");
}

TEST_CASE("SEC-1 kenc round trip decrypts any byte range, across chunk boundaries",
          "[access][SEC-1]") {
  TempDir dir;
  const std::string plain = Pattern(3 * kKencChunkBytes + 1234);
  WriteAll(dir.path() / "a.opus", plain);
  const std::string dek = RandomBytes(kAesKeyBytes);
  REQUIRE(EncryptFile(dir.path() / "a.opus", dir.path() / "a.opus.kenc", dek).ok());
  const std::string enc = ReadAll(dir.path() / "a.opus.kenc");
  CHECK(enc.find(plain.substr(1000, 64)) == std::string::npos);  // no plaintext run survives
  auto reader = DecryptingReader::Open(dir.path() / "a.opus.kenc", dek);
  REQUIRE(reader.ok());
  CHECK((*reader)->size() == plain.size());
  CHECK(*(*reader)->Read(0, plain.size()) == plain);
  CHECK(*(*reader)->Read(kKencChunkBytes - 10, 20) == plain.substr(kKencChunkBytes - 10, 20));
  CHECK(*(*reader)->Read(plain.size() - 5, 100) == plain.substr(plain.size() - 5));
  CHECK((*reader)->Read(plain.size() + 10, 5)->empty());
}

TEST_CASE("SEC-1 a flipped byte or a wrong key fails authentication", "[access][SEC-1]") {
  TempDir dir;
  const std::string plain = Pattern(2 * kKencChunkBytes);
  WriteAll(dir.path() / "a.opus", plain);
  const std::string dek = RandomBytes(kAesKeyBytes);
  REQUIRE(EncryptFile(dir.path() / "a.opus", dir.path() / "a.opus.kenc", dek).ok());
  CHECK_FALSE(DecryptingReader::Open(dir.path() / "a.opus.kenc", RandomBytes(kAesKeyBytes)).ok());
  std::string enc = ReadAll(dir.path() / "a.opus.kenc");
  enc[kKencHeaderBytes + kKencChunkBytes + 100] ^= 1;  // inside chunk 1
  WriteAll(dir.path() / "b.kenc", enc);
  auto reader = DecryptingReader::Open(dir.path() / "b.kenc", dek);
  REQUIRE(reader.ok());  // chunk 0 is fine
  CHECK((*reader)->Read(0, 10).ok());
  auto bad = (*reader)->Read(kKencChunkBytes + 5, 10);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kPermissionDenied);
  // Truncation (last chunk removed) is detected too.
  std::string cut = ReadAll(dir.path() / "a.opus.kenc");
  cut.resize(cut.size() - 100);
  WriteAll(dir.path() / "c.kenc", cut);
  auto truncated = DecryptingReader::Open(dir.path() / "c.kenc", dek);
  REQUIRE(truncated.ok());
  CHECK_FALSE((*truncated)->Read(0, plain.size()).ok());
}

TEST_CASE("RET-3 EncryptFinishedRecording leaves no plaintext and playback decrypts on the fly",
          "[access][RET-3][SEC-1]") {
  TempDir dir;
  const auto rec = dir.path() / "recordings/2026/11/25/REC1.opus";
  const std::string audio = "OggS" + Pattern(100000);
  WriteAll(rec, audio);
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), RandomBytes(kAesKeyBytes));
  REQUIRE(EncryptFinishedRecording(keys, "REC1", rec).ok());
  CHECK_FALSE(std::filesystem::exists(rec));
  CHECK(std::filesystem::exists(EncryptedPathOf(rec)));
  uint64_t total = 0;
  auto part = ReadRecordingAudio(&keys, "REC1", rec, 4, 1000, total);
  REQUIRE(part.ok());
  CHECK(total == audio.size());
  CHECK(*part == audio.substr(4, 1000));
  // Idempotent: a second pass changes nothing.
  CHECK(EncryptFinishedRecording(keys, "REC1", rec).ok());
  CHECK_FALSE(std::filesystem::exists(rec));
  CHECK(ReadRecordingAudio(&keys, "REC1", rec, 0, 10, total).ok());
}

TEST_CASE("RET-3 a shredded recording cannot be decrypted with any key left on disk",
          "[access][RET-3]") {
  TempDir dir;
  const std::string kek = RandomBytes(kAesKeyBytes);
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), kek);
  std::vector<std::filesystem::path> files;
  for (const char* id : {"REC1", "REC2", "REC3"}) {
    const auto p = dir.path() / "recordings" / (std::string(id) + ".opus");
    WriteAll(p, "OggS" + Pattern(5000));
    REQUIRE(EncryptFinishedRecording(keys, id, p).ok());
    files.push_back(p);
  }
  const std::string dek2 = *keys.Get("REC2");
  const std::string backup = ReadAll(EncryptedPathOf(files[1]));  // e.g. last night's backup copy
  REQUIRE(keys.Shred("REC2").ok());
  CHECK_FALSE(keys.Get("REC2").ok());
  WriteAll(dir.path() / "backup.kenc", backup);
  // Try every key file still on disk, unwrapped with the master key, against the backup.
  size_t tried = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (entry.path().extension() != ".dek") continue;
    auto dek = keys.Get(entry.path().stem().string());
    REQUIRE(dek.ok());
    ++tried;
    CHECK_FALSE(DecryptingReader::Open(dir.path() / "backup.kenc", *dek).ok());
  }
  CHECK(tried == 2);
  // And the raw data key is nowhere in the data directory.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (entry.is_regular_file()) CHECK(ReadAll(entry.path()).find(dek2) == std::string::npos);
  }
}

TEST_CASE("SEC-1 key rotation rewraps every data key and the old master key no longer opens them",
          "[access][SEC-1]") {
  TempDir dir;
  const std::string old_kek = RandomBytes(kAesKeyBytes), new_kek = RandomBytes(kAesKeyBytes);
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), old_kek);
  const auto p = dir.path() / "recordings/R1.opus";
  WriteAll(p, "OggS" + Pattern(9000));
  REQUIRE(EncryptFinishedRecording(keys, "R1", p).ok());
  REQUIRE(keys.Create("R2").ok());
  auto n = keys.Rotate(new_kek);
  REQUIRE(n.ok());
  CHECK(*n == 2);
  RecordingKeys with_new(RecordingKeys::DefaultDir(dir.path()), new_kek);
  RecordingKeys with_old(RecordingKeys::DefaultDir(dir.path()), old_kek);
  uint64_t total = 0;
  CHECK(ReadRecordingAudio(&with_new, "R1", p, 0, 4, total).ok());
  auto refused = with_old.Get("R1");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kPermissionDenied);
  // A resumed rotation skips keys already under the new master key.
  auto again = with_old.Rotate(new_kek);
  REQUIRE(again.ok());
  CHECK(*again == 0);
}

TEST_CASE("SEC-1 a key created while Rotate() runs ends up wrapped by the new master key (issue 15 item 5)",
          "[access][SEC-1]") {
  TempDir dir;
  const std::string old_kek = RandomBytes(kAesKeyBytes), new_kek = RandomBytes(kAesKeyBytes);
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), old_kek);
  for (int i = 0; i < 100; ++i) REQUIRE(keys.Create("OLD" + std::to_string(i)).ok());
  std::atomic<bool> rotated{false};
  std::atomic<int> created{0};
  std::vector<std::string> deks;  // written by the creator thread only; read after join
  std::thread creator([&] {
    // Keeps creating (as the SIP thread does during a call burst) until after the rotation.
    for (int i = 0; !rotated.load() || i < 10; ++i) {
      Result<std::string> dek = keys.Create("NEW" + std::to_string(i));
      if (!dek.ok()) break;
      deks.push_back(*dek);
      created.fetch_add(1);
    }
  });
  while (created.load() < 5) std::this_thread::yield();  // the creator is running
  Result<size_t> n = keys.Rotate(new_kek);
  rotated.store(true);
  creator.join();
  REQUIRE(n.ok());
  CHECK(*n >= 100);
  CHECK(keys.kek_id() == RecordingKeys::KekId(new_kek));
  // The new master key alone opens every key, whenever it was made; the old one none.
  RecordingKeys with_new(RecordingKeys::DefaultDir(dir.path()), new_kek);
  auto check = with_new.CheckWrapping(100000);
  REQUIRE(check.ok());
  CHECK(check->checked == 100 + deks.size());
  CHECK(check->foreign == 0);
  for (size_t i = 0; i < deks.size(); ++i) {
    Result<std::string> dek = with_new.Get("NEW" + std::to_string(i));
    REQUIRE(dek.ok());
    CHECK(*dek == deks[i]);
  }
  RecordingKeys with_old(RecordingKeys::DefaultDir(dir.path()), old_kek);
  CHECK(with_old.CheckWrapping(100000)->foreign == 100 + deks.size());
  // Nothing of the rotation is left in the keys directory.
  for (const auto& entry : std::filesystem::directory_iterator(RecordingKeys::DefaultDir(dir.path()))) {
    CHECK(entry.path().extension() == ".dek");
  }
}

TEST_CASE("SEC-1 Rotate() refuses a key under a third master key before changing anything, and Adopt() takes "
          "only a key that wraps every file (issue 15 item 5)",
          "[access][SEC-1]") {
  TempDir dir;
  const std::string a = RandomBytes(kAesKeyBytes), b = RandomBytes(kAesKeyBytes), c = RandomBytes(kAesKeyBytes);
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), a);
  REQUIRE(keys.Create("R1").ok());
  {
    RecordingKeys other(RecordingKeys::DefaultDir(dir.path()), c);
    REQUIRE(other.Create("R2").ok());
  }
  auto refused = keys.Rotate(b);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kPermissionDenied);
  CHECK_THAT(refused.error().message, Catch::Contains("R2") && Catch::Contains("nothing was changed"));
  CHECK(keys.kek_id() == RecordingKeys::KekId(a));
  REQUIRE(keys.Shred("R2").ok());
  // Another process rotates to B: this one adopts B, and refuses C (it opens nothing).
  {
    RecordingKeys offline(RecordingKeys::DefaultDir(dir.path()), a);
    REQUIRE(offline.Rotate(b).ok());
  }
  Status wrong = keys.Adopt(c);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().code == ErrorCode::kPermissionDenied);
  CHECK(keys.kek_id() == RecordingKeys::KekId(a));
  REQUIRE(keys.Adopt(b).ok());
  CHECK(keys.kek_id() == RecordingKeys::KekId(b));
  CHECK(keys.Get("R1").ok());
  CHECK(keys.Adopt(b).ok());  // already in use: nothing to do
}

TEST_CASE("SEC-1 CheckWrapping counts the keys another master key wraps (the daemon's start check)",
          "[access][SEC-1]") {
  TempDir dir;
  const std::string old_kek = RandomBytes(kAesKeyBytes), new_kek = RandomBytes(kAesKeyBytes);
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), old_kek);
  for (const char* id : {"R1", "R2", "R3"}) REQUIRE(keys.Create(id).ok());
  auto before = keys.CheckWrapping(100);
  REQUIRE(before.ok());
  CHECK(before->checked == 3);
  CHECK(before->foreign == 0);
  REQUIRE(keys.Rotate(new_kek).ok());
  // The operator still points at the old file after the rotation.
  RecordingKeys stale(RecordingKeys::DefaultDir(dir.path()), old_kek);
  auto after = stale.CheckWrapping(100);
  REQUIRE(after.ok());
  CHECK(after->foreign == 3);
  CHECK(after->first_foreign_id == "R1");
  CHECK(after->first_foreign_kek_id == RecordingKeys::KekId(new_kek));
  auto limited = stale.CheckWrapping(2);
  REQUIRE(limited.ok());
  CHECK(limited->checked == 2);
  RecordingKeys current(RecordingKeys::DefaultDir(dir.path()), new_kek);
  CHECK(current.CheckWrapping(100)->foreign == 0);
}

TEST_CASE("SEC-1 the master key file must not lie inside the data directory", "[access][SEC-1]") {
  TempDir dir;
  WriteAll(dir.path() / "data/master.key", std::string(64, 'a'));
  WriteAll(dir.path() / "keys/master.key", std::string(64, 'a') + "\n");
  CHECK_FALSE(LoadMasterKey(dir.path() / "data/master.key", dir.path() / "data").ok());
  auto ok = LoadMasterKey(dir.path() / "keys/master.key", dir.path() / "data");
  REQUIRE(ok.ok());
  CHECK(ok->size() == 32);
}

}  // namespace
}  // namespace kronika::srs

namespace kronika::srs {
namespace {

TEST_CASE("RET-3 ShredRecordingAtRest destroys key and ciphertext without the master key",
          "[access][RET-3]") {
  testing::TempDir dir;
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), RandomBytes(kAesKeyBytes));
  const auto p = dir.path() / "recordings/R9.opus";
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << "OggS-some-audio";
  REQUIRE(EncryptFinishedRecording(keys, "R9", p).ok());
  REQUIRE(keys.Has("R9"));
  REQUIRE(ShredRecordingAtRest(dir.path(), "R9", p).ok());
  CHECK_FALSE(keys.Has("R9"));
  CHECK_FALSE(std::filesystem::exists(EncryptedPathOf(p)));
  CHECK(ShredRecordingAtRest(dir.path(), "R9", p).ok());  // idempotent
}

}  // namespace
}  // namespace kronika::srs

// Recordings sealed while recorded (KENC0002, written by the media engine) go through the same
// read, shred and rotation paths as files encrypted after the fact.
#include <fcntl.h>
#include <unistd.h>

#include "kronika/media/sealed_file.h"

namespace kronika::srs {
namespace {

// Writes `plain` as the media engine would: sealed records of `record_bytes`, then final.
void WriteSealedRecording(const std::filesystem::path& plain_path, const std::string& dek, const std::string& plain,
                          size_t record_bytes) {
  const auto path = EncryptedPathOf(plain_path);
  std::filesystem::create_directories(path.parent_path());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  auto w = media::SealedWriter::Start(fd, dek, path);
  REQUIRE(w.ok());
  for (size_t at = 0; at < plain.size(); at += record_bytes) {
    const std::string chunk = plain.substr(at, record_bytes);
    REQUIRE((*w)->Append(chunk.data(), chunk.size()).ok());
    REQUIRE((*w)->Seal().ok());
  }
  REQUIRE((*w)->Finish().ok());
  ::close(fd);
}

TEST_CASE("SEC-1 a recording sealed while recorded plays any range, survives rotation, is shredded",
          "[access][SEC-1][RET-3]") {
  testing::TempDir dir;
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), RandomBytes(kAesKeyBytes));
  const auto rec = dir.path() / "recordings/2026/11/25/LIVE1.opus";
  auto dek = keys.Create("LIVE1");  // at session start
  REQUIRE(dek.ok());
  const std::string audio = "OggS" + Pattern(30000);
  WriteSealedRecording(rec, *dek, audio, 2048);
  CHECK(ReadAll(EncryptedPathOf(rec)).find("OggS") == std::string::npos);

  uint64_t total = 0;
  for (auto [from, len] : {std::pair<uint64_t, uint64_t>{0, 4}, {2040, 20}, {4095, 4098}, {29990, 100}}) {
    auto part = ReadRecordingAudio(&keys, "LIVE1", rec, from, len, total);
    REQUIRE(part.ok());
    CHECK(total == audio.size());
    CHECK(*part == audio.substr(from, len));
  }
  // The after-the-fact pass leaves a sealed recording alone (nothing plaintext to encrypt).
  CHECK(EncryptFinishedRecording(keys, "LIVE1", rec).ok());
  CHECK(ReadAll(EncryptedPathOf(rec)).substr(0, 8) == "KENC0002");
  CHECK(ReadRecordingAudio(&keys, "LIVE1", rec, 0, 4, total).value() == "OggS");

  // A truncated copy is refused, not served short.
  const std::string sealed = ReadAll(EncryptedPathOf(rec));
  WriteAll(dir.path() / "cut.kenc", sealed.substr(0, sealed.size() - 20));
  auto cut = DecryptingReader::Open(dir.path() / "cut.kenc", *dek);
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().code == ErrorCode::kPermissionDenied);

  // Rotation rewraps the key; the sealed file still plays under the new master key.
  const std::string new_kek = RandomBytes(kAesKeyBytes);
  REQUIRE(keys.Rotate(new_kek).ok());
  RecordingKeys rotated(RecordingKeys::DefaultDir(dir.path()), new_kek);
  CHECK(ReadRecordingAudio(&rotated, "LIVE1", rec, 100, 50, total).value() == audio.substr(100, 50));

  // Crypto-shredding: key and ciphertext gone, a saved copy no longer decrypts with any key.
  WriteAll(dir.path() / "backup.kenc", sealed);
  REQUIRE(ShredRecordingAtRest(dir.path(), "LIVE1", rec).ok());
  CHECK_FALSE(std::filesystem::exists(EncryptedPathOf(rec)));
  auto gone = ReadRecordingAudio(&rotated, "LIVE1", rec, 0, 4, total);
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == ErrorCode::kNotFound);
  CHECK_FALSE(rotated.Has("LIVE1"));
}

}  // namespace
}  // namespace kronika::srs
