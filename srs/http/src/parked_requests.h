// ParkedRequests: the requests whose handler answered "not yet" (HttpResponse::poll, long
// polling), each waiting on a suspended connection rather than on a worker thread.
//
// One thread ("kr-http-park") wakes every `interval`, asks each parked request's poll
// function once (expired = true once its deadline has passed), and hands every answer to
// the request's `answer` callback, which resumes the connection. A poll that throws is
// answered 500, logged and counted under the thread's name (thread_boundary.h). Polls run
// one after the other, so each must be quick (one LMDB read); a round over N parked
// requests costs N polls.
//
// Threads: Start/Park/Stop/parked from any thread; poll and answer run on the parking
// thread, or on the thread calling Park() when the parking thread is not running (then the
// request is answered at once, as expired) and on the thread calling Stop() for the
// requests still parked then.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kronika/mutex.h"
#include "kronika/srs/http/http_server.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs::http_internal {

class ParkedRequests {
 public:
  using Poll = std::function<std::optional<HttpResponse>(bool expired)>;
  using Answer = std::function<void(HttpResponse)>;

  ParkedRequests() = default;
  ~ParkedRequests();  // Stop()s
  ParkedRequests(const ParkedRequests&) = delete;
  ParkedRequests& operator=(const ParkedRequests&) = delete;

  // Starts the parking thread, polling every `interval`.
  void Start(std::chrono::milliseconds interval);
  // Parks a request until `poll` answers or `until` passes; `answer` is called exactly once
  // with the answer. `what` ("GET /api/v1/events") names it in the log.
  void Park(std::string what, Poll poll, std::chrono::steady_clock::time_point until, Answer answer);
  // Answers every parked request now (poll(true)), joins the thread. Later Park() calls are
  // answered at once. Idempotent.
  void Stop();
  // Requests parked and not yet answered (those in the round being polled included).
  size_t parked() const;

 private:
  struct Parked {
    std::string what;
    Poll poll;
    std::chrono::steady_clock::time_point until;
    Answer answer;
  };
  // One poll of `p`, inside the thread boundary; nullopt: not yet.
  static std::optional<HttpResponse> PollOnce(const Parked& p, bool expired);
  void Run() EXCLUDES(mu_);

  mutable Mutex mu_;
  CondVar wake_;
  std::vector<Parked> parked_ GUARDED_BY(mu_);  // waiting for the next round
  size_t unanswered_ GUARDED_BY(mu_) = 0;      // parked_ + those in the round being polled
  std::chrono::milliseconds interval_ GUARDED_BY(mu_){100};
  bool running_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace kronika::srs::http_internal
