// The daemon's /readyz checks (see readiness_checks.h).
#include "readiness_checks.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

#include "kronika/thread_boundary.h"

namespace kronika::srs {
namespace {

std::string Mib(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

std::vector<ReadinessCheck> DaemonReadinessChecks(const ReadinessSources& sources) {
  const ReadinessSources s = sources;
  std::vector<ReadinessCheck> checks;
  checks.push_back({"store", [store = s.store](std::string& detail) -> Status {
                      if (store->MapFull()) {
                        return MakeError(ErrorCode::kUnavailable,
                                         "store: the LMDB map is full, new calls get 503 (raise "
                                         "storage.lmdb_map_size_mb)");
                      }
                      if (!store->Healthy()) {
                        return MakeError(ErrorCode::kUnavailable,
                                         "store: commits fail or the write queue is full, new calls get 503 "
                                         "(see the log)");
                      }
                      detail = "writable";
                      return OkStatus();
                    }});
  checks.push_back({"disk", [dir = s.recordings_dir, min = s.min_free_disk_bytes](std::string& detail) -> Status {
                      struct statvfs fs {};
                      if (statvfs(dir.c_str(), &fs) != 0) {
                        return MakeError(ErrorCode::kIo, "disk: cannot read the free space of " + dir.string() +
                                                             ": " + std::strerror(errno));
                      }
                      const uint64_t free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
                      detail = Mib(free) + " free under " + dir.string() + ", threshold " + Mib(min) +
                               " (media.min_free_disk_mb)";
                      if (free < min) {
                        return MakeError(ErrorCode::kUnavailable, "disk: " + detail + ": new calls get 503");
                      }
                      return OkStatus();
                    }});
  checks.push_back({"media", [media = s.media](std::string& detail) -> Status {
                      const media::MediaStats m = media->Stats();
                      detail = std::to_string(m.workers) + " workers, " + std::to_string(m.workers_stalled) +
                               " stalled";
                      if (m.workers == 0 || m.workers_stalled > 0) {
                        return MakeError(ErrorCode::kUnavailable,
                                         "media: " + detail + " (a worker whose loop has not come round for " +
                                             std::to_string(media::kMediaWorkerStallMs) +
                                             " ms records nothing: its calls lose audio)");
                      }
                      return OkStatus();
                    }});
  checks.push_back({"threads", [](std::string& detail) -> Status {
                      // A thread whose component reported itself failed at its boundary
                      // (thread_boundary.h): it retries, but until it succeeds its work is
                      // not done (the store writer: nothing new is stored).
                      std::string failed;
                      size_t threads = 0;
                      for (const ThreadFaultState& t : ThreadFaults::Process().Snapshot()) {
                        ++threads;
                        if (!t.failed) continue;
                        if (!failed.empty()) failed += "; ";
                        failed += t.thread + " (" + t.last_fault + ")";
                      }
                      if (!failed.empty()) {
                        return MakeError(ErrorCode::kUnavailable,
                                         "threads: failed after a fault, retrying: " + failed + " (see the log)");
                      }
                      detail = std::to_string(threads) + " threads, none failed";
                      return OkStatus();
                    }});
  checks.push_back({"sip", [bound = s.sip_bound, listen = s.sip_listen](std::string& detail) -> Status {
                      if (!bound->load(std::memory_order_acquire)) {
                        return MakeError(ErrorCode::kUnavailable,
                                         "sip: not listening on " + listen + " (starting or stopping)");
                      }
                      detail = "listening on " + listen;
                      return OkStatus();
                    }});
  return checks;
}

}  // namespace kronika::srs
