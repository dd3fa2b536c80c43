// Turns MediaEngine::Stats() into Prometheus families at scrape time, so media workers
// never touch prometheus-cpp on their hot path.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "kronika/media/media_engine.h"

namespace kronika::srs {

std::vector<prometheus::MetricFamily> MediaFamilies(const media::MediaStats& stats);

}  // namespace kronika::srs
