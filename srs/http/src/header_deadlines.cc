// The request-header watchdog (see header_deadlines.h).
#include "header_deadlines.h"

#include <pthread.h>
#include <sys/socket.h>

#include "kronika/thread_boundary.h"

namespace kronika::srs::http_internal {
namespace {

// How often the watchdog looks: a deadline is enforced at most this late.
constexpr std::chrono::milliseconds kScanInterval{100};

}  // namespace

HeaderDeadlines::~HeaderDeadlines() { Stop(); }

void HeaderDeadlines::Start(std::chrono::milliseconds timeout) {
  timeout_ = timeout;
  {
    MutexLock lock(mu_);
    stopping_ = false;
  }
  watchdog_ = std::thread([this] {
    NameCurrentThread("kr-http-dl");
    Run();
  });
}

void HeaderDeadlines::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.SignalAll();
  if (watchdog_.joinable()) watchdog_.join();
}

HeaderDeadlines::Connection* HeaderDeadlines::Opened(int fd) {
  auto* c = new Connection;
  c->fd = fd;
  MutexLock lock(mu_);
  c->headers_due = std::chrono::steady_clock::now() + timeout_;
  connections_.insert(c);
  return c;
}

void HeaderDeadlines::RequestStarted(Connection* c) {
  if (c == nullptr) return;
  MutexLock lock(mu_);
  c->in_request = true;
}

void HeaderDeadlines::RequestFinished(Connection* c) {
  if (c == nullptr) return;
  MutexLock lock(mu_);
  c->in_request = false;
  c->served = true;
  c->headers_due = std::chrono::steady_clock::now() + timeout_;
}

void HeaderDeadlines::Closed(Connection* c) {
  if (c == nullptr) return;
  {
    MutexLock lock(mu_);
    connections_.erase(c);
  }
  delete c;
}

uint64_t HeaderDeadlines::open() const {
  MutexLock lock(mu_);
  return connections_.size();
}

void HeaderDeadlines::Run() {
  MutexLock lock(mu_);
  while (!stopping_) {
    wake_.WaitFor(mu_, kScanInterval, [this]() REQUIRES(mu_) { return stopping_; });
    const auto now = std::chrono::steady_clock::now();
    for (Connection* c : connections_) {
      if (c->in_request || c->shut_down || now < c->headers_due) continue;
      // The library sees the end of the stream and closes the connection on its thread.
      ::shutdown(c->fd, SHUT_RDWR);
      c->shut_down = true;
      if (!c->served) timeouts_.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

}  // namespace kronika::srs::http_internal
