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

std::vector<prometheus::MetricFamily> BadRowFamilies(const Database& db) {
  prometheus::MetricFamily family;
  family.name = "kronika_store_bad_rows_total";
  family.help = "Rows that did not decode (truncated, a field of the wrong type, a newer version): skipped, "
                "reported once in the log, left in place";
  family.type = prometheus::MetricType::Counter;
  for (const auto& [table, n] : db.bad_rows().Counts()) {
    prometheus::ClientMetric metric;
    metric.label.push_back(prometheus::ClientMetric::Label{"table", table});
    metric.counter.value = static_cast<double>(n);
    family.metric.push_back(std::move(metric));
  }
  return {std::move(family)};
}

}  // namespace kronika::srs
