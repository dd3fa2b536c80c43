// media_bench: what recording costs through the real MediaEngine, written as JSON.
//
// 1. cost: `--calls` two-leg G.711 calls for `--seconds`, sent over loopback UDP in real
//    time (20 ms packets) to the ports Open returned, recorded by ONE media worker into
//    stereo Ogg Opus files. Engine CPU = process CPU - the sender thread's CPU. Next to
//    it, in the same run, a bare libopus encode of the same PCM (same rate, bitrate,
//    complexity, 20 ms frames). ratio = engine / bare (target <= 1.3).
// 2. ramp: sessions on one worker, doubling then bisecting, each step `--ramp-seconds`;
//    a step passes when every packet sent was accepted, none was lost (sequence gap) and
//    every file was finished within 1 s of the last packet (the worker kept up).
//    Packets the legs dropped as late (arrived > 60 ms after their slot, i.e. sender or
//    worker descheduled that long) are reported per step but do not fail it: on a shared
//    machine they measure the scheduler, not the worker's capacity.
//
// Usage: media_bench [--out FILE] [--calls N] [--seconds S] [--ramp-seconds S]
//                    [--ramp-start N] [--ramp-max N] [--bitrate BPS] [--complexity C] [--no-ramp]
//                    [--packet-ms 20|40|60] [--layout dual|coupled]  (MediaConfig opus_packet_ms,
//                    opus_dual_mono; default: the engine's defaults, dual mono in 20 ms packets)
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kronika/media/media_engine.h"
#include "opus_frame_encoder.h"
#include "rtp_test_sender.h"

namespace kronika::media {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kRate = 8000;
constexpr int kFrame = 160;
constexpr int kLoopFrames = 250;  // 5 s of prepared audio per leg, looped

struct Options {
  std::string out = "media_bench.json";
  int calls = 100;
  double seconds = 20;
  double ramp_seconds = 6;
  int ramp_start = 200;
  int ramp_max = 4000;
  int bitrate = 16000;
  int complexity = 0;
  int packet_ms = 20;      // MediaConfig::opus_packet_ms
  bool dual_mono = true;   // MediaConfig::opus_dual_mono (the default)
  bool ramp = true;
};

double ProcessCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int16_t UlawToLinear(uint8_t u) {
  u = static_cast<uint8_t>(~u);
  int t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return static_cast<int16_t>((u & 0x80) ? (0x84 - t) : (t - 0x84));
}

// Speech-like: a voiced harmonic series with a wandering pitch, syllable-rate envelope,
// pauses, plus background noise. Different seed per leg.
std::vector<int16_t> SpeechLike(unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, 300);
  std::vector<int16_t> out(kLoopFrames * kFrame);
  double phase = 0;
  for (size_t n = 0; n < out.size(); ++n) {
    const double t = static_cast<double>(n) / kRate;
    const double pitch = 120 + 40 * std::sin(2 * M_PI * 0.7 * t + seed);
    phase += 2 * M_PI * pitch / kRate;
    const double envelope = std::max(0.0, std::sin(2 * M_PI * 3.0 * t + seed));  // 3 syllables/s
    const double talking = std::fmod(t + seed * 0.37, 2.5) < 1.8 ? 1.0 : 0.0;    // pauses
    double v = 0;
    for (int h = 1; h <= 12; ++h) v += std::sin(h * phase) / h;
    out[n] = static_cast<int16_t>(std::clamp(4000 * envelope * talking * v + noise(rng), -32000.0, 32000.0));
  }
  return out;
}

struct Leg {
  std::vector<uint8_t> ulaw;   // kLoopFrames * kFrame
};

// Sends 20 ms frames of every leg of `ports` (pairs) in real time for `seconds`.
// One socket per leg keeps sources distinct; returns packets sent.
uint64_t SendCalls(const std::vector<std::pair<uint16_t, uint16_t>>& ports, const Leg legs[2], double seconds) {
  std::vector<std::unique_ptr<testing::UdpSender>> socks;
  socks.reserve(ports.size() * 2);
  for (const auto& [a, b] : ports) {
    socks.push_back(std::make_unique<testing::UdpSender>(a));
    socks.push_back(std::make_unique<testing::UdpSender>(b));
  }
  std::vector<uint8_t> packet(12 + kFrame);
  const int frames = static_cast<int>(seconds * 50);
  uint64_t sent = 0;
  const auto start = Clock::now();
  for (int f = 0; f < frames; ++f) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * f));
    for (size_t s = 0; s < socks.size(); ++s) {
      const Leg& leg = legs[s % 2];
      const int loop_frame = (f + static_cast<int>(s / 2) * 7) % kLoopFrames;  // calls differ
      const uint16_t seq = static_cast<uint16_t>(f);
      const uint32_t ts = static_cast<uint32_t>(f * kFrame);
      const uint32_t ssrc = static_cast<uint32_t>(s + 1);
      packet[0] = 0x80;
      packet[1] = 0;
      packet[2] = static_cast<uint8_t>(seq >> 8);
      packet[3] = static_cast<uint8_t>(seq);
      for (int i = 0; i < 4; ++i) packet[4 + i] = static_cast<uint8_t>(ts >> (24 - 8 * i));
      for (int i = 0; i < 4; ++i) packet[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
      std::memcpy(packet.data() + 12, leg.ulaw.data() + loop_frame * kFrame, kFrame);
      socks[s]->Send(packet.data(), packet.size());
      ++sent;
    }
  }
  return sent;
}

RecordingSpec CallSpec(const std::string& id) {
  RecordingSpec spec;
  spec.recording_id = id;
  for (size_t m = 0; m < 2; ++m) {
    StreamSpec s;
    s.mline_index = m;
    s.channel = static_cast<int>(m);
    sdp::PayloadFormat pcmu;
    pcmu.payload_type = 0;
    pcmu.encoding = "PCMU";
    pcmu.clock_rate = 8000;
    s.formats = {pcmu};
    s.remote_ip = "127.0.0.1";
    spec.streams.push_back(s);
  }
  return spec;
}

struct RunResult {
  bool ok = false;
  std::string error;
  int calls = 0;
  double seconds = 0;
  uint64_t sent = 0;
  uint64_t accepted = 0;
  uint64_t lost = 0;
  uint64_t late = 0;
  double engine_cpu_s = 0;
  double sender_cpu_s = 0;
  double wall_s = 0;  // send + close + files finished
  double recorded_s = 0;
  uint64_t file_bytes = 0;
};

// One measured run: open `calls` recordings on one worker, send, close, wait for files.
RunResult RunCalls(const Options& opt, int calls, double seconds, const Leg legs[2], const std::filesystem::path& dir) {
  RunResult r;
  r.calls = calls;
  r.seconds = seconds;
  MediaConfig config;
  config.workers = 1;
  config.recordings_dir = dir;
  config.opus_bitrate_bps = opt.bitrate;
  config.opus_complexity = opt.complexity;
  config.opus_packet_ms = opt.packet_ms;
  config.opus_dual_mono = opt.dual_mono;
  config.min_free_disk_bytes = 0;
  config.rtp_port_min = 20000;
  config.rtp_port_max = 39999;
  auto engine = MediaEngine::Start(config);
  if (!engine.ok()) {
    r.error = engine.error().message;
    return r;
  }
  std::vector<std::pair<uint16_t, uint16_t>> ports;
  for (int c = 0; c < calls; ++c) {
    auto opened = (*engine)->Open(CallSpec("bench-" + std::to_string(c)));
    if (!opened.ok()) {
      r.error = opened.error().message;
      return r;
    }
    ports.emplace_back(opened->local_ports[0], opened->local_ports[1]);
  }
  const double cpu0 = ProcessCpuSeconds();
  const double sender0 = ThreadCpuSeconds();
  const auto wall0 = Clock::now();
  r.sent = SendCalls(ports, legs, seconds);
  for (int c = 0; c < calls; ++c) (*engine)->Close("bench-" + std::to_string(c));
  int finished = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (finished < calls && Clock::now() < deadline) {
    for (const auto& e : (*engine)->TakeEvents()) {
      if (e.kind == MediaEventKind::kFinished || e.kind == MediaEventKind::kFailed) ++finished;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.sender_cpu_s = ThreadCpuSeconds() - sender0;
  r.wall_s = std::chrono::duration<double>(Clock::now() - wall0).count();
  r.engine_cpu_s = ProcessCpuSeconds() - cpu0 - r.sender_cpu_s;
  const MediaStats s = (*engine)->Stats();
  r.accepted = s.rtp_packets_total;
  r.lost = s.rtp_packets_lost_total;
  r.late = s.rtp_packets_late_total;
  r.recorded_s = s.recorded_seconds_total;
  r.file_bytes = s.file_bytes_written_total;
  r.ok = finished == calls && s.recordings_failed_total == 0;
  if (!r.ok) r.error = "recordings not finished: " + std::to_string(finished) + "/" + std::to_string(calls);
  engine->reset();
  std::filesystem::remove_all(dir);
  return r;
}

// Bare libopus: encode the same PCM (u-law decoded, stereo) frame by frame. `engine_layout`
// false: a true coupled stereo encode in 20 ms packets (the reference the target is set
// against); true: the layout and packet length the engine was configured with.
double BareEncodeCpuPerSecond(const Options& opt, const Leg legs[2], double audio_seconds, bool engine_layout) {
  auto enc = engine_layout ? OpusFrameEncoder::Create({kRate, 2, opt.bitrate, opt.complexity, opt.packet_ms,
                                                       opt.dual_mono ? OpusChannelLayout::kDualMono
                                                                     : OpusChannelLayout::kCoupledStereo})
                           : OpusFrameEncoder::Create(kRate, 2, opt.bitrate, opt.complexity);
  if (!enc.ok()) return -1;
  std::vector<int16_t> pcm(static_cast<size_t>(kLoopFrames) * kFrame * 2);
  for (size_t i = 0; i < static_cast<size_t>(kLoopFrames) * kFrame; ++i) {
    pcm[2 * i] = UlawToLinear(legs[0].ulaw[i]);
    pcm[2 * i + 1] = UlawToLinear(legs[1].ulaw[i]);
  }
  std::vector<uint8_t> packet;
  const int frames = static_cast<int>(audio_seconds * 50);
  const double t0 = ThreadCpuSeconds();
  for (int f = 0; f < frames; ++f) {
    (void)(*enc)->Encode(pcm.data() + static_cast<size_t>(f % kLoopFrames) * kFrame * 2, packet);
  }
  return (ThreadCpuSeconds() - t0) / audio_seconds;
}

nlohmann::json ToJson(const RunResult& r) {
  const double call_seconds = r.calls * r.seconds;
  return {{"calls", r.calls},
          {"seconds", r.seconds},
          {"ok", r.ok},
          {"error", r.error},
          {"packets_sent", r.sent},
          {"packets_accepted", r.accepted},
          {"packets_lost", r.lost},
          {"packets_late", r.late},
          {"engine_cpu_s", r.engine_cpu_s},
          {"sender_cpu_s", r.sender_cpu_s},
          {"engine_cpu_per_call_second", call_seconds > 0 ? r.engine_cpu_s / call_seconds : 0},
          {"wall_s", r.wall_s},
          {"worker_core_share", r.wall_s > 0 ? r.engine_cpu_s / r.wall_s : 0},
          {"recorded_seconds", r.recorded_s},
          {"file_bytes", r.file_bytes}};
}

// A worker sustains a load when every packet was accepted, none lost, and every file was
// finished within kKeepUpSlackS of the last packet (a worker that falls behind real time
// only hides its backlog in the socket buffers for a while).
constexpr double kKeepUpSlackS = 1.0;
bool Passed(const RunResult& r) {
  return r.ok && r.accepted == r.sent && r.lost == 0 && r.wall_s <= r.seconds + kKeepUpSlackS;
}

int Main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--out") opt.out = next();
    else if (a == "--calls") opt.calls = std::stoi(next());
    else if (a == "--seconds") opt.seconds = std::stod(next());
    else if (a == "--ramp-seconds") opt.ramp_seconds = std::stod(next());
    else if (a == "--ramp-max") opt.ramp_max = std::stoi(next());
    else if (a == "--ramp-start") opt.ramp_start = std::stoi(next());
    else if (a == "--bitrate") opt.bitrate = std::stoi(next());
    else if (a == "--complexity") opt.complexity = std::stoi(next());
    else if (a == "--no-ramp") opt.ramp = false;
    else if (a == "--packet-ms") opt.packet_ms = std::stoi(next());
    else if (a == "--layout") opt.dual_mono = next() != "coupled";
    else {
      std::cerr << "usage: media_bench [--out FILE] [--calls N] [--seconds S] [--ramp-seconds S] "
                   "[--ramp-start N] [--ramp-max N] [--bitrate BPS] [--complexity C] [--no-ramp] "
                   "[--packet-ms 20|40|60] [--layout dual|coupled]\n";
      return 2;
    }
  }
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);

  Leg legs[2];
  for (int l = 0; l < 2; ++l) {
    for (int16_t s : SpeechLike(static_cast<unsigned>(l + 1))) legs[l].ulaw.push_back(testing::LinearToUlaw(s));
  }
  const auto dir = std::filesystem::temp_directory_path() / ("kronika_media_bench_" + std::to_string(getpid()));

  nlohmann::json out;
  out["config"] = {{"codec_in", "PCMU 8 kHz, 20 ms, 2 legs"},
                   {"opus", {{"rate_hz", kRate}, {"channels", 2}, {"bitrate_bps", opt.bitrate},
                             {"complexity", opt.complexity}, {"application", "VOIP"}, {"packet_ms", opt.packet_ms},
                             {"layout", opt.dual_mono ? "dual mono (family 1)" : "coupled stereo"}}},
                   {"workers", 1},
                   {"hardware_threads", std::thread::hardware_concurrency()}};
  std::cerr << "media_bench: cost run, " << opt.calls << " calls x " << opt.seconds << " s\n";
  const RunResult cost = RunCalls(opt, opt.calls, opt.seconds, legs, dir);
  const double bare_seconds = std::max(60.0, opt.calls * opt.seconds / 10);
  const double bare = BareEncodeCpuPerSecond(opt, legs, bare_seconds, /*engine_layout=*/false);
  const double bare_same = BareEncodeCpuPerSecond(opt, legs, bare_seconds, /*engine_layout=*/true);
  const double engine_per_s = cost.engine_cpu_s / (cost.calls * cost.seconds);
  out["cost"] = ToJson(cost);
  out["cost"]["bare_libopus_cpu_per_call_second"] = bare;  // coupled stereo, 20 ms
  out["cost"]["bare_same_layout_cpu_per_call_second"] = bare_same;
  out["cost"]["ratio_engine_to_bare"] = bare > 0 ? engine_per_s / bare : 0;
  out["cost"]["ratio_engine_to_bare_same_layout"] = bare_same > 0 ? engine_per_s / bare_same : 0;
  out["cost"]["calls_per_core_estimate"] = engine_per_s > 0 ? 1.0 / engine_per_s : 0;
  std::cerr << "  engine " << engine_per_s << " CPU-s per call-s, bare libopus " << bare << ", ratio "
            << (bare > 0 ? engine_per_s / bare : 0) << "\n";

  if (opt.ramp) {
    nlohmann::json steps = nlohmann::json::array();
    int good = 0;
    int bad = 0;
    int n = opt.ramp_start;
    while (n <= opt.ramp_max) {
      std::cerr << "media_bench: ramp " << n << " sessions\n";
      const RunResult r = RunCalls(opt, n, opt.ramp_seconds, legs, dir);
      steps.push_back(ToJson(r));
      steps.back()["passed"] = Passed(r);
      std::cerr << "  " << (Passed(r) ? "pass" : "FAIL") << " sent " << r.sent << " accepted " << r.accepted
                << " lost " << r.lost << " late " << r.late << " worker core share "
                << r.engine_cpu_s / r.wall_s << " CPU-s per call-s " << r.engine_cpu_s / (r.calls * r.seconds)
                << (r.error.empty() ? "" : " (" + r.error + ")") << "\n";
      if (Passed(r)) {
        good = n;
        if (bad == 0) {
          n *= 2;
        } else {
          if (bad - good <= std::max(50, good / 10)) break;
          n = (good + bad) / 2;
        }
      } else {
        bad = n;
        if (bad - good <= std::max(50, good / 10)) break;
        n = (good + bad) / 2;
      }
      if (n > opt.ramp_max && bad == 0) break;
    }
    out["ramp"] = {{"steps", steps}, {"max_sessions_zero_loss", good}, {"first_failing", bad}};
  }
  std::ofstream(opt.out) << out.dump(2) << "\n";
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace
}  // namespace kronika::media

int main(int argc, char** argv) { return kronika::media::Main(argc, argv); }
