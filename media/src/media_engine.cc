#include "kronika/media/media_engine.h"

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <thread>

#include "file_finisher.h"
#include "leg_pipeline.h"
#include "media_worker.h"
#include "recording_recovery.h"
#include "udp_port_pool.h"
#include "work_queue.h"

namespace kronika::media {
namespace {

constexpr int kMaxWorkers = 256;
// A worker busy this share of the last second (per mille) takes no new recordings: each
// one adds encode work every 20 ms, and a worker that falls behind delays all of its files.
constexpr uint32_t kOverloadBusyPermille = 950;

int64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Recording ids become file names: keep them to a safe alphabet.
bool ValidRecordingId(const std::string& id) {
  if (id.empty() || id.size() > 128 || id[0] == '.') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

bool IsAudioCodec(const sdp::PayloadFormat& f) {
  std::string e = f.encoding;
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::toupper(c); });
  return e != "TELEPHONE-EVENT" && e != "CN";
}

// 16 kHz when any stream may carry wideband audio (G.722, Opus ...), else 8 kHz.
int NativeRateHz(const RecordingSpec& spec) {
  for (const auto& stream : spec.streams) {
    for (const auto& f : stream.formats) {
      if (IsAudioCodec(f) && f.AudioSampleRateHz() > 8000) return 16000;
    }
  }
  return 8000;
}

std::filesystem::path DatedDir(const std::filesystem::path& root) {
  // The UTC date by calendar arithmetic, not gmtime_r/strftime: glibc's load the time zone
  // (open /etc/localtime) on their first use, and this runs on the SIP thread, which does
  // no file I/O (issue 13 item 4).
  const std::chrono::year_month_day date{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  char buf[48];  // room for any int, so the compiler sees no truncation
  std::snprintf(buf, sizeof buf, "%04d/%02u/%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return root / buf;
}

LegConfig ValidationConfig(const StreamSpec& spec, int rate_hz) {
  LegConfig config;
  for (const auto& f : spec.formats) config.formats.push_back({f.payload_type, f.encoding, f.clock_rate, f.channels});
  config.output_rate_hz = rate_hz;
  config.srtp_suite = spec.srtp_suite;
  config.srtp_key_b64 = spec.srtp_remote_key_b64;
  return config;
}

Status ValidateConfig(const MediaConfig& c) {
  if (c.rtp_port_min == 0 || c.rtp_port_min > c.rtp_port_max) {
    return MakeError(ErrorCode::kInvalidInput, "media: rtp_port_min..rtp_port_max is not a port range");
  }
  if (c.workers < 0 || c.workers > kMaxWorkers) return MakeError(ErrorCode::kInvalidInput, "media: workers must be 0..256");
  if (c.opus_bitrate_bps < 6000 || c.opus_bitrate_bps > 510000) {
    return MakeError(ErrorCode::kInvalidInput, "media: opus_bitrate_bps must be 6000..510000");
  }
  if (c.opus_complexity < 0 || c.opus_complexity > 10) return MakeError(ErrorCode::kInvalidInput, "media: opus_complexity must be 0..10");
  if (c.opus_packet_ms != 20 && c.opus_packet_ms != 40 && c.opus_packet_ms != 60) {
    return MakeError(ErrorCode::kInvalidInput, "media: opus_packet_ms must be 20, 40 or 60");
  }
  if (c.rtp_timeout_ms < 0) return MakeError(ErrorCode::kInvalidInput, "media: rtp_timeout_ms must be >= 0");
  if (c.latch_source_silence_ms < 0) {
    return MakeError(ErrorCode::kInvalidInput, "media: latch_source_silence_ms must be >= 0");
  }
  if (c.ssrc_silence_ms < 0) return MakeError(ErrorCode::kInvalidInput, "media: ssrc_silence_ms must be >= 0");
  if (c.gap_min_ms < kTickMs) {
    return MakeError(ErrorCode::kInvalidInput, "media: gap_min_ms must be >= " + std::to_string(kTickMs));
  }
  if (c.no_rtp_warning_ms < 0) return MakeError(ErrorCode::kInvalidInput, "media: no_rtp_warning_ms must be >= 0");
  if (c.recordings_dir.empty()) return MakeError(ErrorCode::kInvalidInput, "media: recordings_dir is empty");
  return OkStatus();
}

// Two streams per recording need two sockets: lift the soft fd limit to the hard one.
void RaiseFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

class Engine final : public MediaEngine {
 public:
  explicit Engine(const MediaConfig& config) : config_(config), events_(SIZE_MAX) {}

  ~Engine() override {
    for (auto& worker : workers_) worker->Stop();  // closes and finishes every recording
    workers_.clear();
    finisher_.reset();  // commits the files queued by the workers
  }

  Status Init() {
    auto ports = UdpPortPool::Create(config_.bind_ip, config_.rtp_port_min, config_.rtp_port_max);
    if (!ports.ok()) return ports.error();
    ports_ = std::move(ports.value());
    if (!events_.ok()) return MakeError(ErrorCode::kInternal, "media: eventfd failed");
    finisher_ = std::make_unique<FileFinisher>(config_.recordings_dir, &events_);
    int n = config_.workers > 0 ? config_.workers : static_cast<int>(std::thread::hardware_concurrency());
    n = std::clamp(n, 1, kMaxWorkers);
    for (int i = 0; i < n; ++i) {
      workers_.push_back(std::make_unique<MediaWorker>(i, config_, ports_.get(), &events_, finisher_.get()));
      if (Status s = workers_.back()->Start(); !s.ok()) return s;
    }
    return OkStatus();
  }

  Result<OpenedRecording> Open(const RecordingSpec& spec) override { return OpenSealed(spec, {}); }

  Result<OpenedRecording> OpenSealed(const RecordingSpec& spec, const std::string& at_rest_key) override {
    if (!at_rest_key.empty() && at_rest_key.size() != kSealKeyBytes) {
      return MakeError(ErrorCode::kInternal, "media: at-rest key must be 32 bytes");
    }
    if (!ValidRecordingId(spec.recording_id)) {
      return MakeError(ErrorCode::kInvalidInput, "media: invalid recording id (allowed: letters, digits, - _ .)");
    }
    if (registry_.count(spec.recording_id)) {
      return MakeError(ErrorCode::kInternal, "media: recording " + spec.recording_id + " already open");
    }
    if (spec.streams.empty()) return MakeError(ErrorCode::kInvalidInput, "media: recording without streams");
    if (finisher_->free_disk_bytes() < config_.min_free_disk_bytes) {
      ++disk_full_;
      return MakeError(ErrorCode::kUnavailable, "media: disk almost full");
    }
    const int rate = NativeRateHz(spec);
    if (Status s = ValidateStreams(spec, rate); !s.ok()) return s.error();
    const size_t worker = std::hash<std::string>{}(spec.recording_id) % workers_.size();
    if (workers_[worker]->counters().busy_permille.load(std::memory_order_relaxed) >= kOverloadBusyPermille) {
      ++overloaded_;
      return MakeError(ErrorCode::kOverloaded, "media: worker overloaded");
    }
    auto sockets = BindStreams(spec, {});
    if (!sockets.ok()) return sockets.error();

    WorkerCommand command;
    command.kind = WorkerCommand::Kind::kOpen;
    command.recording_id = spec.recording_id;
    command.spec = spec;
    command.sockets = sockets.value();
    command.t0_ns = MonotonicNs();
    command.rate_hz = rate;
    command.channels = config_.stereo && spec.streams.size() >= 2 ? 2 : 1;
    const std::filesystem::path dir = DatedDir(config_.recordings_dir);
    command.part_path = dir / (spec.recording_id + kPartSuffix);
    // SEC-1: a sealed recording ends as <id>.opus.kenc; out.file stays the plain name.
    command.final_path = dir / (spec.recording_id + (at_rest_key.empty() ? ".opus" : ".opus.kenc"));
    command.at_rest_key = at_rest_key;
    if (!workers_[worker]->TryPost(command)) {  // moves `command` away on success
      ReleaseAll(sockets.value());
      ++queue_full_;
      return MakeError(ErrorCode::kOverloaded, "media: worker queue full");
    }
    ++opened_;
    Registered& reg = registry_[spec.recording_id];
    reg.worker = worker;
    OpenedRecording out;
    out.file = dir / (spec.recording_id + ".opus");
    for (size_t i = 0; i < spec.streams.size(); ++i) {
      reg.ports[spec.streams[i].mline_index] = sockets.value()[i].port;
      out.local_ports.push_back(sockets.value()[i].port);
    }
    reg.file = out.file;
    reg.rate_hz = rate;
    return out;
  }

  Result<OpenedRecording> Update(const RecordingSpec& spec) override {
    auto it = registry_.find(spec.recording_id);
    if (it == registry_.end()) return MakeError(ErrorCode::kNotFound, "media: no recording " + spec.recording_id);
    Registered& reg = it->second;
    if (Status s = ValidateStreams(spec, reg.rate_hz); !s.ok()) return s.error();
    auto sockets = BindStreams(spec, reg.ports);
    if (!sockets.ok()) return sockets.error();
    WorkerCommand command;
    command.kind = WorkerCommand::Kind::kUpdate;
    command.recording_id = spec.recording_id;
    command.spec = spec;
    command.sockets = sockets.value();
    command.update_ns = MonotonicNs();
    if (!workers_[reg.worker]->TryPost(command)) {
      ReleaseAll(sockets.value());
      ++queue_full_;
      return MakeError(ErrorCode::kOverloaded, "media: worker queue full");
    }
    OpenedRecording out;
    out.file = reg.file;
    std::map<size_t, uint16_t> ports;
    for (size_t i = 0; i < spec.streams.size(); ++i) {
      const size_t m = spec.streams[i].mline_index;
      const uint16_t port = sockets.value()[i].fd >= 0 ? sockets.value()[i].port : reg.ports[m];
      ports[m] = port;
      out.local_ports.push_back(port);
    }
    reg.ports = std::move(ports);
    return out;
  }

  void Close(const std::string& recording_id) override {
    auto it = registry_.find(recording_id);
    if (it == registry_.end()) return;
    WorkerCommand command;
    command.kind = WorkerCommand::Kind::kClose;
    command.recording_id = recording_id;
    command.close_ns = MonotonicNs();
    workers_[it->second.worker]->ForcePost(std::move(command));  // a BYE is never dropped
    registry_.erase(it);
  }

  std::vector<MediaEvent> TakeEvents() override { return events_.TakeAll(); }
  int event_fd() const override { return events_.fd(); }

  MediaStats Stats() const override {
    MediaStats s;
    uint64_t frames = 0;
    const int64_t now_ns = MonotonicNs();
    for (const auto& w : workers_) {
      const WorkerCounters& c = w->counters();
      ++s.workers;
      if (now_ns - c.loop_at_ns.load(std::memory_order_relaxed) > int64_t{kMediaWorkerStallMs} * 1'000'000) {
        ++s.workers_stalled;
      }
      auto get = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
      s.recordings_active += get(c.recordings_active);
      s.recordings_failed_total += get(c.recordings_failed);
      s.rtp_packets_total += get(c.rtp_packets);
      s.rtp_bytes_total += get(c.rtp_bytes);
      s.rtp_packets_lost_total += get(c.rtp_lost);
      s.rtp_packets_late_total += get(c.rtp_late);
      s.rtp_foreign_source_total += get(c.rtp_foreign_source);
      s.rtp_not_sdp_host_total += get(c.rtp_not_sdp_host);
      s.rtp_wrong_ssrc_total += get(c.rtp_wrong_ssrc);
      s.rtp_relatches_total += get(c.rtp_relatches);
      s.rtp_no_media_streams_total += get(c.rtp_no_media_streams);
      s.rtp_invalid_total += get(c.rtp_invalid);
      s.rtp_timeouts_total += get(c.rtp_timeouts);
      s.dtmf_events_total += get(c.dtmf_events);
      s.file_bytes_written_total += get(c.file_bytes);
      s.file_write_errors_total += get(c.file_write_errors);
      frames += get(c.frames_written);
    }
    s.recordings_opened_total = opened_.load(std::memory_order_relaxed);
    s.recordings_finished_total = finisher_->finished();
    s.recordings_failed_total += finisher_->failed();
    s.rtp_ports_in_use = ports_->in_use();
    s.rtp_port_exhausted_total = port_exhausted_.load(std::memory_order_relaxed);
    s.disk_full_refusals_total = disk_full_.load(std::memory_order_relaxed);
    s.queue_full_total = queue_full_.load(std::memory_order_relaxed);
    s.overload_refusals_total = overloaded_.load(std::memory_order_relaxed);
    s.recorded_seconds_total = static_cast<double>(frames) * kTickMs / 1000.0;
    return s;
  }

 private:
  struct Registered {
    size_t worker = 0;
    std::map<size_t, uint16_t> ports;  // by m-line index
    std::filesystem::path file;
    int rate_hz = 8000;
  };

  static Status ValidateStreams(const RecordingSpec& spec, int rate_hz) {
    for (const auto& stream : spec.streams) {
      if (Status s = LegPipeline::Validate(ValidationConfig(stream, rate_hz)); !s.ok()) {
        return MakeError(ErrorCode::kNotAcceptable, s.error().message);
      }
    }
    return OkStatus();
  }

  // A socket per stream whose m-line has none yet (fd -1 for the ones that keep theirs).
  Result<std::vector<BoundSocket>> BindStreams(const RecordingSpec& spec, const std::map<size_t, uint16_t>& have) {
    std::vector<BoundSocket> out;
    for (const auto& stream : spec.streams) {
      if (have.count(stream.mline_index)) {
        out.push_back(BoundSocket{});
        continue;
      }
      auto socket = ports_->Acquire();
      if (!socket.ok()) {
        ReleaseAll(out);
        ++port_exhausted_;
        return socket.error();
      }
      out.push_back(socket.value());
    }
    return out;
  }

  void ReleaseAll(const std::vector<BoundSocket>& sockets) {
    for (const auto& s : sockets) {
      if (s.fd >= 0) ports_->Release(s);
    }
  }

  const MediaConfig config_;
  WorkQueue<MediaEvent> events_;
  std::unique_ptr<UdpPortPool> ports_;
  std::unique_ptr<FileFinisher> finisher_;
  std::vector<std::unique_ptr<MediaWorker>> workers_;
  std::map<std::string, Registered> registry_;  // control thread only
  std::atomic<uint64_t> opened_{0};
  std::atomic<uint64_t> port_exhausted_{0};
  std::atomic<uint64_t> disk_full_{0};
  std::atomic<uint64_t> queue_full_{0};
  std::atomic<uint64_t> overloaded_{0};
};

}  // namespace

Result<std::unique_ptr<MediaEngine>> MediaEngine::Start(const MediaConfig& config) {
  if (Status s = ValidateConfig(config); !s.ok()) return s.error();
  std::error_code ec;
  std::filesystem::create_directories(config.recordings_dir, ec);
  if (ec) return MakeError(ErrorCode::kIo, "media: cannot create " + config.recordings_dir.string() + ": " + ec.message());
  RaiseFileLimit();
  auto engine = std::make_unique<Engine>(config);
  if (Status s = engine->Init(); !s.ok()) return s.error();
  return std::unique_ptr<MediaEngine>(std::move(engine));
}

InterruptedRecordings MediaEngine::RecoverInterrupted(const MediaConfig& config, const AtRestKeyLookup& keys) {
  RecoveryReport report = RecoverAll(config.recordings_dir, keys);
  InterruptedRecordings out;
  for (const RecoveredFile& f : report.repaired) {
    // Sealed files keep their plain name here, as kFinished reports them.
    out.repaired.push_back(RepairedRecording{f.recording_id, f.file.parent_path() / (f.recording_id + ".opus"),
                                             f.duration_s, f.file_bytes});
  }
  out.discarded_ids = std::move(report.discarded_ids);
  return out;
}

}  // namespace kronika::media
