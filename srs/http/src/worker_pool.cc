// The HTTP handler threads (see worker_pool.h).
#include "worker_pool.h"

#include <utility>

#include "kronika/thread_boundary.h"

namespace kronika::srs::http_internal {

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Start(int threads, size_t max_queued, const std::string& name_prefix) {
  {
    MutexLock lock(mu_);
    max_queued_ = max_queued;
    stopping_ = false;
  }
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, name = name_prefix + std::to_string(i)] {
      NameCurrentThread(name);  // cut at 15 bytes, the kernel's limit
      Run();
    });
  }
}

bool WorkerPool::TryReserve() {
  MutexLock lock(mu_);
  if (stopping_ || threads_.empty() || queue_.size() + reserved_ >= max_queued_) return false;
  ++reserved_;
  return true;
}

void WorkerPool::Submit(std::function<void()> job) {
  bool stopping;
  {
    MutexLock lock(mu_);
    --reserved_;
    queue_.push_back(std::move(job));
    stopping = stopping_;
  }
  // While stopping, the last reservation filled also lets the idle threads leave.
  if (stopping) {
    wake_.SignalAll();
  } else {
    wake_.Signal();
  }
}

void WorkerPool::Run() {
  for (;;) {
    std::function<void()> job;
    {
      MutexLock lock(mu_);
      // On stop, leave only when no reserved slot can still be filled.
      wake_.Wait(mu_, [this]() REQUIRES(mu_) { return !queue_.empty() || (stopping_ && reserved_ == 0); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

void WorkerPool::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.SignalAll();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

}  // namespace kronika::srs::http_internal
