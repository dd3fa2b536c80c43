#include "file_finisher.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include "ogg_opus_writer.h"

namespace kronika::media {

FileFinisher::FileFinisher(std::filesystem::path recordings_dir, WorkQueue<MediaEvent>* events)
    : dir_(std::move(recordings_dir)), events_(events) {
  SampleFreeSpace();
  thread_ = std::thread([this] { Run(); });
}

FileFinisher::~FileFinisher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void FileFinisher::Submit(FinishJob job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void FileFinisher::SampleFreeSpace() {
  struct statvfs st {};
  if (statvfs(dir_.c_str(), &st) == 0) {
    free_bytes_.store(static_cast<uint64_t>(st.f_bavail) * st.f_frsize, std::memory_order_relaxed);
  }
}

void FileFinisher::Run() {
  auto next_check = std::chrono::steady_clock::now() + kDiskCheckPeriod;
  for (;;) {
    FinishJob job;
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, next_check, [this] { return stop_ || !jobs_.empty(); });
      if (jobs_.empty()) {
        if (stop_) return;
      } else {
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
    }
    if (job.fd >= 0) {
      MediaEvent event;
      event.recording_id = job.recording_id;
      struct stat st {};
      const uint64_t bytes = fstat(job.fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
      Status s = CommitRecordingFile(job.fd, job.part_path, job.final_path);
      if (s.ok()) {
        event.file_bytes = bytes;
        event.kind = MediaEventKind::kFinished;
        // A sealed file (<id>.opus.kenc) is reported under its plain name, as srs expects.
        std::string reported = job.final_path.string();
        if (reported.ends_with(".kenc")) reported.resize(reported.size() - 5);
        event.detail = std::move(reported);
        event.duration_s = job.duration_s;
        event.timeline_ms = static_cast<int64_t>(job.duration_s * 1000);
        finished_.fetch_add(1, std::memory_order_relaxed);
      } else {
        event.kind = MediaEventKind::kFailed;
        event.detail = s.error().message;
        failed_.fetch_add(1, std::memory_order_relaxed);
      }
      event.evidence = std::move(job.evidence);
      events_->ForcePush(std::move(event));
    }
    if (std::chrono::steady_clock::now() >= next_check) {
      SampleFreeSpace();
      next_check = std::chrono::steady_clock::now() + kDiskCheckPeriod;
    }
  }
}

}  // namespace kronika::media
