// Encryption at rest while recording (SEC-1): with a data key the Ogg writer never puts a
// plaintext byte on disk, the sealed file decrypts to a correct Ogg Opus stream, and a
// sealed .part cut by a crash (or SIGKILL) is recovered into a sealed, finished file.
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "audio_test_util.h"
#include "media_test_util.h"
#include "kronika/media/media_engine.h"
#include "kronika/media/sealed_file.h"
#include "ogg_opus_writer.h"
#include "opus_frame_encoder.h"
#include "recording_recovery.h"
#include "rtp_test_sender.h"

namespace kronika::media {
namespace {

using testing::DecodeOpusFile;
using testing::DominantFrequency;
using testing::TempDir;
using testing::ToneSample;

const std::string kDek(32, '\x42');

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Decrypts a finished sealed file into `<path>.plain.opus` for libopusfile (test only).
std::filesystem::path DecryptToFile(const std::filesystem::path& sealed, const std::string& key = kDek) {
  auto reader = SealedReader::Open(sealed, key);
  REQUIRE(reader.ok());
  auto plain = (*reader)->Read(0, (*reader)->size());
  REQUIRE(plain.ok());
  const auto out = sealed.string() + ".plain.opus";
  std::ofstream(out, std::ios::binary) << *plain;
  return out;
}

// Writes `seconds` of 440 (left) / 1000 Hz (right); finishes the stream when `finish`.
std::unique_ptr<OggOpusWriter> WriteTones(const std::filesystem::path& path, const std::string& id, double seconds,
                                          bool finish) {
  auto enc = OpusFrameEncoder::Create(8000, 2, 16000, 0);
  REQUIRE(enc.ok());
  auto writer = OggOpusWriter::Create(path, {2, 8000, (*enc)->pre_skip_48k(), id}, 7, kDek);
  REQUIRE(writer.ok());
  std::vector<int16_t> pcm(320);
  std::vector<uint8_t> packet;
  int64_t n = 0;
  for (int f = 0; f < static_cast<int>(seconds * 50) + (finish ? 1 : 0); ++f) {
    for (int i = 0; i < 160; ++i, ++n) {
      pcm[static_cast<size_t>(2 * i)] = ToneSample(440, n, 8000);
      pcm[static_cast<size_t>(2 * i + 1)] = ToneSample(1000, n, 8000);
    }
    REQUIRE((*enc)->Encode(pcm.data(), packet).ok());
    REQUIRE((*writer)->WritePacket(packet.data(), packet.size(), 960).ok());
    if (f == 100) {  // mid-recording: every byte already on disk is sealed
      const std::string on_disk = ReadFile(path);
      CHECK(on_disk.substr(0, 8) == "KENC0002");
      CHECK(on_disk.find("OggS") == std::string::npos);
      CHECK(on_disk.find("OpusHead") == std::string::npos);
      CHECK(on_disk.find(id) == std::string::npos);  // the OpusTags RECORDING_ID
      auto part = SealedReader::Open(path, kDek, SealedReader::Tail::kAcceptTruncated);
      REQUIRE(part.ok());
      CHECK_FALSE((*part)->finished());
      CHECK((*part)->Read(0, 4).value() == "OggS");  // decrypts to Ogg
    }
  }
  if (finish) REQUIRE((*writer)->Finish(static_cast<int64_t>(seconds * 48000)).ok());
  return std::move(writer.value());
}

TEST_CASE("A sealed recording holds no plaintext on disk and decrypts to the right tones") {
  const auto dir = TempDir("write");
  const auto path = dir / "sealed-1.opus.part";
  auto writer = WriteTones(path, "sealed-1", 4.0, /*finish=*/true);
  CHECK(writer->bytes_written() == std::filesystem::file_size(path));
  const std::string on_disk = ReadFile(path);
  CHECK(on_disk.find("OggS") == std::string::npos);
  CHECK(on_disk.find("OpusTags") == std::string::npos);
  auto reader = SealedReader::Open(path, kDek);
  REQUIRE(reader.ok());
  CHECK((*reader)->finished());
  CHECK((*reader)->records() >= 5);  // headers + about one record per second of audio
  const auto audio = DecodeOpusFile(DecryptToFile(path));
  REQUIRE(audio.ok);
  CHECK(audio.recording_id_tag == "sealed-1");
  CHECK(audio.duration_s() == Approx(4.0).margin(0.001));
  CHECK(DominantFrequency(audio.Channel(0, 0.5, 3.5), {440, 1000}) == 440);
  CHECK(DominantFrequency(audio.Channel(1, 0.5, 3.5), {440, 1000}) == 1000);
  std::filesystem::remove_all(dir);
}

TEST_CASE("A sealed .part cut inside a record is recovered into a sealed finished file") {
  const auto dir = TempDir("cut");
  const auto part = dir / ("cut-1" + std::string(kPartSuffix));
  WriteTones(part, "cut-1", 5.0, /*finish=*/false).reset();  // closed without a final record
  std::filesystem::resize_file(part, std::filesystem::file_size(part) - 50);  // torn last record

  CHECK_FALSE(RecoverPartFile(part).ok());  // sealed, and no key lookup given
  CHECK(std::filesystem::exists(part));
  AtRestKeyLookup keys = [](const std::string& id) -> Result<std::string> {
    if (id == "cut-1") return kDek;
    return MakeError(ErrorCode::kNotFound, "no key");
  };
  auto recovered = RecoverPartFile(part, keys);
  REQUIRE(recovered.ok());
  CHECK(recovered->sealed);
  CHECK(recovered->file == dir / "cut-1.opus.kenc");
  CHECK_FALSE(std::filesystem::exists(part));
  CHECK_FALSE(std::filesystem::exists(dir / "cut-1.opus"));  // never plaintext
  CHECK(ReadFile(recovered->file).find("OggS") == std::string::npos);
  CHECK(recovered->duration_s > 2.9);
  CHECK(recovered->duration_s < 4.1);
  auto reader = SealedReader::Open(recovered->file, kDek);  // finished: final record present
  REQUIRE(reader.ok());
  const auto plain = DecryptToFile(recovered->file);
  const auto audio = DecodeOpusFile(plain);
  REQUIRE(audio.ok);
  CHECK(audio.duration_s() == Approx(recovered->duration_s).margin(0.001));
  CHECK(DominantFrequency(audio.Channel(0, 0.5, 2.5), {440, 1000}) == 440);
  CHECK(DominantFrequency(audio.Channel(1, 0.5, 2.5), {440, 1000}) == 1000);
  std::string info;
  CHECK(testing::OpusinfoAccepts(plain, &info));
  INFO(info);
  std::filesystem::remove_all(dir);
}

TEST_CASE("A sealed recording killed with SIGKILL is recovered, sealed and playable") {
  const MediaConfig config = testing::TestEngineConfig("kill9_sealed", 32300);
  const testing::RecorderProcess child = testing::ForkRecorder(config, "killed-sealed", kDek);
  REQUIRE(child.pid > 0);
  REQUIRE(child.ports[0] != 0);
  testing::SendTonePair(child.ports[0], child.ports[1], 150, 440, 1000);  // 3 s
  // During the call the .part on disk is sealed: no Ogg capture pattern, no headers.
  std::filesystem::path part;
  for (const auto& e : std::filesystem::recursive_directory_iterator(config.recordings_dir)) {
    if (e.path().filename() == "killed-sealed.opus.part") part = e.path();
  }
  REQUIRE_FALSE(part.empty());
  const std::string live = ReadFile(part);
  CHECK(live.substr(0, 8) == "KENC0002");
  CHECK(live.find("OggS") == std::string::npos);
  CHECK(live.size() > 2000);  // audio records already written

  REQUIRE(kill(child.pid, SIGKILL) == 0);
  int status = 0;
  REQUIRE(waitpid(child.pid, &status, 0) == child.pid);
  CHECK(WIFSIGNALED(status));

  const auto ids = MediaEngine::RecoverInterrupted(config, [](const std::string&) -> Result<std::string> {
    return kDek;
  });
  REQUIRE(ids.repaired.size() == 1);
  CHECK(ids.repaired[0].recording_id == "killed-sealed");
  CHECK(ids.repaired[0].file == part.parent_path() / "killed-sealed.opus");  // the plain name
  const auto file = part.parent_path() / "killed-sealed.opus.kenc";
  REQUIRE(std::filesystem::exists(file));
  CHECK(ids.repaired[0].file_bytes == std::filesystem::file_size(file));
  CHECK_FALSE(std::filesystem::exists(part));
  CHECK_FALSE(std::filesystem::exists(part.parent_path() / "killed-sealed.opus"));
  const auto audio = DecodeOpusFile(DecryptToFile(file));
  REQUIRE(audio.ok);
  CHECK(audio.duration_s() == Approx(ids.repaired[0].duration_s).margin(0.001));
  CHECK(audio.duration_s() >= 3.0 - 1.0 - 0.3);  // at most one flush period lost
  CHECK(audio.duration_s() <= 3.3);
  CHECK(DominantFrequency(audio.Channel(0, 0.3, 1.5), {440, 1000}) == 440);
  CHECK(DominantFrequency(audio.Channel(1, 0.3, 1.5), {440, 1000}) == 1000);
  std::filesystem::remove_all(config.recordings_dir);
}

TEST_CASE("A sealed recording killed before its data key is durable leaves no audio on disk (issue 13 item 4)") {
  MediaConfig config = testing::TestEngineConfig("kill9_key_pending", 34700);
  // kr-keysync never got to fsync the key file: the worker may not write a sealed byte.
  config.at_rest_key_stored = [](const std::string&) -> Result<bool> { return false; };
  const testing::RecorderProcess child = testing::ForkRecorder(config, "key-pending", kDek);
  REQUIRE(child.pid > 0);
  REQUIRE(child.ports[0] != 0);
  testing::SendTonePair(child.ports[0], child.ports[1], 75, 440, 1000);  // 1.5 s: three flushes held
  std::filesystem::path part;
  for (const auto& e : std::filesystem::recursive_directory_iterator(config.recordings_dir)) {
    if (e.path().filename() == "key-pending.opus.part") part = e.path();
  }
  REQUIRE_FALSE(part.empty());
  CHECK(std::filesystem::file_size(part) == 0);  // header and audio held in memory

  REQUIRE(kill(child.pid, SIGKILL) == 0);  // the crash between the INVITE and the key's fsync
  int status = 0;
  REQUIRE(waitpid(child.pid, &status, 0) == child.pid);
  CHECK(WIFSIGNALED(status));

  // At start the key is not on disk; the empty .part is removed and its id reported (the
  // daemon shreds the key in case it did reach the disk): nothing undecryptable is left.
  const auto ids = MediaEngine::RecoverInterrupted(config, [](const std::string&) -> Result<std::string> {
    return MakeError(ErrorCode::kNotFound, "keys: no key for key-pending (destroyed or never made)");
  });
  CHECK(ids.repaired.empty());
  REQUIRE(ids.discarded_ids.size() == 1);
  CHECK(ids.discarded_ids[0] == "key-pending");
  CHECK_FALSE(std::filesystem::exists(part));
  std::filesystem::remove_all(config.recordings_dir);
}

}  // namespace
}  // namespace kronika::media
