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

}  // namespace kronika
