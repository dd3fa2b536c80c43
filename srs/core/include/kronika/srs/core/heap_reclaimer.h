// HeapReclaimer: hands memory the C allocator holds but no longer uses back to the system
// (issue 12 item 2: "memory held by rejected transactions ... make it return to within
// 20 MB of idle").
//
// Why it is needed (measured, docs/benchmarks.md "Refused INVITEs and memory"): sofia-sip
// keeps every answered INVITE's transaction - the request, the answer and their parsed
// headers, some 10 KB in many small blocks - until the SRC's ACK or Timer H (32 s), and
// frees it then. glibc's malloc keeps freed blocks inside the SIP stack thread's arena and
// returns pages to the kernel only from the top of a heap, which the next transaction's
// blocks usually occupy: after 20,000 refused INVITEs the heap in use was back to ~10 MB
// while the process stayed at 100+ MB resident. malloc_trim() releases the whole free
// pages inside the heaps as well (madvise), which is what this class calls, only when
// resident memory not in use has grown by `min_release_bytes` since the last trim, so a
// quiet or steady server never pays for it.
//
// Threads: one owner thread calls Tick() (the SIP thread's housekeeping tick); the process
// figures (HeapStats(), HeapFamilies) may be read from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "kronika/srs/core/metrics.h"

namespace kronika::srs {

inline constexpr char kMetricHeapInUse[] = "kronika_process_heap_in_use_bytes";
inline constexpr char kMetricHeapFree[] = "kronika_process_heap_free_bytes";
inline constexpr char kMetricHeapTrims[] = "kronika_process_heap_trims_total";
inline constexpr char kMetricHeapReleased[] = "kronika_process_heap_released_bytes_total";
inline constexpr char kMetricHeapTrimSeconds[] = "kronika_process_heap_trim_seconds_total";

// One reading of the process's memory.
struct HeapFigures {
  size_t in_use_bytes = 0;         // allocated by the program (malloc arenas + mmapped blocks)
  size_t free_bytes = 0;           // free blocks the allocator keeps (resident or not)
  size_t resident_anon_bytes = 0;  // anonymous resident memory (/proc/self/status RssAnon)

  // Resident anonymous memory the program does not use: free heap pages still mapped,
  // plus a constant part (thread stacks, allocator metadata).
  size_t ResidentNotInUse() const {
    return resident_anon_bytes > in_use_bytes ? resident_anon_bytes - in_use_bytes : 0;
  }
};

// Reads the figures now (mallinfo2 and /proc/self/status). nullopt where unavailable
// (a C library other than glibc, no /proc).
std::optional<HeapFigures> ReadHeapFigures();

// What the reclaimers of this process have done, since start.
struct HeapTrimStats {
  uint64_t trims = 0;
  uint64_t released_bytes = 0;  // resident memory given back, measured around each trim
  double trim_seconds = 0;      // wall time spent in malloc_trim (the arenas are locked)
};
HeapTrimStats HeapStats();

// Prometheus families: heap in use and free (read at scrape time) and the trim counters.
std::vector<prometheus::MetricFamily> HeapFamilies();

class HeapReclaimer {
 public:
  struct Options {
    std::chrono::steady_clock::duration check_interval = std::chrono::seconds(5);
    size_t min_release_bytes = 16u << 20;  // trim once this much more is resident but unused
  };

  HeapReclaimer() : HeapReclaimer(Options{}) {}
  explicit HeapReclaimer(Options options);

  // Called periodically (any period; it acts at most every check_interval): reads the
  // figures and trims when ShouldTrim says so. Returns true when it trimmed.
  bool Tick(std::chrono::steady_clock::time_point now);

  // The decision alone, on given figures: true when the resident memory not in use has
  // grown by at least min_release_bytes over what was left after the last trim (or at
  // the first reading). Updates the baseline when the unused part shrank by itself.
  bool ShouldTrim(const HeapFigures& figures);
  // Records what a trim left behind: the new baseline.
  void Trimmed(const HeapFigures& after);

 private:
  Options options_;
  std::optional<size_t> baseline_not_in_use_;
  std::chrono::steady_clock::time_point next_check_{};
};

}  // namespace kronika::srs
