// Fuzz seeds shaped from the shared interop corpus (fuzz_targets.h SeedShape):
// the corpus is read where it lies, at run time, and turned into inputs of a
// target's format. Test-only.
#pragma once

#include <filesystem>
#include <vector>

#include "fuzz_targets.h"

namespace kronika::fuzz {

// The inputs of `shape` from `corpus_dir` (= <shared>/interop-corpus) or, for
// the kRepository* shapes, from `source_dir`, in a stable order; names are
// "<path relative to that dir>#<n>". Unreadable files are skipped.
std::vector<SeedInput> ShapeSeeds(SeedShape shape, const std::filesystem::path &source_dir,
                                  const std::filesystem::path &corpus_dir);

}  // namespace kronika::fuzz
