// LMDB store state as Prometheus gauges/counters, read at scrape time.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "kronika/srs/store/database.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {

// kronika_store_map_used_bytes / _map_size_bytes (the KronikaStoreMapAlmostFull alert),
// recordings, queue depth, commit failures and health. Empty if Stats() fails.
std::vector<prometheus::MetricFamily> StoreFamilies(const Store& store);

// kronika_store_bad_rows_total{table}: rows of each table that did not decode and were
// skipped (bad_rows.h), every table of `db` listed (0 until its first bad row).
std::vector<prometheus::MetricFamily> BadRowFamilies(const Database& db);

}  // namespace kronika::srs
