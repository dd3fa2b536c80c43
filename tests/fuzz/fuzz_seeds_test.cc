// Every fuzz target's seeds replayed through its harness in the normal test
// runs (the gcc build and the ASan/UBSan pass): the regression seeds of
// tests/fuzz/seeds/<target>/ (each crash a fuzz run found is kept there) and
// the interop corpus shaped for the target. A harness aborts on a crash or a
// broken contract, which fails this binary.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "fuzz_targets.h"

namespace kronika::fuzz {
namespace {

std::filesystem::path SourceDir() { return KRONIKA_SOURCE_DIR; }
std::filesystem::path SharedDir() { return KRONIKA_SHARED_DIR; }

size_t Replay(const FuzzTarget &target, const std::filesystem::path &shared_dir) {
  size_t n = 0;
  for (const SeedInput &seed : LoadSeeds(target, SourceDir(), shared_dir)) {
    INFO(target.name << " seed " << seed.name);
    CHECK(target.run(reinterpret_cast<const uint8_t *>(seed.bytes.data()), seed.bytes.size()) == 0);
    ++n;
  }
  return n;
}

TEST_CASE("every fuzz target has regression seeds in the repository", "[fuzz]") {
  for (const FuzzTarget &target : FuzzTargets()) {
    INFO(target.name);
    CHECK(!LoadSeeds(target, SourceDir(), "/nonexistent").empty());
  }
}

TEST_CASE("the repository's fuzz seeds replay through every harness", "[fuzz]") {
  for (const FuzzTarget &target : FuzzTargets()) CHECK(Replay(target, "/nonexistent") > 0);
}

TEST_CASE(
    "the interop corpus, shaped for each fuzz target, replays through "
    "its harness",
    "[fuzz][needs-corpus]") {
  for (const FuzzTarget &target : FuzzTargets()) {
    const size_t own = LoadSeeds(target, SourceDir(), "/nonexistent").size();
    const size_t all = Replay(target, SharedDir());
    INFO(target.name << ": " << own << " seeds without the corpus, " << all << " in all");
    bool corpus_shapes = false;
    for (SeedShape shape : target.shaped_seeds) corpus_shapes = corpus_shapes || FromCorpus(shape);
    if (!corpus_shapes) continue;
    CHECK(all > own);  // every target with corpus shapes gets inputs from them
  }
}

TEST_CASE("the SIP request seeds include the 49 RFC 4475 torture messages", "[fuzz][needs-corpus]") {
  size_t torture = 0;
  for (const SeedInput &seed : LoadSeeds(*FindFuzzTarget("sip_request"), SourceDir(), SharedDir())) {
    if (seed.name.rfind("rfc4475-torture/", 0) == 0) ++torture;
  }
  CHECK(torture == 50);  // 49 messages and the archive's own sample (test.dat)
}

}  // namespace
}  // namespace kronika::fuzz
