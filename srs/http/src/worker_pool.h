// WorkerPool: the threads that run HttpServer's kWorker route handlers, behind a bounded
// queue. A slot is reserved first (TryReserve, never blocks; false when the queue is full
// or the pool is stopping, so the caller answers 503 at once) and then filled (Submit), so a
// caller can prepare for the job's completion between the two (HttpServer suspends the
// connection) without the job starting too early or being refused too late.
//
// Threads: TryReserve/Submit/Stop from any thread; jobs run on the pool's threads, named
// "<name_prefix><N>" (top -H, cut at 15 bytes). A job must not throw: HttpServer runs its
// handlers inside the thread boundary (RunHandler, thread_boundary.h).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "kronika/mutex.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs::http_internal {

class WorkerPool {
 public:
  WorkerPool() = default;
  ~WorkerPool();  // Stop()s
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Starts `threads` threads; at most `max_queued` jobs wait (reserved or submitted).
  void Start(int threads, size_t max_queued, const std::string& name_prefix);
  // Reserves a queue slot. False: the queue is full or the pool stops; nothing reserved.
  bool TryReserve();
  // Queues `job` into a slot reserved by TryReserve(); it runs even if Stop() began since.
  void Submit(std::function<void()> job);
  // Refuses new reservations, runs every reserved and queued job, joins the threads.
  // Idempotent.
  void Stop();

 private:
  void Run() EXCLUDES(mu_);

  Mutex mu_;
  CondVar wake_;
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  size_t reserved_ GUARDED_BY(mu_) = 0;  // slots reserved, not yet submitted
  size_t max_queued_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace kronika::srs::http_internal
