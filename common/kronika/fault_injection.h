// Test seam of the thread boundaries (thread_boundary.h): a test arms a fault for the threads
// whose name starts with a prefix, and the next `times` boundaries those threads pass throw
// std::runtime_error("injected fault") inside RunGuarded(), as a defect in the work would.
//
// Only tests call ArmFault(); the daemon never does, so in it every fault point stays
// unarmed, which costs one relaxed atomic load per boundary passed. It is compiled into
// every build on purpose: the unit tests link the same libraries the daemon does, and a
// compile-time switch would need a second build of each library.
#pragma once

#include <atomic>
#include <stdexcept>
#include <string>
#include <string_view>

#include "kronika/mutex.h"
#include "kronika/thread_annotations.h"

namespace kronika::testing {

namespace fault_injection_internal {
struct Armed {
  std::atomic<int> remaining{0};
  Mutex mu;
  std::string prefix GUARDED_BY(mu);
};
inline Armed& State() {
  static Armed armed;
  return armed;
}
}  // namespace fault_injection_internal

// The next `times` fault points passed by a thread named `prefix`... throw. Replaces what was
// armed before; times 0 disarms.
inline void ArmFault(std::string_view prefix, int times = 1) {
  auto& s = fault_injection_internal::State();
  MutexLock lock(s.mu);
  s.prefix = std::string(prefix);
  s.remaining.store(times, std::memory_order_release);
}

// Faults armed and not yet thrown.
inline int ArmedFaults() { return fault_injection_internal::State().remaining.load(std::memory_order_acquire); }

inline void FaultPoint(std::string_view thread) {
  auto& s = fault_injection_internal::State();
  if (s.remaining.load(std::memory_order_relaxed) <= 0) return;
  {
    MutexLock lock(s.mu);
    if (!thread.starts_with(s.prefix) || s.remaining.load(std::memory_order_relaxed) <= 0) return;
    s.remaining.fetch_sub(1, std::memory_order_acq_rel);
  }
  throw std::runtime_error("injected fault");
}

}  // namespace kronika::testing
