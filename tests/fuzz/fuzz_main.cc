// libFuzzer entry points of kronika_fuzz_<target> (built with
// -DKRONIKA_FUZZ=ON, linked with -fsanitize=fuzzer). The target is chosen at
// build time (KRONIKA_FUZZ_TARGET).
//
//   kronika_fuzz_<target> [libFuzzer flags] CORPUS_DIR [SEED_DIR...]   fuzz
//   (libFuzzer) kronika_fuzz_<target> --write-seeds DIR write the seeds, exit
//
// tests/fuzz/run_fuzz.py runs both (./dev test's smoke, the `fuzz` bench
// target).
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fuzz_targets.h"

namespace {

const kronika::fuzz::FuzzTarget &Target() {
  static const kronika::fuzz::FuzzTarget *target = [] {
    const kronika::fuzz::FuzzTarget *t = kronika::fuzz::FindFuzzTarget(KRONIKA_FUZZ_TARGET);
    if (t == nullptr) {
      std::fprintf(stderr, "no fuzz target named %s in fuzz_targets.cc\n", KRONIKA_FUZZ_TARGET);
      std::exit(2);
    }
    return t;
  }();
  return *target;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
  const kronika::fuzz::FuzzTarget &target = Target();
  if (*argc == 3 && std::string_view((*argv)[1]) == "--write-seeds") {
    const size_t n = kronika::fuzz::WriteSeeds(target, KRONIKA_SOURCE_DIR, KRONIKA_SHARED_DIR, (*argv)[2]);
    std::printf("%zu seeds of %s written to %s\n", n, KRONIKA_FUZZ_TARGET, (*argv)[2]);
    std::exit(n > 0 ? 0 : 1);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return Target().run(data, size); }
