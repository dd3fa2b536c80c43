#include "kronika/srs/store/store_metrics.h"

#include "kronika/srs/core/metrics.h"

namespace kronika::srs {

std::vector<prometheus::MetricFamily> StoreFamilies(const Store& store) {
  Result<StoreStats> stats = store.Stats();
  if (!stats.ok()) return {};
  auto d = [](uint64_t v) { return static_cast<double>(v); };
  return {
      GaugeFamily("kronika_store_map_used_bytes", "LMDB pages in use, in bytes", d(stats->used_bytes)),
      GaugeFamily("kronika_store_map_size_bytes", "LMDB map size (the ceiling before growth)",
                  d(stats->map_size_bytes)),
      GaugeFamily("kronika_store_recordings", "Recordings in the store", d(stats->recordings)),
      GaugeFamily("kronika_store_queue_depth", "Recording snapshots waiting for a commit",
                  d(stats->queue_depth)),
      CounterFamily("kronika_store_commit_failures_total", "Failed LMDB write transactions",
                    d(stats->commit_failures)),
      GaugeFamily("kronika_store_healthy", "1 when the store accepts writes, 0 when full or failing",
                  stats->healthy ? 1 : 0),
  };
}

}  // namespace kronika::srs
