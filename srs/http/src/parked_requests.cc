// The long-poll parking thread (see parked_requests.h).
#include "parked_requests.h"

#include <utility>

#include "kronika/srs/core/log.h"
#include "kronika/thread_boundary.h"

namespace kronika::srs::http_internal {

ParkedRequests::~ParkedRequests() { Stop(); }

void ParkedRequests::Start(std::chrono::milliseconds interval) {
  {
    MutexLock lock(mu_);
    if (running_) return;
    interval_ = interval;
    running_ = true;
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    NameCurrentThread(kHttpParkThreadName);
    Run();
  });
}

void ParkedRequests::Park(std::string what, Poll poll, std::chrono::steady_clock::time_point until,
                          Answer answer) {
  Parked p{std::move(what), std::move(poll), until, std::move(answer)};
  {
    MutexLock lock(mu_);
    if (running_ && !stopping_) {
      parked_.push_back(std::move(p));
      ++unanswered_;
      return;
    }
  }
  // Not running (stopped, or never started): answered now, as if its time were up.
  std::optional<HttpResponse> r = PollOnce(p, true);
  p.answer(r ? std::move(*r) : HttpResponse::JsonError(500, "internal error (logged)"));
}

std::optional<HttpResponse> ParkedRequests::PollOnce(const Parked& p, bool expired) {
  std::optional<HttpResponse> r;
  if (RunGuarded(kHttpParkThreadName, FaultEffect::kRecovered, [&] { r = p.poll(expired); })) {
    if (expired && !r) {
      Logf(LogLevel::kError, "", "http: %s answered 500: its poll gave no answer at its deadline", p.what.c_str());
      return HttpResponse::JsonError(500, "internal error (logged)");
    }
    return r;
  }
  Logf(LogLevel::kError, "", "http: %s answered 500: its poll threw (the line 'thread %s: ...' says what)",
       p.what.c_str(), kHttpParkThreadName);
  return HttpResponse::JsonError(500, "internal error (logged)");
}

void ParkedRequests::Run() {
  for (;;) {
    std::vector<Parked> round;
    bool stopping;
    {
      MutexLock lock(mu_);
      wake_.WaitFor(mu_, interval_, [this]() REQUIRES(mu_) { return stopping_; });
      stopping = stopping_;
      round.swap(parked_);
    }
    const auto now = std::chrono::steady_clock::now();
    std::vector<Parked> waiting;
    size_t answered = 0;
    for (Parked& p : round) {
      std::optional<HttpResponse> r = PollOnce(p, stopping || now >= p.until);
      if (r) {
        p.answer(std::move(*r));
        ++answered;
      } else {
        waiting.push_back(std::move(p));
      }
    }
    MutexLock lock(mu_);
    unanswered_ -= answered;
    // Requests parked during the round wait behind those that waited before them.
    for (Parked& p : parked_) waiting.push_back(std::move(p));
    parked_.swap(waiting);
    if (stopping && parked_.empty()) return;
  }
}

void ParkedRequests::Stop() {
  {
    MutexLock lock(mu_);
    if (!running_) return;
    stopping_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
  MutexLock lock(mu_);
  running_ = false;
}

size_t ParkedRequests::parked() const {
  MutexLock lock(mu_);
  return unanswered_;
}

}  // namespace kronika::srs::http_internal
