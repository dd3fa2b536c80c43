// Disk space of the recordings directory as Prometheus gauges, read at scrape time
// (statvfs is a cheap syscall; scrapes are every few seconds at most).
#pragma once

#include <prometheus/metric_family.h>

#include <filesystem>
#include <vector>

namespace kronika::srs {

// kronika_disk_free_bytes / kronika_disk_size_bytes for the file system holding `dir`;
// empty when statvfs fails (the series then disappears, which the DiskAlmostFull alert
// does not mistake for a full disk).
std::vector<prometheus::MetricFamily> DiskFamilies(const std::filesystem::path& dir);

}  // namespace kronika::srs
