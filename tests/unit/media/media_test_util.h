// Test helpers for media engine tests: scratch directories, PCMU stream specs, waiting for
// a finished file, real-time tone senders and a recorder process to SIGKILL.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "audio_test_util.h"
#include "kronika/media/media_engine.h"
#include "rtp_test_sender.h"

namespace kronika::media::testing {

// A fresh, empty <tmp>/kronika_<name>_<pid>.
inline std::filesystem::path TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("kronika_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Engine settings for tests: recordings in a fresh TempDir(name), RTP ports port_min ..
// port_max (0: port_min + 99), `workers` worker threads, no free-disk reserve.
inline MediaConfig TestEngineConfig(const std::string& name, uint16_t port_min, int workers = 1,
                                    uint16_t port_max = 0) {
  MediaConfig c;
  c.recordings_dir = TempDir(name);
  c.rtp_port_min = port_min;
  c.rtp_port_max = port_max != 0 ? port_max : static_cast<uint16_t>(port_min + 99);
  c.workers = workers;
  c.min_free_disk_bytes = 0;
  return c;
}

// One PCMU (PT 0, 8 kHz) stream from 127.0.0.1 on m-line `mline`, label mline + 1.
inline StreamSpec PcmuStream(size_t mline, int channel) {
  StreamSpec s;
  s.mline_index = mline;
  s.label = std::to_string(mline + 1);
  s.channel = channel;
  sdp::PayloadFormat pcmu;
  pcmu.payload_type = 0;
  pcmu.encoding = "PCMU";
  pcmu.clock_rate = 8000;
  s.formats = {pcmu};
  s.remote_ip = "127.0.0.1";
  return s;
}

// Two PCMU legs: m-line 0 left, m-line 1 right.
inline RecordingSpec StereoPcmuSpec(const std::string& recording_id) {
  RecordingSpec spec;
  spec.recording_id = recording_id;
  spec.streams = {PcmuStream(0, 0), PcmuStream(1, 1)};
  return spec;
}

// Waits (up to 10 s) for the engine to report `id` finished.
inline bool WaitFinished(MediaEngine& engine, const std::string& id) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{engine.event_fd(), POLLIN, 0};
    poll(&p, 1, 50);
    for (auto& e : engine.TakeEvents()) {
      if (e.recording_id == id && e.kind == MediaEventKind::kFinished) return true;
    }
  }
  return false;
}

// Sends `frames` 20 ms PCMU frames in real time: `left_hz` to `left_port`, `right_hz` to
// `right_port` (SSRC 1 and 2, timestamps and sequence numbers from 0).
inline void SendTonePair(uint16_t left_port, uint16_t right_port, int frames, double left_hz, double right_hz) {
  PcmuLeg a(left_port, 1, 0, 0);
  PcmuLeg b(right_port, 2, 0, 0);
  int16_t pcm[160];
  const auto start = std::chrono::steady_clock::now();
  for (int f = 0; f < frames; ++f) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * f));
    for (int i = 0; i < 160; ++i) pcm[i] = ToneSample(left_hz, int64_t{f} * 160 + i, 8000);
    a.SendFrame(pcm, 160);
    for (int i = 0; i < 160; ++i) pcm[i] = ToneSample(right_hz, int64_t{f} * 160 + i, 8000);
    b.SendFrame(pcm, 160);
  }
}

inline std::atomic<int64_t> g_stall_ns{0};

inline void SleepInSignal(int) {
  const int64_t ns = g_stall_ns.load();
  timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// Freezes every media worker thread of this process ("kr-media-<N>") for `stall`, without
// blocking the caller (a signal whose handler sleeps, as a worker blocked in write() or
// starved of CPU would be). Returns how many threads were signalled.
inline int StallMediaWorkers(std::chrono::milliseconds stall) {
  struct sigaction sa {};
  sa.sa_handler = SleepInSignal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, nullptr);
  g_stall_ns = std::chrono::nanoseconds(stall).count();
  int signalled = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name.rfind("kr-media-", 0) != 0) continue;
    const pid_t tid = static_cast<pid_t>(std::stol(task.path().filename().string()));
    if (syscall(SYS_tgkill, getpid(), tid, SIGUSR1) == 0) ++signalled;
  }
  return signalled;
}

// A recorder in a child process (to be killed with SIGKILL): starts an engine on `config`,
// opens StereoPcmuSpec(recording_id), sealed under `at_rest_key` unless it is empty, and
// waits. `ports` are its two RTP ports, 0 when the engine or the recording did not start.
struct RecorderProcess {
  pid_t pid = -1;
  uint16_t ports[2] = {0, 0};
};

inline RecorderProcess ForkRecorder(const MediaConfig& config, const std::string& recording_id,
                                    const std::string& at_rest_key = "") {
  RecorderProcess out;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return out;
  out.pid = fork();
  if (out.pid == 0) {
    close(pipe_fds[0]);
    auto engine = MediaEngine::Start(config);
    uint16_t ports[2] = {0, 0};
    if (engine.ok()) {
      auto opened = (*engine)->OpenSealed(StereoPcmuSpec(recording_id), at_rest_key);
      if (opened.ok()) {
        ports[0] = opened->local_ports[0];
        ports[1] = opened->local_ports[1];
      }
    }
    (void)!write(pipe_fds[1], ports, sizeof ports);
    for (;;) pause();
  }
  close(pipe_fds[1]);
  if (out.pid > 0 && read(pipe_fds[0], out.ports, sizeof out.ports) != sizeof out.ports) out.ports[0] = 0;
  close(pipe_fds[0]);
  return out;
}

}  // namespace kronika::media::testing
