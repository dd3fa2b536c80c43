// FileFinisher: the one thread that may block on disk for the media engine.
//
// Workers hand it finished recordings (fd + .part path); it fsyncs, renames to .opus (or
// .opus.kenc when sealed, still reported under the .opus name),
// fsyncs the directory and reports kFinished (or kFailed) on the engine's event queue.
// Recordings a write error stopped come as salvage jobs: their .part is closed as a
// playable file at once (SalvagePartFile), then kFailed is reported (issue 12 item 5).
// Every kDiskCheckPeriod it samples the free space of the recordings directory, which
// MediaEngine::Open reads (an atomic) instead of calling statvfs on the SIP thread.
// The thread is "kr-finisher"; a job that throws is reported kFailed and counted in
// kronika_thread_faults_total{thread="kr-finisher"}, and the next job goes on.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <string>
#include <thread>

#include "kronika/media/media_engine.h"
#include "kronika/mutex.h"
#include "kronika/thread_annotations.h"
#include "kronika/thread_role.h"
#include "work_queue.h"

namespace kronika::media {

inline constexpr std::chrono::milliseconds kDiskCheckPeriod{1000};
inline constexpr char kFileFinisherThreadName[] = "kr-finisher";

struct FinishJob {
  std::string recording_id;
  int fd = -1;                      // owned by the job
  std::filesystem::path part_path;  // written file
  std::filesystem::path final_path;
  double duration_s = 0;
  RecordingEvidence evidence;       // handed on with kFinished / kFailed
  // Salvage: the recording failed with `failure`; fd is -1 (the writer closed it) and
  // part_path may be missing (no file was created). at_rest_key: SEC-1 key of a sealed
  // .part, wiped after use.
  bool salvage = false;
  std::string failure;
  std::string at_rest_key;
};

class FileFinisher {
 public:
  // `events` is borrowed and must outlive the finisher.
  FileFinisher(std::filesystem::path recordings_dir, WorkQueue<MediaEvent>* events);
  ~FileFinisher();  // finishes every queued job, then joins
  FileFinisher(const FileFinisher&) = delete;
  FileFinisher& operator=(const FileFinisher&) = delete;

  void Submit(FinishJob job);  // any thread, never blocks on disk
  uint64_t free_disk_bytes() const { return free_bytes_.load(std::memory_order_relaxed); }
  uint64_t finished() const { return finished_.load(std::memory_order_relaxed); }
  uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }

 private:
  void Run();
  // Commit and Salvage report one job (kFinished / kFailed); Commit takes the fd (job.fd is
  // -1 after). Run() calls them inside the thread boundary: a throw fails that recording only.
  void Commit(FinishJob& job);
  void Salvage(FinishJob& job);
  void SampleFreeSpace();
  static constexpr const char* kThreadName = kFileFinisherThreadName;

  ThreadRole finisher_thread_{"the file finisher's jobs"};  // Commit, Salvage
  const std::filesystem::path dir_;
  WorkQueue<MediaEvent>* const events_;
  Mutex mu_;
  CondVar cv_;
  std::deque<FinishJob> jobs_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::atomic<uint64_t> free_bytes_{UINT64_MAX};
  std::atomic<uint64_t> finished_{0};
  std::atomic<uint64_t> failed_{0};
  std::thread thread_;
};

}  // namespace kronika::media
