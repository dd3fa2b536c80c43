// On-thread assertions (issue 13 item 4): state that belongs to one thread says so in code.
//
// A component whose state only one thread may touch (the SIP thread's SessionManager and
// RulesGate, a media worker's recordings, the file finisher's jobs) holds a ThreadRole and
// calls Check() at its entry points. The role belongs to the thread that binds it
// explicitly (a worker at the top of its loop) or, failing that, to the first thread that
// checks it. In debug builds (no NDEBUG: the clang sanitizer build of ./dev test, the fuzz
// targets) a call from any other thread aborts at once, naming the role and the entry point,
// so a cross-thread call shows up in the test that makes it rather than as a rare race in
// production. Release builds compile Check() to nothing.
//
// The same for a whole thread: a thread that must never block on the disk (the SIP thread:
// LMDB transactions, key files; issue 13 item 4) calls ForbidDiskIoOnCurrentThread() while
// it serves, and the code that does such I/O calls CheckDiskIoAllowed() first (the store's
// transaction begin, the key files' writes). Debug builds abort there, naming both; release
// builds compile the check to nothing. A marker per thread (thread_local), so the check
// costs one load and needs no knowledge of which object the caller is.
//
// Threads: Bind and Check from any thread; that is the point.
#pragma once

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace kronika {

class ThreadRole {
 public:
  explicit ThreadRole(const char* name) : name_(name) {}
  ThreadRole(const ThreadRole&) = delete;
  ThreadRole& operator=(const ThreadRole&) = delete;

  // The calling thread owns the role from now on (replacing any earlier owner).
  void BindToCurrentThread() { owner_.store(std::this_thread::get_id(), std::memory_order_release); }

  // True on the owner thread; a role nobody owns yet becomes the caller's.
  bool OnOwnerThread() {
    const std::thread::id self = std::this_thread::get_id();
    std::thread::id owner = owner_.load(std::memory_order_acquire);
    if (owner == std::thread::id()) {
      if (owner_.compare_exchange_strong(owner, self, std::memory_order_acq_rel)) return true;
    }
    return owner == self;
  }

  // Debug builds: aborts when called off the owner thread. `where` names the entry point.
  void Check([[maybe_unused]] const char* where) {
#ifndef NDEBUG
    if (!OnOwnerThread()) {
      std::fprintf(stderr, "kronika: %s called off its thread: %s state belongs to another thread\n", where, name_);
      std::abort();
    }
#endif
  }

  const char* name() const { return name_; }

 private:
  const char* const name_;
  std::atomic<std::thread::id> owner_{};
};

namespace internal {
inline thread_local const char* disk_io_forbidden_on = nullptr;  // the thread's name, or null
}  // namespace internal

// Marks the calling thread as one that does no disk I/O (`thread_name` must outlive the
// mark), until the returned guard is destroyed. The SIP thread, for as long as it serves.
class DiskIoForbidden {
 public:
  explicit DiskIoForbidden(const char* thread_name) : previous_(internal::disk_io_forbidden_on) {
    internal::disk_io_forbidden_on = thread_name;
  }
  ~DiskIoForbidden() { internal::disk_io_forbidden_on = previous_; }
  DiskIoForbidden(const DiskIoForbidden&) = delete;
  DiskIoForbidden& operator=(const DiskIoForbidden&) = delete;

 private:
  const char* const previous_;
};

// True when the calling thread is marked by a DiskIoForbidden (any build).
inline bool DiskIoForbiddenHere() { return internal::disk_io_forbidden_on != nullptr; }

// Debug builds: aborts when the calling thread is marked by a DiskIoForbidden. `what` names
// the I/O ("LMDB write transaction").
inline void CheckDiskIoAllowed([[maybe_unused]] const char* what) {
#ifndef NDEBUG
  if (const char* thread = internal::disk_io_forbidden_on; thread != nullptr) {
    std::fprintf(stderr, "kronika: %s on %s, which must not do disk I/O (issue 13 item 4)\n", what, thread);
    std::abort();
  }
#endif
}

}  // namespace kronika
