// The daemon's /readyz checks (issue 15 item 5; readiness_route.h serves them): store
// writable, disk above the threshold at which new calls are refused, media workers alive,
// no thread failed after a fault, SIP bound. Each probe is cheap and non-blocking (atomics,
// one statvfs).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kronika/media/media_engine.h"
#include "kronika/srs/http/readiness_route.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {

struct ReadinessSources {
  const Store* store = nullptr;                 // borrowed
  const media::MediaEngine* media = nullptr;    // borrowed
  std::filesystem::path recordings_dir;         // the file system new recordings go to
  uint64_t min_free_disk_bytes = 0;             // media.min_free_disk_mb: below it INVITEs get 503
  const std::atomic<bool>* sip_bound = nullptr; // true from the SIP socket's bind until RequestStop
  std::string sip_listen;                       // for the message, e.g. "127.0.0.1:5060"
};

// The five checks, named "store", "disk", "media", "threads", "sip" ("threads": no thread
// boundary reports its component failed, thread_boundary.h). Every pointer in `sources` must
// outlive the HTTP server the checks are registered on.
std::vector<ReadinessCheck> DaemonReadinessChecks(const ReadinessSources& sources);

}  // namespace kronika::srs
