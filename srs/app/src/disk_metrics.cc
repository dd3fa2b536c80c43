#include "disk_metrics.h"

#include <sys/statvfs.h>

#include "kronika/srs/core/metrics.h"

namespace kronika::srs {

std::vector<prometheus::MetricFamily> DiskFamilies(const std::filesystem::path& dir) {
  struct statvfs fs {};
  if (statvfs(dir.c_str(), &fs) != 0) return {};
  const double block = static_cast<double>(fs.f_frsize);
  return {GaugeFamily("kronika_disk_free_bytes",
                      "Bytes available to Kronika on the recordings file system",
                      block * static_cast<double>(fs.f_bavail)),
          GaugeFamily("kronika_disk_size_bytes", "Size of the recordings file system",
                      block * static_cast<double>(fs.f_blocks))};
}

}  // namespace kronika::srs
