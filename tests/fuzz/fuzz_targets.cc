// The fuzz target registry and the seeds of each target (fuzz_targets.h).
#include "fuzz_targets.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>

#include "seed_shapes.h"

namespace kronika::fuzz {
namespace {

std::string ReadAll(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// FNV-1a, 64 bits: a stable file name per content (libFuzzer names its corpus
// files by content hash too, so a seed written twice is one file).
std::string ContentName(const std::string &bytes) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) hash = (hash ^ c) * 0x100000001b3ull;
  char name[17];
  std::snprintf(name, sizeof(name), "%016llx", static_cast<unsigned long long>(hash));
  return name;
}

}  // namespace

void FuzzContractViolated(std::string_view what) {
  std::fprintf(stderr, "fuzz contract violated: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

const std::vector<FuzzTarget> &FuzzTargets() {
  static const std::vector<FuzzTarget> targets = {
      {"sip_request",
       FuzzSipRequest,
       {SeedShape::kRfc4475Messages, SeedShape::kSippRequests, SeedShape::kPcapSipMessages,
        SeedShape::kVendorInvites}},
      {"sdp_offer", FuzzSdpOffer, {SeedShape::kVendorSdpParts}},
      {"metadata", FuzzRecordingMetadata, {SeedShape::kRfcMetadataExamples, SeedShape::kVendorMetadataParts}},
      {"rtp_leg", FuzzRtpLeg, {SeedShape::kPcapRtpStreams}},
      {"store_record", FuzzStoredRecord, {}},
      {"recording_file", FuzzRecordingFile, {}},
      {"config", FuzzConfigFile, {SeedShape::kRepositoryConfigs}},
      {"site_policy", FuzzSitePolicyFile, {SeedShape::kRepositorySites}},
      {"http_request", FuzzHttpRequest, {}},
  };
  return targets;
}

const FuzzTarget *FindFuzzTarget(std::string_view name) {
  for (const FuzzTarget &t : FuzzTargets()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::vector<SeedInput> LoadSeeds(const FuzzTarget &target, const std::filesystem::path &source_dir,
                                 const std::filesystem::path &shared_dir) {
  std::vector<SeedInput> seeds;
  const std::filesystem::path own = source_dir / "tests" / "fuzz" / "seeds" / std::string(target.name);
  std::error_code ec;
  if (std::filesystem::is_directory(own, ec)) {
    std::vector<std::filesystem::path> files;
    for (const auto &entry : std::filesystem::directory_iterator(own)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto &path : files) seeds.push_back({path.filename().string(), ReadAll(path)});
  }
  const std::filesystem::path corpus = shared_dir / "interop-corpus";
  const bool have_corpus = std::filesystem::is_directory(corpus, ec);
  for (SeedShape shape : target.shaped_seeds) {
    if (FromCorpus(shape) && !have_corpus) continue;
    std::vector<SeedInput> shaped = ShapeSeeds(shape, source_dir, corpus);
    seeds.insert(seeds.end(), std::make_move_iterator(shaped.begin()), std::make_move_iterator(shaped.end()));
  }
  return seeds;
}

size_t WriteSeeds(const FuzzTarget &target, const std::filesystem::path &source_dir,
                  const std::filesystem::path &shared_dir, const std::filesystem::path &dir) {
  std::filesystem::create_directories(dir);
  size_t written = 0;
  for (const SeedInput &seed : LoadSeeds(target, source_dir, shared_dir)) {
    std::ofstream out(dir / ContentName(seed.bytes), std::ios::binary | std::ios::trunc);
    out.write(seed.bytes.data(), static_cast<std::streamsize>(seed.bytes.size()));
    if (out) ++written;
  }
  return written;
}

}  // namespace kronika::fuzz
