// HeaderDeadlines: closes connections whose request headers do not arrive in time
// (issue 12 item 4: a client sending one header line per second must not hold anything).
//
// libmicrohttpd's own timeout only measures silence, so a client that trickles a byte now
// and then is never cut off by it. Every connection is registered here when it opens; its
// request line and headers (and, with TLS, the handshake) must be complete within
// `timeout` of the connection's start or of its previous response. A watchdog thread shuts
// the socket down (shutdown(2), not close: the library still owns the descriptor and closes
// it when it sees the end of the stream). Connections are unregistered by the library's
// "closed" notification, which comes before it closes the descriptor, and Closed() takes the
// same lock as the watchdog, so a descriptor number is never shut down after reuse.
//
// Threads: Opened/RequestStarted/RequestFinished/Closed from the server's event threads;
// the watchdog is its own thread ("http-deadline"); counters from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <unordered_set>

#include "kronika/mutex.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs::http_internal {

class HeaderDeadlines {
 public:
  // One open connection (the library's per-socket context).
  struct Connection {
    int fd = -1;
    std::chrono::steady_clock::time_point headers_due;  // guarded by HeaderDeadlines::mu_
    bool in_request = false;                             // headers complete, not yet answered
    bool shut_down = false;
    bool served = false;  // answered a request before: a timeout now is keep-alive expiry
  };

  HeaderDeadlines() = default;
  ~HeaderDeadlines();  // Stop()s
  HeaderDeadlines(const HeaderDeadlines&) = delete;
  HeaderDeadlines& operator=(const HeaderDeadlines&) = delete;

  void Start(std::chrono::milliseconds timeout);
  void Stop();  // joins the watchdog; idempotent

  // Registers a new connection; the returned object lives until Closed().
  Connection* Opened(int fd);
  void RequestStarted(Connection* c);   // headers complete: no deadline while it is served
  void RequestFinished(Connection* c);  // answered: the next request's headers are due
  void Closed(Connection* c);           // unregisters and frees `c`

  uint64_t open() const;
  // Connections shut down before their first request's headers were complete (keep-alive
  // connections closed while waiting for a next request are not counted).
  uint64_t timeouts() const { return timeouts_.load(std::memory_order_relaxed); }

 private:
  void Run() EXCLUDES(mu_);

  std::chrono::milliseconds timeout_{5000};
  mutable Mutex mu_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  // The set, and the fields of each Connection in it, are guarded by mu_ (the analysis only
  // sees the set: a Connection's fields cannot name the HeaderDeadlines that owns it).
  std::unordered_set<Connection*> connections_ GUARDED_BY(mu_);
  std::atomic<uint64_t> timeouts_{0};
  std::thread watchdog_;
};

}  // namespace kronika::srs::http_internal
