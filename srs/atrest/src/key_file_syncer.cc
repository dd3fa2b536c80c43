// KeyFileSyncer: the data-key pool and kr-keysync (see key_file_syncer.h).
#include "kronika/srs/atrest/key_file_syncer.h"

#include <openssl/crypto.h>

#include <utility>

#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/core/log.h"
#include "kronika/thread_boundary.h"

namespace kronika::srs {
namespace {

void Wipe(std::string& secret) { OPENSSL_cleanse(secret.data(), secret.size()); }

// Failed key writes remembered for KeyStored(); their recordings fail within one flush
// (half a second), so a few are enough, and a disk that fails every write stays bounded.
constexpr size_t kMaxFailuresKept = 1024;

}  // namespace

KeyFileSyncer::KeyFileSyncer(RecordingKeys& keys)
    : keys_(keys), thread_([this] {
        NameCurrentThread(kKeySyncerThreadName);
        Run();
      }) {}

KeyFileSyncer::~KeyFileSyncer() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.Signal();
  thread_.join();
  for (std::string& dek : pool_) Wipe(dek);
}

Result<std::string> KeyFileSyncer::Create(const std::string& recording_id) {
  if (!ValidRecordingKeyId(recording_id)) return MakeError(ErrorCode::kInvalidInput, "keys: bad recording id");
  std::string dek;
  {
    MutexLock lock(mu_);
    if (!pool_.empty()) {
      dek = std::move(pool_.front());
      pool_.pop_front();
    }
  }
  if (dek.empty()) {  // a burst emptied the pool: the CSPRNG here, still no disk
    dek = RandomBytes(kAesKeyBytes);
    pool_misses_.fetch_add(1, std::memory_order_relaxed);
  }
  {
    MutexLock lock(mu_);
    pending_.push_back(Job{recording_id, dek});
    ++queued_;
  }
  cv_.Signal();
  return dek;
}

void KeyFileSyncer::Discard(const std::string& recording_id) {
  {
    MutexLock lock(mu_);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->recording_id == recording_id && !it->dek.empty()) {
        Wipe(it->dek);
        it = pending_.erase(it);
        ++done_;
      } else {
        ++it;
      }
    }
    // Also when the write was dropped above: kr-keysync may be writing it right now.
    pending_.push_back(Job{recording_id, ""});
    ++queued_;
  }
  cv_.Signal();
  idle_cv_.SignalAll();
}

void KeyFileSyncer::Drain() {
  MutexLock lock(mu_);
  const uint64_t target = queued_;
  idle_cv_.Wait(mu_, [&]() REQUIRES(mu_) { return done_ >= target; });
}

Result<bool> KeyFileSyncer::KeyStored(const std::string& recording_id) const {
  MutexLock lock(mu_);
  if (auto failed = failed_.find(recording_id); failed != failed_.end()) {
    return MakeError(ErrorCode::kIo, "data key not stored: " + failed->second);
  }
  if (writing_ == recording_id) return false;
  for (const Job& job : pending_) {  // a few entries at most, unless the disk stalls
    if (job.recording_id == recording_id && !job.dek.empty()) return false;
  }
  return true;
}

size_t KeyFileSyncer::pooled() const {
  MutexLock lock(mu_);
  return pool_.size();
}

void KeyFileSyncer::Run() {
  // Held from here on but around the disk work and the CSPRNG, which run unlocked.
  mu_.Lock();
  for (;;) {
    cv_.Wait(mu_, [this]() REQUIRES(mu_) { return stop_ || !pending_.empty() || pool_.size() < kDataKeyPoolSize; });
    if (!pending_.empty()) {  // key files first: a recording's key is waiting to be durable
      Job job = std::move(pending_.front());
      pending_.pop_front();
      const bool write = !job.dek.empty();
      if (write) writing_ = job.recording_id;
      mu_.Unlock();
      // The boundary (issue 13 item 4): a key whose write or shred throws is skipped
      // (logged with the thread's name and counted); the next one goes on.
      std::string failure = "kr-keysync fault";
      const bool ran = RunGuarded(kKeySyncerThreadName, FaultEffect::kRecovered, [&] {
        Status s = write ? keys_.Put(job.recording_id, job.dek) : keys_.Shred(job.recording_id);
        failure.clear();
        if (!s.ok()) {
          failure = s.error().message;
          Logf(LogLevel::kError, job.recording_id, "access: data key file: %s", failure.c_str());
        }
      });
      if (!ran && failure.empty()) failure = "kr-keysync fault";
      Wipe(job.dek);
      mu_.Lock();
      if (write) {
        writing_.clear();
        if (!failure.empty()) {
          if (failed_.size() >= kMaxFailuresKept) failed_.erase(failed_.begin());
          failed_[job.recording_id] = failure;
        }
      }
      ++done_;
      idle_cv_.SignalAll();
      continue;
    }
    if (stop_) {  // everything queued is written
      mu_.Unlock();
      return;
    }
    mu_.Unlock();
    std::string dek = RandomBytes(kAesKeyBytes);
    mu_.Lock();
    pool_.push_back(std::move(dek));
  }
}

}  // namespace kronika::srs
