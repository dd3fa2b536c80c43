// On-thread assertions (common/kronika/thread_role.h, issue 13 item 4).
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <thread>

#include "kronika/thread_role.h"

namespace kronika {
namespace {

TEST_CASE("thread role: the first thread that checks owns it; another thread does not") {
  ThreadRole role("sip");
  CHECK(role.OnOwnerThread());
  bool other = true;
  std::thread([&] { other = role.OnOwnerThread(); }).join();
  CHECK_FALSE(other);
  CHECK(role.OnOwnerThread());
}

TEST_CASE("thread role: a worker binds it at the top of its loop, taking it from the thread that built it") {
  ThreadRole role("media worker");
  CHECK(role.OnOwnerThread());  // the constructor's thread checked first
  bool on_worker = false;
  std::thread([&] {
    role.BindToCurrentThread();
    on_worker = role.OnOwnerThread();
  }).join();
  CHECK(on_worker);
  CHECK_FALSE(role.OnOwnerThread());
}

// Runs `body` in a forked child; returns the signal that ended it, 0 when it exited.
int SignalOfChild(void (*body)()) {
  const pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

TEST_CASE("thread role: a check off the owner thread aborts in debug builds and is free in release builds") {
  const int signal = SignalOfChild([] {
    ThreadRole role("sip");
    role.Check("SessionManager::OnInitialInvite");
    std::thread([&] { role.Check("SessionManager::OnInitialInvite"); }).join();
  });
#ifndef NDEBUG
  CHECK(signal == SIGABRT);
#else
  CHECK(signal == 0);
#endif
}

TEST_CASE("no disk I/O: a marked thread's disk check aborts in debug builds, other threads and release builds pass") {
  const int on_marked = SignalOfChild([] {
    const DiskIoForbidden mark("the SIP thread");
    CheckDiskIoAllowed("LMDB read transaction");
  });
#ifndef NDEBUG
  CHECK(on_marked == SIGABRT);
#else
  CHECK(on_marked == 0);
#endif
  const int elsewhere = SignalOfChild([] {
    const DiskIoForbidden mark("the SIP thread");
    std::thread([] { CheckDiskIoAllowed("LMDB write transaction"); }).join();  // kr-store-wr
  });
  CHECK(elsewhere == 0);
  {
    const DiskIoForbidden mark("the SIP thread");
    CHECK(DiskIoForbiddenHere());
  }
  CHECK_FALSE(DiskIoForbiddenHere());  // Run() returned: the thread's shutdown work may use the disk
}

}  // namespace
}  // namespace kronika
