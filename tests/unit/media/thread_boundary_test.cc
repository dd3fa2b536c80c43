// Thread boundaries of the media engine (issue 13 item 4): a throw inside a media worker or
// the file finisher, injected through the boundary's test seam (fault_injection.h), fails
// the recording it hit - its session hears kFailed and why - and nothing else: the thread
// goes on and records the next call. The fault is logged with the thread's name and counted
// by thread (ThreadFaults, exported as kronika_thread_faults_total{thread}).
#include "kronika/thread_boundary.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "file_finisher.h"
#include "kronika/media/media_engine.h"
#include "media_test_util.h"
#include "ogg_opus_writer.h"
#include "work_queue.h"

namespace kronika::media {
namespace {

// Collects the boundary's log lines for the test's lifetime.
class LogCapture {
 public:
  LogCapture() {
    ThreadFaults::Process().SetLogSink([this](std::string_view line) {
      std::lock_guard lock(mu_);
      lines_.emplace_back(line);
    });
  }
  ~LogCapture() { ThreadFaults::Process().SetLogSink(nullptr); }
  // The captured line that contains `text`, or "".
  std::string Find(std::string_view text) const {
    std::lock_guard lock(mu_);
    for (const std::string& l : lines_) {
      if (l.find(text) != std::string::npos) return l;
    }
    return "";
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// Events for `id` until one of kFinished/kFailed arrives (up to 10 s); the last is it.
std::vector<MediaEvent> WaitEnd(MediaEngine& engine, const std::string& id) {
  std::vector<MediaEvent> out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{engine.event_fd(), POLLIN, 0};
    poll(&p, 1, 50);
    for (MediaEvent& e : engine.TakeEvents()) {
      if (e.recording_id != id) continue;
      const bool end = e.kind == MediaEventKind::kFinished || e.kind == MediaEventKind::kFailed;
      out.push_back(std::move(e));
      if (end) return out;
    }
  }
  return out;
}

bool Ended(const std::vector<MediaEvent>& events, MediaEventKind kind) {
  return !events.empty() && events.back().kind == kind;
}

TEST_CASE("thread boundary: a throw is caught, logged with the thread's name and counted", "[thread-boundary]") {
  LogCapture log;
  const uint64_t before = ThreadFaults::Process().FaultsOf("kr-test-a");
  bool after_fault_ran = false;
  std::thread t([&] {
    NameCurrentThread("kr-test-a");
    CHECK(CurrentThreadName() == "kr-test-a");
    CHECK_FALSE(
        RunGuarded(CurrentThreadName(), FaultEffect::kRecovered, [] { throw std::runtime_error("bad row 7"); }));
    after_fault_ran = RunGuarded(CurrentThreadName(), FaultEffect::kRecovered, [] {});
  });
  t.join();
  CHECK(after_fault_ran);
  CHECK(ThreadFaults::Process().FaultsOf("kr-test-a") == before + 1);
  const std::string line = log.Find("kr-test-a");
  CHECK(line.find("bad row 7") != std::string::npos);
  CHECK(line.find("recovered") != std::string::npos);
  // Names are cut to the kernel's 15 bytes; the kernel sees the same name.
  std::thread named([] {
    NameCurrentThread("kr-a-name-longer-than-15");
    char buf[32] = {};
    pthread_getname_np(pthread_self(), buf, sizeof buf);
    CHECK(std::string(buf) == "kr-a-name-longe");
    CHECK(CurrentThreadName() == "kr-a-name-longe");
  });
  named.join();
}

TEST_CASE("thread boundary: a failed component is marked until it clears itself", "[thread-boundary]") {
  LogCapture log;
  RunGuarded("kr-test-b", FaultEffect::kFailed, [] { throw std::runtime_error("disk said no"); });
  auto failed = [] {
    for (const ThreadFaultState& t : ThreadFaults::Process().Snapshot()) {
      if (t.thread == "kr-test-b") return t.failed;
    }
    return false;
  };
  CHECK(failed());
  CHECK(log.Find("kr-test-b").find("failed") != std::string::npos);
  ThreadFaults::Process().ClearFailed("kr-test-b");
  CHECK_FALSE(failed());
}

TEST_CASE("media worker: a throw in its work fails that recording only, the worker records the next call",
          "[thread-boundary]") {
  LogCapture log;
  MediaConfig config = testing::TestEngineConfig("boundary_worker", 36100, 1);
  auto engine = MediaEngine::Start(config);
  REQUIRE(engine.ok());
  const uint64_t before = ThreadFaults::Process().FaultsOf("kr-media-0");

  // The next boundary the worker passes with this recording open throws (a command, a
  // socket read or its 20 ms tick: whichever comes first, the recording is the one hit).
  kronika::testing::ArmFault("kr-media-", 1);
  auto hit = (*engine)->Open(testing::StereoPcmuSpec("boundary-hit"));
  REQUIRE(hit.ok());
  const std::vector<MediaEvent> hit_events = WaitEnd(**engine, "boundary-hit");
  REQUIRE(Ended(hit_events, MediaEventKind::kFailed));
  CHECK(hit_events.back().detail.find("kr-media-0") != std::string::npos);
  (*engine)->Close("boundary-hit");  // the SIP side closes what failed; must be harmless
  CHECK(kronika::testing::ArmedFaults() == 0);
  CHECK(ThreadFaults::Process().FaultsOf("kr-media-0") == before + 1);
  CHECK(log.Find("kr-media-0").find("injected fault") != std::string::npos);

  // The same worker records the next call to the end.
  auto next = (*engine)->Open(testing::StereoPcmuSpec("boundary-next"));
  REQUIRE(next.ok());
  testing::SendTonePair(next->local_ports[0], next->local_ports[1], 25, 440, 1000);
  (*engine)->Close("boundary-next");
  const std::vector<MediaEvent> next_events = WaitEnd(**engine, "boundary-next");
  REQUIRE(Ended(next_events, MediaEventKind::kFinished));
  CHECK(std::filesystem::file_size(next_events.back().detail) > 0);
  CHECK((*engine)->Stats().recordings_failed_total == 1);
  CHECK((*engine)->Stats().workers_stalled == 0);
}

TEST_CASE("file finisher: a throw while finishing fails that file only, the next one is finished",
          "[thread-boundary]") {
  LogCapture log;
  const std::filesystem::path dir = testing::TempDir("boundary_finisher");
  WorkQueue<MediaEvent> events(64);
  REQUIRE(events.ok());
  const uint64_t before = ThreadFaults::Process().FaultsOf(kFileFinisherThreadName);
  auto job = [&](const std::string& id) {
    FinishJob j;
    j.recording_id = id;
    j.part_path = dir / (id + ".opus.part");
    j.final_path = dir / (id + ".opus");
    j.fd = ::open(j.part_path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    REQUIRE(j.fd >= 0);
    REQUIRE(::write(j.fd, "OggS", 4) == 4);
    return j;
  };
  std::vector<MediaEvent> got;
  {
    FileFinisher finisher(dir, &events);
    kronika::testing::ArmFault(kFileFinisherThreadName, 1);
    finisher.Submit(job("finish-hit"));
    finisher.Submit(job("finish-next"));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (got.size() < 2 && std::chrono::steady_clock::now() < deadline) {
      pollfd p{events.fd(), POLLIN, 0};
      poll(&p, 1, 50);
      for (MediaEvent& e : events.TakeAll()) got.push_back(std::move(e));
    }
    CHECK(finisher.failed() == 1);
    CHECK(finisher.finished() == 1);
  }
  REQUIRE(got.size() == 2);
  CHECK(got[0].recording_id == "finish-hit");
  CHECK(got[0].kind == MediaEventKind::kFailed);
  CHECK(got[0].detail.find("kr-finisher") != std::string::npos);
  CHECK(std::filesystem::exists(dir / "finish-hit.opus.part"));  // left for recovery
  CHECK(got[1].recording_id == "finish-next");
  CHECK(got[1].kind == MediaEventKind::kFinished);
  CHECK(std::filesystem::exists(dir / "finish-next.opus"));
  CHECK(ThreadFaults::Process().FaultsOf("kr-finisher") == before + 1);
  CHECK(log.Find("kr-finisher").find("injected fault") != std::string::npos);
}

}  // namespace
}  // namespace kronika::media
