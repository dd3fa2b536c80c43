#include "kronika/srs/core/heap_reclaimer.h"

#include <malloc.h>

#include <atomic>
#include <cstdio>
#include <cstring>

namespace kronika::srs {
namespace {

// Process-wide: malloc is one per process, whichever reclaimer trimmed it.
std::atomic<uint64_t> g_trims{0};
std::atomic<uint64_t> g_released_bytes{0};
std::atomic<uint64_t> g_trim_nanoseconds{0};

std::optional<size_t> ResidentAnonBytes() {
  FILE* f = std::fopen("/proc/self/status", "re");
  if (f == nullptr) return std::nullopt;
  std::optional<size_t> bytes;
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    unsigned long long kib = 0;
    if (std::strncmp(line, "RssAnon:", 8) == 0 && std::sscanf(line + 8, "%llu", &kib) == 1) {
      bytes = static_cast<size_t>(kib) * 1024;
      break;
    }
  }
  std::fclose(f);
  return bytes;
}

}  // namespace

std::optional<HeapFigures> ReadHeapFigures() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const std::optional<size_t> anon = ResidentAnonBytes();
  if (!anon) return std::nullopt;
  const struct mallinfo2 info = mallinfo2();
  HeapFigures figures;
  figures.in_use_bytes = info.uordblks + info.hblkhd;
  figures.free_bytes = info.fordblks;
  figures.resident_anon_bytes = *anon;
  return figures;
#else
  return std::nullopt;
#endif
}

HeapTrimStats HeapStats() {
  HeapTrimStats stats;
  stats.trims = g_trims.load(std::memory_order_relaxed);
  stats.released_bytes = g_released_bytes.load(std::memory_order_relaxed);
  stats.trim_seconds = static_cast<double>(g_trim_nanoseconds.load(std::memory_order_relaxed)) / 1e9;
  return stats;
}

std::vector<prometheus::MetricFamily> HeapFamilies() {
  std::vector<prometheus::MetricFamily> families;
  if (std::optional<HeapFigures> figures = ReadHeapFigures()) {
    families.push_back(GaugeFamily(kMetricHeapInUse, "Bytes the process has allocated from the C heap",
                                   static_cast<double>(figures->in_use_bytes)));
    families.push_back(GaugeFamily(kMetricHeapFree,
                                   "Bytes of free blocks the C allocator keeps for reuse (given back to the "
                                   "system or not)",
                                   static_cast<double>(figures->free_bytes)));
  }
  const HeapTrimStats stats = HeapStats();
  families.push_back(CounterFamily(kMetricHeapTrims,
                                   "Times free heap pages were given back to the system (malloc_trim)",
                                   static_cast<double>(stats.trims)));
  families.push_back(CounterFamily(kMetricHeapReleased, "Resident bytes given back to the system by those trims",
                                   static_cast<double>(stats.released_bytes)));
  families.push_back(
      CounterFamily(kMetricHeapTrimSeconds, "Seconds spent giving free heap pages back", stats.trim_seconds));
  return families;
}

HeapReclaimer::HeapReclaimer(Options options) : options_(options) {}

bool HeapReclaimer::ShouldTrim(const HeapFigures& figures) {
  const size_t not_in_use = figures.ResidentNotInUse();
  if (!baseline_not_in_use_ || not_in_use < *baseline_not_in_use_) {
    baseline_not_in_use_ = not_in_use;  // first reading, or the allocator shrank by itself
    return false;
  }
  return not_in_use - *baseline_not_in_use_ >= options_.min_release_bytes;
}

void HeapReclaimer::Trimmed(const HeapFigures& after) { baseline_not_in_use_ = after.ResidentNotInUse(); }

bool HeapReclaimer::Tick(std::chrono::steady_clock::time_point now) {
  if (now < next_check_) return false;
  next_check_ = now + options_.check_interval;
  const std::optional<HeapFigures> before = ReadHeapFigures();
  if (!before || !ShouldTrim(*before)) return false;
  const auto started = std::chrono::steady_clock::now();
  malloc_trim(0);
  const auto spent = std::chrono::steady_clock::now() - started;
  const std::optional<HeapFigures> after = ReadHeapFigures();
  if (!after) return true;
  Trimmed(*after);
  g_trims.fetch_add(1, std::memory_order_relaxed);
  if (before->resident_anon_bytes > after->resident_anon_bytes) {
    g_released_bytes.fetch_add(before->resident_anon_bytes - after->resident_anon_bytes, std::memory_order_relaxed);
  }
  g_trim_nanoseconds.fetch_add(
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(spent).count()),
      std::memory_order_relaxed);
  return true;
}

}  // namespace kronika::srs
