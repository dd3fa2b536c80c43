// HeapReclaimer (srs/core heap_reclaimer.h): when it gives free heap pages back, and that it
// really does on a heap fragmented the way expired SIP transactions leave it (issue 12
// item 2).
#include "kronika/srs/core/heap_reclaimer.h"

#include <cstdlib>
#include <cstring>
#include <vector>

#include <catch2/catch.hpp>

namespace kronika::srs {
namespace {

constexpr size_t kMiB = 1u << 20;

HeapFigures Figures(size_t in_use_mib, size_t resident_mib) {
  HeapFigures f;
  f.in_use_bytes = in_use_mib * kMiB;
  f.resident_anon_bytes = resident_mib * kMiB;
  return f;
}

TEST_CASE("the reclaimer trims only when unused resident memory grew by the threshold", "[heap]") {
  HeapReclaimer::Options options;
  options.min_release_bytes = 16 * kMiB;
  HeapReclaimer reclaimer(options);
  // Start-up: 10 MiB in use, 14 resident: 4 MiB not in use is the baseline, never trimmed.
  CHECK_FALSE(reclaimer.ShouldTrim(Figures(10, 14)));
  // Calls come and go, memory in use and resident grow together: nothing to give back.
  CHECK_FALSE(reclaimer.ShouldTrim(Figures(90, 95)));
  // A flood's transactions expired: 10 MiB in use, 140 resident.
  CHECK(reclaimer.ShouldTrim(Figures(10, 140)));
  reclaimer.Trimmed(Figures(10, 15));
  // After the trim the new baseline is what the trim left; no second trim for it.
  CHECK_FALSE(reclaimer.ShouldTrim(Figures(10, 15)));
  CHECK_FALSE(reclaimer.ShouldTrim(Figures(10, 30)));  // 15 MiB more: under the threshold
  CHECK(reclaimer.ShouldTrim(Figures(10, 32)));        // 17 MiB more
}

TEST_CASE("the reclaimer follows an allocator that shrank by itself", "[heap]") {
  HeapReclaimer reclaimer;
  CHECK_FALSE(reclaimer.ShouldTrim(Figures(10, 60)));  // 50 MiB unused at the first reading
  CHECK_FALSE(reclaimer.ShouldTrim(Figures(10, 14)));  // the top of the heap went back: 4 MiB
  CHECK(reclaimer.ShouldTrim(Figures(10, 34)));        // 20 MiB over the new baseline
}

// glibc's heap only: a sanitizer's allocator replaces malloc and has nothing of glibc's to
// trim. So this case exists in the normal build (where ./dev test runs it) and is not built
// in the sanitizer builds, rather than being reported skipped there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define KRONIKA_GLIBC_HEAP 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define KRONIKA_GLIBC_HEAP 0
#endif
#endif
#ifndef KRONIKA_GLIBC_HEAP
#define KRONIKA_GLIBC_HEAP 1
#endif

#if KRONIKA_GLIBC_HEAP
TEST_CASE("a tick gives back the free pages of a fragmented heap", "[heap]") {
  if (!ReadHeapFigures()) std::exit(77);  // not glibc, or no /proc
  HeapReclaimer::Options options;
  options.check_interval = std::chrono::seconds(0);
  HeapReclaimer reclaimer(options);
  const auto now = std::chrono::steady_clock::now();
  CHECK_FALSE(reclaimer.Tick(now));  // the baseline
  const HeapTrimStats stats_before = HeapStats();

  // 96 MiB in 600-byte blocks, like a transaction's parsed headers; every 64th block stays,
  // so no page run at the top of the heap is free and free() alone returns nothing.
  constexpr size_t kBlocks = 96 * kMiB / 600;
  std::vector<void*> blocks(kBlocks);
  bool allocated = true;
  for (void*& b : blocks) {
    b = std::malloc(600);
    if (b == nullptr) {
      allocated = false;
      break;
    }
    std::memset(b, 0x5a, 600);
  }
  REQUIRE(allocated);
  for (size_t i = 0; i < kBlocks; ++i) {
    if (i % 64 != 63) {
      std::free(blocks[i]);
      blocks[i] = nullptr;
    }
  }
  const HeapFigures fragmented = *ReadHeapFigures();
  REQUIRE(fragmented.ResidentNotInUse() > 64 * kMiB);  // the memory the reclaimer is for

  CHECK(reclaimer.Tick(now));
  const HeapFigures trimmed = *ReadHeapFigures();
  CHECK(trimmed.resident_anon_bytes + 64 * kMiB < fragmented.resident_anon_bytes);
  const HeapTrimStats stats_after = HeapStats();
  CHECK(stats_after.trims == stats_before.trims + 1);
  CHECK(stats_after.released_bytes - stats_before.released_bytes > 64 * kMiB);
  CHECK_FALSE(reclaimer.Tick(now));  // nothing new to give back

  for (void* b : blocks) std::free(b);
}
#endif  // KRONIKA_GLIBC_HEAP

}  // namespace
}  // namespace kronika::srs
