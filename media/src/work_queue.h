// WorkQueue<T>: bounded multi-producer queue with an eventfd a consumer can poll.
//
// Producers (the SIP thread, workers) never block: TryPush fails when the queue holds
// `capacity` items, ForcePush ignores the bound (for messages that must not be lost, like
// Close). The consumer registers fd() with epoll; it is readable while items are pending.
// Thread-safe.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstddef>
#include <deque>
#include <utility>
#include <vector>

#include "kronika/mutex.h"
#include "kronika/thread_annotations.h"

namespace kronika::media {

template <typename T>
class WorkQueue {
 public:
  explicit WorkQueue(size_t capacity) : capacity_(capacity), fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~WorkQueue() {
    if (fd_ >= 0) close(fd_);
  }
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // False (item untouched) when full.
  bool TryPush(T& item) {
    {
      MutexLock lock(mu_);
      if (items_.size() >= capacity_) return false;
      items_.push_back(std::move(item));
    }
    Signal();
    return true;
  }

  void ForcePush(T item) {
    {
      MutexLock lock(mu_);
      items_.push_back(std::move(item));
    }
    Signal();
  }

  // Everything pending, oldest first; clears the eventfd.
  std::vector<T> TakeAll() {
    uint64_t counter;
    (void)!read(fd_, &counter, sizeof counter);
    MutexLock lock(mu_);
    std::vector<T> out(std::make_move_iterator(items_.begin()), std::make_move_iterator(items_.end()));
    items_.clear();
    return out;
  }

 private:
  void Signal() {
    const uint64_t one = 1;
    (void)!write(fd_, &one, sizeof one);
  }

  const size_t capacity_;
  const int fd_;
  Mutex mu_;
  std::deque<T> items_ GUARDED_BY(mu_);
};

}  // namespace kronika::media
