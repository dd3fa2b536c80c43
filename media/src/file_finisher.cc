#include "file_finisher.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <utility>

#include <openssl/crypto.h>

#include "kronika/thread_boundary.h"
#include "ogg_opus_writer.h"
#include "recording_recovery.h"

namespace kronika::media {

namespace {

// Closes `part_path` as a playable file and names it in `event` (kFailed); see
// SalvagePartFile. A .part without audio is deleted; one that cannot be closed stays for
// the start-up recovery, and the event's detail says so.
void SalvageInto(MediaEvent& event, const std::filesystem::path& part_path, std::string key) {
  std::error_code ec;
  if (part_path.empty() || !std::filesystem::exists(part_path, ec)) return;
  AtRestKeyLookup keys;
  if (!key.empty()) keys = [&key](const std::string&) -> Result<std::string> { return key; };
  Result<RecoveredFile> kept = SalvagePartFile(part_path, keys);
  OPENSSL_cleanse(key.data(), key.size());
  if (kept.ok()) {
    // Reported under the plain name, as kFinished reports a sealed file.
    event.salvaged_file = kept->file.parent_path() / (kept->recording_id + ".opus");
    event.duration_s = kept->duration_s;
    event.timeline_ms = static_cast<int64_t>(kept->duration_s * 1000);
    event.file_bytes = kept->file_bytes;
  } else if (kept.error().message.ends_with("no complete audio page") ||
             kept.error().message.ends_with("no Ogg Opus headers")) {
    std::filesystem::remove(part_path, ec);  // nothing playable was written
  } else {
    event.detail += "; the partial file could not be closed: " + kept.error().message;
  }
}

}  // namespace

FileFinisher::FileFinisher(std::filesystem::path recordings_dir, WorkQueue<MediaEvent>* events)
    : dir_(std::move(recordings_dir)), events_(events) {
  SampleFreeSpace();
  thread_ = std::thread([this] {
    NameCurrentThread(kThreadName);
    Run();
  });
}

FileFinisher::~FileFinisher() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.Signal();
  thread_.join();
}

void FileFinisher::Submit(FinishJob job) {
  {
    MutexLock lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.Signal();
}

void FileFinisher::SampleFreeSpace() {
  struct statvfs st {};
  if (statvfs(dir_.c_str(), &st) == 0) {
    free_bytes_.store(static_cast<uint64_t>(st.f_bavail) * st.f_frsize, std::memory_order_relaxed);
  }
}

void FileFinisher::Commit(FinishJob& job) {
  finisher_thread_.Check("FileFinisher::Commit");
  MediaEvent event;
  event.recording_id = job.recording_id;
  struct stat st {};
  const uint64_t bytes = fstat(job.fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  const int fd = std::exchange(job.fd, -1);  // CommitRecordingFile closes it on every path
  Status s = CommitRecordingFile(fd, job.part_path, job.final_path);
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
    SalvageInto(event, job.part_path, "");  // a sealed .part waits for the start-up recovery
    failed_.fetch_add(1, std::memory_order_relaxed);
  }
  event.evidence = std::move(job.evidence);
  events_->ForcePush(std::move(event));
}

void FileFinisher::Salvage(FinishJob& job) {
  finisher_thread_.Check("FileFinisher::Salvage");
  MediaEvent event;
  event.recording_id = job.recording_id;
  event.kind = MediaEventKind::kFailed;
  event.detail = std::move(job.failure);
  event.evidence = std::move(job.evidence);
  SalvageInto(event, job.part_path, std::move(job.at_rest_key));
  // Counted by the worker when it stopped the recording (recordings_failed).
  events_->ForcePush(std::move(event));
}

void FileFinisher::Run() {
  finisher_thread_.BindToCurrentThread();
  auto next_check = std::chrono::steady_clock::now() + kDiskCheckPeriod;
  for (;;) {
    FinishJob job;
    {
      MutexLock lock(mu_);
      cv_.WaitUntil(mu_, next_check, [this]() REQUIRES(mu_) { return stop_ || !jobs_.empty(); });
      if (jobs_.empty()) {
        if (stop_) return;
      } else {
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
    }
    if (job.salvage || job.fd >= 0) {
      // The boundary (issue 13 item 4): a job that throws is reported failed (its session
      // ends and says why, the .part stays for recovery) and the next job goes on.
      if (!RunGuarded(kThreadName, FaultEffect::kRecovered,
                      [&] { job.salvage ? Salvage(job) : Commit(job); })) {
        if (job.fd >= 0) close(job.fd);
        failed_.fetch_add(1, std::memory_order_relaxed);
        MediaEvent event;
        event.recording_id = job.recording_id;
        event.evidence = std::move(job.evidence);
        event.kind = MediaEventKind::kFailed;
        event.detail = std::string("media: ") + kThreadName +
                       " could not finish the file: a fault (kronika_thread_faults_total counts it)";
        events_->ForcePush(std::move(event));
      }
    }
    if (std::chrono::steady_clock::now() >= next_check) {
      SampleFreeSpace();  // statvfs into an atomic: nothing in it can throw
      next_check = std::chrono::steady_clock::now() + kDiskCheckPeriod;
    }
  }
}

}  // namespace kronika::media
