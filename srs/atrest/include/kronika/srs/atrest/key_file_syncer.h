// Data keys for new recordings, handed out on a thread that must not touch the disk (the
// SIP thread; SEC-1, issue 13 item 4).
//
// The background thread "kr-keysync" keeps a pool of kDataKeyPoolSize random data keys
// (DEKs) in memory. Create() takes one (a mutex held for a deque pop, no I/O, no syscall)
// and queues the recording's wrapped key file; kr-keysync writes it, fsyncs it and the
// keys directory (RecordingKeys::Put, about 16 ms on ext4, measured), then refills the
// pool. When the pool is empty (a burst larger than the pool arriving faster than kr-keysync
// refills it, i.e. while it is stuck in fsyncs), Create() makes the key on the caller's
// thread from the CSPRNG (random bytes in memory, still no disk) and counts it in
// pool_misses().
//
// Crash ordering (docs/architecture.md "Data keys and the SIP thread"): the media engine
// asks KeyStored() before it writes any byte of a sealed file (MediaConfig::
// at_rest_key_stored, sealed_file.h SealedWriter) and holds the sealed header and records
// in memory until it says true, so no audio reaches the disk before the key file that
// decrypts it is durable; a crash in between loses only what was held (the first ~16 ms,
// nothing the SRC cannot resend as a new call) and leaves at most an empty .part. The one
// exception is a call that ends before its key is durable: its file is written at its end
// and fsynced by the file finisher a moment later, after the queued key file's fsync in
// practice (measured, not enforced). A key file that cannot be written makes KeyStored()
// an error, and the media engine fails that recording instead of writing what nobody
// could decrypt. A key file write is queued ahead of every refill, so it starts within
// microseconds of Create() unless kr-keysync is busy with earlier key files.
//
// The destructor writes and syncs everything queued, then wipes the pool.
// Faults: a key whose write or shred throws is logged, counted in
// kronika_thread_faults_total{thread="kr-keysync"} and skipped; the next one goes on.
//
// Threads: Create/Discard from the SIP thread (or any); Drain from any thread but the SIP
// thread (it blocks on kr-keysync).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <thread>
#include <unordered_map>

#include "kronika/mutex.h"
#include "kronika/result.h"
#include "kronika/srs/atrest/recording_keys.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs {

inline constexpr char kKeySyncerThreadName[] = "kr-keysync";  // thread_boundary.h

// Keys kept ready. A refill is one RAND_bytes call per key (no I/O), so the pool only runs
// dry while kr-keysync is inside key-file fsyncs (~16 ms each on ext4): 64 keys cover a
// burst of 64 INVITEs arriving within one such stall, i.e. a rate of ~4,000 new calls per
// second for as long as the stall lasts (not a measured INVITE rate; a miss is counted in
// kronika_data_key_pool_misses_total and still does no disk I/O). 64 x 32 bytes of key
// material in memory, wiped on exit.
inline constexpr size_t kDataKeyPoolSize = 64;

class KeyFileSyncer {
 public:
  explicit KeyFileSyncer(RecordingKeys& keys);  // `keys` is borrowed; fills the pool at once
  ~KeyFileSyncer();
  KeyFileSyncer(const KeyFileSyncer&) = delete;
  KeyFileSyncer& operator=(const KeyFileSyncer&) = delete;

  // The new DEK of `recording_id` (32 bytes), its key file queued for kr-keysync. No disk
  // I/O. kInvalidInput when the id cannot name a key file.
  Result<std::string> Create(const std::string& recording_id);
  // Media refused the recording: its key file is never written if still queued, and
  // shredded (on kr-keysync) if it was.
  void Discard(const std::string& recording_id);
  // Blocks until every key file queued before the call is written and synced (or shredded).
  void Drain();
  // Whether the key file of `recording_id` is durable: false while queued or being written,
  // an error (the reason) when writing it failed, true otherwise. No I/O; any thread.
  Result<bool> KeyStored(const std::string& recording_id) const;

  // Keys made on the caller's thread because the pool was empty, since start.
  uint64_t pool_misses() const { return pool_misses_.load(std::memory_order_relaxed); }
  size_t pooled() const;

 private:
  struct Job {
    std::string recording_id;
    std::string dek;  // empty: shred
  };
  void Run() EXCLUDES(mu_);

  RecordingKeys& keys_;
  mutable Mutex mu_;
  CondVar cv_;       // kr-keysync: work queued, pool below its size, stop
  CondVar idle_cv_;  // Drain(): a job finished
  std::deque<std::string> pool_ GUARDED_BY(mu_);
  std::deque<Job> pending_ GUARDED_BY(mu_);
  std::string writing_ GUARDED_BY(mu_);  // the id kr-keysync is writing, or ""
  // Key files that could not be written, by recording id (the newest kMaxFailuresKept).
  std::unordered_map<std::string, std::string> failed_ GUARDED_BY(mu_);
  uint64_t queued_ GUARDED_BY(mu_) = 0;  // jobs ever queued
  uint64_t done_ GUARDED_BY(mu_) = 0;    // jobs ever finished or dropped
  bool stop_ GUARDED_BY(mu_) = false;
  std::atomic<uint64_t> pool_misses_{0};
  std::thread thread_;
};

}  // namespace kronika::srs
