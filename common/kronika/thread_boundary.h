// Thread boundaries (issue 13 item 4): no exception from the work a thread runs ends the
// process. Every long-lived thread of Kronika runs each unit of its work (a command, a
// batch, a sweep, a request) through RunGuarded(). A throw is caught there, logged with the
// thread's name, counted by thread (kronika_thread_faults_total{thread}, srs/core metrics)
// and handed back to the caller as `false`, so the component either skips the item and goes
// on (FaultEffect::kRecovered) or reports itself failed (FaultEffect::kFailed: the gauge
// kronika_thread_failed{thread} is 1 and /readyz says 503 until the component calls
// ClearFailed() after its next success).
//
// Why a process-wide tally and not a counter per component: the threads live in libraries
// that cannot see srs/core's Metrics (media/ is below srs/), and a fault is a fact about the
// process, like a log line. The tally is small (one row per thread name), mutex-guarded and
// only touched when a fault happens or a scrape reads it.
//
// Thread names are at most 15 bytes (the kernel's limit, TASK_COMM_LEN - 1) and all start
// with "kr-" (docs/architecture.md, "Threads"): kr-media-<N>, kr-finisher, kr-store-wr,
// kr-sweeper, kr-encrypt, kr-keysync, kr-admin, kr-http-w<N>, kr-http-dl, kr-signals;
// "kr-sip" names the SIP thread's faults (the thread itself is the process's main thread and
// keeps the process name, so `pidof kronika` still works).
//
// Test seam: RunGuarded() first passes a fault point that a test arms with
// testing::ArmFault() to throw inside a chosen thread's boundary (fault_injection.h).
#pragma once

#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kronika/fault_injection.h"
#include "kronika/mutex.h"
#include "kronika/thread_annotations.h"

namespace kronika {

inline constexpr size_t kMaxThreadNameBytes = 15;  // pthread_setname_np's limit

// Names the calling thread (top -H, perf, /proc/<pid>/task/*/comm, and CurrentThreadName())
// and declares it to ThreadFaults (its fault series exist from now). `name` is cut at 15 bytes.
inline void NameCurrentThread(std::string_view name);
// The name last given with NameCurrentThread(), else what the kernel has ("kronika").
inline const std::string& CurrentThreadName();

enum class FaultEffect {
  kRecovered,  // the item was skipped; the component goes on as before
  kFailed,     // the component cannot do its job until it succeeds again (health says so)
};

struct ThreadFaultState {
  std::string thread;
  uint64_t faults = 0;     // every fault caught on this thread since start
  bool failed = false;     // the last fault was kFailed and no success cleared it
  std::string last_fault;  // what the last fault said
};

// The process-wide tally. Thread-safe; every function is noexcept (a boundary must not throw).
class ThreadFaults {
 public:
  static ThreadFaults& Process() {
    static ThreadFaults instance;
    return instance;
  }

  // Receives each log line (without time or level); default: one write(2) to stderr. The
  // daemon routes it to its log (error level).
  using LogSink = std::function<void(std::string_view line)>;
  void SetLogSink(LogSink sink) noexcept {
    MutexLock lock(mu_);
    sink_ = std::move(sink);
  }

  // A fault caught on `thread`: counted, logged (the first, then at most one line a second
  // per thread, saying how many were not logged), and with kFailed marks the thread failed.
  void Report(std::string_view thread, std::string_view what, FaultEffect effect) noexcept {
    try {
      std::string line;
      LogSink sink;
      {
        MutexLock lock(mu_);
        Entry& e = by_thread_[std::string(thread)];
        ++e.state.faults;
        e.state.failed = effect == FaultEffect::kFailed || e.state.failed;
        e.state.last_fault = std::string(what);
        const auto now = std::chrono::steady_clock::now();
        if (e.state.faults > 1 && now - e.last_logged < kLogEvery) {
          ++e.not_logged;
          return;
        }
        e.last_logged = now;
        line = "thread " + std::string(thread) + ": " + std::string(what) +
               (effect == FaultEffect::kFailed ? " (failed: it retries, /readyz says 503 until it succeeds)"
                                               : " (recovered: the item was skipped)");
        if (e.not_logged > 0) line += "; " + std::to_string(e.not_logged) + " more faults since the last line";
        e.not_logged = 0;
        sink = sink_;
      }
      if (sink) {
        sink(line);
      } else {
        line = "ERROR " + line + "\n";
        ssize_t ignored = ::write(2, line.data(), line.size());
        (void)ignored;
      }
    } catch (...) {  // out of memory while reporting: the count may be lost, the thread is not
      static constexpr char kLost[] = "ERROR thread fault: could not be reported (out of memory)\n";
      ssize_t ignored = ::write(2, kLost, sizeof kLost - 1);
      (void)ignored;
    }
  }

  // A thread that exists (named): listed by Snapshot() with 0 faults, so its series is there
  // before its first fault.
  void Declare(std::string_view thread) noexcept {
    try {
      MutexLock lock(mu_);
      by_thread_.try_emplace(std::string(thread));
    } catch (...) {
    }
  }

  // The component works again (e.g. the store committed): its failed mark goes.
  void ClearFailed(std::string_view thread) noexcept {
    MutexLock lock(mu_);
    auto it = by_thread_.find(thread);
    if (it != by_thread_.end()) it->second.state.failed = false;
  }

  // Every thread that ever had a fault, by name.
  std::vector<ThreadFaultState> Snapshot() const {
    MutexLock lock(mu_);
    std::vector<ThreadFaultState> out;
    for (const auto& [name, e] : by_thread_) {
      out.push_back(e.state);
      out.back().thread = name;
    }
    return out;
  }

  uint64_t FaultsOf(std::string_view thread) const noexcept {
    MutexLock lock(mu_);
    auto it = by_thread_.find(thread);
    return it == by_thread_.end() ? 0 : it->second.state.faults;
  }

 private:
  static constexpr std::chrono::seconds kLogEvery{1};
  struct Entry {
    ThreadFaultState state;
    std::chrono::steady_clock::time_point last_logged{};
    uint64_t not_logged = 0;
  };
  mutable Mutex mu_;
  std::map<std::string, Entry, std::less<>> by_thread_ GUARDED_BY(mu_);
  LogSink sink_ GUARDED_BY(mu_);
};

// Runs `body()` on the calling thread inside the boundary of `thread`. Returns true when it
// returned normally; false when it threw (the fault is then reported with `effect`; the
// caller skips the item or marks itself failed). Never throws.
template <typename Body>
bool RunGuarded(std::string_view thread, FaultEffect effect, Body&& body) noexcept {
  try {
    testing::FaultPoint(thread);
    std::forward<Body>(body)();
    return true;
  } catch (const std::exception& e) {
    ThreadFaults::Process().Report(thread, e.what(), effect);
  } catch (...) {
    ThreadFaults::Process().Report(thread, "unknown exception", effect);
  }
  return false;
}

namespace thread_boundary_internal {
inline std::string& NameSlot() {
  thread_local std::string name;
  return name;
}
}  // namespace thread_boundary_internal

inline void NameCurrentThread(std::string_view name) {
  std::string& slot = thread_boundary_internal::NameSlot();
  slot = std::string(name.substr(0, kMaxThreadNameBytes));
  pthread_setname_np(pthread_self(), slot.c_str());
  ThreadFaults::Process().Declare(slot);
}

inline const std::string& CurrentThreadName() {
  std::string& slot = thread_boundary_internal::NameSlot();
  if (slot.empty()) {
    char buf[kMaxThreadNameBytes + 1] = {};
    if (pthread_getname_np(pthread_self(), buf, sizeof buf) == 0) slot = buf;
    if (slot.empty()) slot = "unnamed";
  }
  return slot;
}

}  // namespace kronika
