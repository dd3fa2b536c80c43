#include "media_worker.h"

#include <openssl/crypto.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>

#include "aligner.h"
#include "leg_pipeline.h"
#include "ogg_opus_writer.h"
#include "opus_frame_encoder.h"
#include "kronika/thread_boundary.h"
#include "rtp_packet.h"
#include "source_latch.h"

namespace kronika::media {
namespace {

constexpr int kRecvBatch = 64;           // datagrams per recvmmsg call
constexpr size_t kDatagramBytes = 2048;  // RTP over UDP never exceeds the Ethernet MTU here
constexpr int kEpollBatch = 256;
constexpr int kStatsEveryTicks = 50;     // publish leg counters once a second
constexpr int64_t kNsPerMs = 1'000'000;
constexpr int64_t kLateTickNs = kTickMs * kNsPerMs * 3 / 2;  // a tick this long after the last is late

// A datagram's kernel receive time older than this is taken as a clock step, not a delay.
constexpr int64_t kMaxReceiveAgeNs = 10'000 * kNsPerMs;
// Longest packet any supported codec sends (Opus: 120 ms); bounds how far a leg's audio may
// reach past its drain target, which the catch-up steps keep inside the aligner window.
constexpr int64_t kMaxPacketNs = 120 * kNsPerMs;
// kSignalFloorDbfs as a mean square of int16 samples: (32768 * 10^(-60/20))^2 = 1073.7.
constexpr int64_t kSignalFloorSquare = 1074;
static_assert(kSignalFloorDbfs == -60.0, "kSignalFloorSquare follows kSignalFloorDbfs");
constexpr uint32_t kMaxRelatchEventsPerStream = 8;  // further moves are only counted (a flood)

int64_t ClockNs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

int64_t MonotonicNs() { return ClockNs(CLOCK_MONOTONIC); }

// When the datagram reached the host, on CLOCK_MONOTONIC: its SO_TIMESTAMPNS time (which is
// CLOCK_REALTIME) moved by the realtime-monotonic offset at reading. Falls back to the read
// time without a timestamp or when the clocks disagree (a step of the wall clock).
int64_t ArrivalNs(const msghdr& hdr, int64_t read_mono_ns, int64_t read_real_ns) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&hdr); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&hdr), c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
    timespec ts{};
    std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
    const int64_t age = read_real_ns - (int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec);
    return age >= 0 && age <= kMaxReceiveAgeNs ? read_mono_ns - age : read_mono_ns;
  }
  return read_mono_ns;
}

LegConfig MakeLegConfig(const StreamSpec& spec, int rate_hz) {
  LegConfig config;
  for (const auto& f : spec.formats) {
    config.formats.push_back(PayloadFormat{f.payload_type, f.encoding, f.clock_rate, f.channels});
  }
  config.output_rate_hz = rate_hz;
  config.srtp_suite = spec.srtp_suite;
  config.srtp_key_b64 = spec.srtp_remote_key_b64;
  return config;
}

bool SameFormats(const StreamSpec& a, const StreamSpec& b) {
  if (a.formats.size() != b.formats.size() || a.srtp_suite != b.srtp_suite ||
      a.srtp_remote_key_b64 != b.srtp_remote_key_b64) {
    return false;
  }
  for (size_t i = 0; i < a.formats.size(); ++i) {
    const auto& x = a.formats[i];
    const auto& y = b.formats[i];
    if (x.payload_type != y.payload_type || x.encoding != y.encoding || x.clock_rate != y.clock_rate ||
        x.channels != y.channels) {
      return false;
    }
  }
  return true;
}

}  // namespace

// A span of a stream's timeline muted by an SDP pause (a=inactive, SCOPE-5: paused spans
// are not stored): [from, to) in samples at the recording rate; `to` is INT64_MAX while the
// pause lasts. The SIP layer decides a pause at some instant; the worker learns of it a
// little later, and packets that arrived in between are judged by their place on the
// timeline, not by when the worker read them (issue 14: a resume whose first packets were
// read before the command was dropped them as paused, and they showed up as sequence gaps).
struct PauseSpan {
  int64_t from = 0;
  int64_t to = INT64_MAX;
};

// Datagrams a stream refused before its RTP pipeline saw them.
struct StreamDrops {
  uint64_t foreign_source = 0;  // the stream is latched to another source
  uint64_t not_sdp_host = 0;    // strict mode: not from the SDP's host
  uint64_t wrong_ssrc = 0;      // the latched source, another SSRC
  uint64_t invalid = 0;         // not RTP version 2, or a payload type not negotiated
};

// What the evidence of a leg is made of, kept as the packets come (recording_evidence.h).
struct LegTrace {
  int64_t first_ns = -1;        // relative to t0; -1 = no packet yet
  int64_t last_ns = -1;
  uint32_t last_ssrc = 0;
  uint16_t last_seq = 0;
  bool last_comfort_noise = false;
  uint64_t comfort_noise_packets = 0;
  std::vector<Gap> gaps;        // allocated per gap (>= gap_min_ms), never per packet
  uint32_t gaps_omitted = 0;
  int64_t gap_total_ms = 0;
  double sum_squares = 0;       // of the decoded samples written (pauses excluded)
  int32_t peak = 0;
  int64_t audio_samples = 0;
  int64_t signal_samples = 0;   // in chunks at or above kSignalFloorDbfs
  uint32_t relatches = 0;

  void AddGap(GapKind kind, int64_t from_ns, int64_t to_ns, uint32_t missing) {
    const Gap gap{kind, from_ns / kNsPerMs, to_ns / kNsPerMs, missing};
    gap_total_ms += gap.to_ms - gap.from_ms;
    if (gaps.size() < kMaxGapsPerLeg) {
      gaps.push_back(gap);
    } else {
      ++gaps_omitted;
    }
  }
};

struct MediaWorker::Stream {
  explicit Stream(const LatchOptions& latch_options) : latch(latch_options) {}
  Recording* rec = nullptr;
  StreamSpec spec;
  BoundSocket socket;
  std::unique_ptr<LegPipeline> pipeline;
  SourceLatch latch;
  int64_t start_ns = 0;        // relative to t0: negotiated from (Open or the Update adding it)
  int64_t last_rx_ns = 0;      // relative to t0: last packet taken, or start/resume (timeouts)
  int64_t due_ns = 0;          // relative to t0: RTP due since (start, or resume while none came)
  bool timed_out = false;
  bool no_rtp_reported = false;
  bool sdp_mismatch_reported = false;
  LegStats published;          // counters already added to the worker totals
  StreamDrops drops;
  StreamDrops published_drops;
  Endpoint last_refused;       // sender of the last refused datagram (for the no-RTP warning)
  std::vector<PauseSpan> pauses;  // in timeline order; allocated per pause, not per packet
  size_t next_pause = 0;          // first span that may still cover audio to come
  LegTrace trace;
};

struct MediaWorker::Recording {
  std::string id;
  int64_t t0_ns = 0;
  int64_t t0_unix_ms = 0;  // wall clock at t0
  int rate_hz = 8000;
  std::vector<LegEvidence> ended_legs;  // streams a re-INVITE removed
  std::vector<std::unique_ptr<Stream>> streams;
  std::unique_ptr<Aligner> aligner;
  std::unique_ptr<OpusFrameEncoder> encoder;
  std::unique_ptr<OggOpusWriter> writer;
  std::filesystem::path part_path;   // the file being written
  std::filesystem::path final_path;
  std::string at_rest_key;           // SEC-1: to close a sealed .part if writing fails
  std::vector<uint8_t> packet;
  int64_t frames_written = 0;
  uint64_t file_bytes_published = 0;
  bool failed = false;

  ~Recording() { OPENSSL_cleanse(at_rest_key.data(), at_rest_key.size()); }
  // Timeline position (samples at rate_hz) of a CLOCK_MONOTONIC time.
  int64_t SampleAt(int64_t mono_ns) const { return (mono_ns - t0_ns) / 1000 * rate_hz / 1'000'000; }
};

// Receives a leg's decoded audio and DTMF during Drain; what falls into a pause span is
// not stored (SCOPE-5), not even a key press (a card number typed while paused).
class MediaWorker::Sink final : public LegSink {
 public:
  Sink(MediaWorker& worker, Recording& rec, Stream& stream) : worker_(worker), rec_(rec), stream_(stream) {}
  void OnAudio(const PcmChunk& chunk) override {
    const int64_t end = chunk.start_sample + static_cast<int64_t>(chunk.count);
    const std::vector<PauseSpan>& pauses = stream_.pauses;
    size_t& i = stream_.next_pause;  // chunks come in timeline order
    while (i < pauses.size() && pauses[i].to <= chunk.start_sample) ++i;
    int64_t at = chunk.start_sample;
    for (size_t j = i; j < pauses.size() && pauses[j].from < end && at < end; ++j) {
      if (pauses[j].from > at) Push(chunk, at, pauses[j].from);
      at = std::max(at, pauses[j].to);
    }
    if (at < end) Push(chunk, at, end);
  }
  void OnDtmf(const DtmfEvent& event) override {
    for (const PauseSpan& p : stream_.pauses) {
      if (event.start_sample >= p.from && event.start_sample < p.to) return;
    }
    MediaEvent e;
    e.recording_id = rec_.id;
    e.kind = MediaEventKind::kDtmf;
    e.timeline_ms = event.start_sample * 1000 / rec_.rate_hz;
    e.digit = event.digit;
    e.label = stream_.spec.label;
    e.duration_s = event.duration_ms / 1000.0;
    worker_.Emit(std::move(e));
  }

 private:
  // Samples [from, to) of the chunk's timeline span, and their level for the evidence.
  void Push(const PcmChunk& chunk, int64_t from, int64_t to) {
    const int16_t* samples = chunk.samples + (from - chunk.start_sample);
    const size_t count = static_cast<size_t>(to - from);
    rec_.aligner->Push(stream_.spec.channel, from, {samples, count});
    int64_t sum = 0;
    int32_t peak = 0;
    for (size_t k = 0; k < count; ++k) {
      const int32_t v = samples[k];
      sum += v * v;
      peak = std::max(peak, v < 0 ? -v : v);
    }
    LegTrace& t = stream_.trace;
    t.sum_squares += static_cast<double>(sum);
    t.peak = std::max(t.peak, peak);
    t.audio_samples += static_cast<int64_t>(count);
    if (sum >= kSignalFloorSquare * static_cast<int64_t>(count)) t.signal_samples += static_cast<int64_t>(count);
  }

  MediaWorker& worker_;
  Recording& rec_;
  Stream& stream_;
};

namespace {

LatchOptions LatchOptionsOf(const MediaConfig& config) {
  LatchOptions o;
  o.strict = config.source_check == SourceCheck::kStrict;
  o.source_silence_ns = int64_t{config.latch_source_silence_ms} * kNsPerMs;
  o.ssrc_silence_ns = int64_t{config.ssrc_silence_ms} * kNsPerMs;
  return o;
}

std::string Hex(uint32_t v) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", v);
  return text;
}

double Dbfs(double mean_square) {
  return mean_square > 0 ? std::max(-120.0, 10 * std::log10(mean_square / (32768.0 * 32768.0))) : -120.0;
}

// Where a packet's arrival leaves the leg's evidence: its first and last packet, and a gap
// when nothing came for gap_ns (what kind of gap, from the sequence numbers and markers).
void TracePacket(LegTrace& t, int64_t start_ns, const RtpPacket& header, bool comfort_noise, int64_t rel_ns,
                 int64_t gap_ns) {
  if (t.first_ns < 0) {
    t.first_ns = rel_ns;
    if (rel_ns - start_ns >= gap_ns) t.AddGap(GapKind::kStart, start_ns, rel_ns, 0);
  } else if (rel_ns - t.last_ns >= gap_ns) {
    GapKind kind = GapKind::kSilence;
    uint32_t missing = 0;
    if (t.last_comfort_noise) {
      kind = GapKind::kDeclared;
    } else if (header.ssrc == t.last_ssrc) {
      const uint16_t skipped = static_cast<uint16_t>(header.sequence - t.last_seq - 1);
      if (skipped > 0 && skipped < 0x8000) {
        kind = GapKind::kLoss;
        missing = skipped;
      } else if (skipped == 0 && header.marker) {
        kind = GapKind::kDeclared;
      }
    }
    t.AddGap(kind, t.last_ns, rel_ns, missing);
  }
  t.last_ns = std::max(t.last_ns, rel_ns);
  t.last_ssrc = header.ssrc;
  t.last_seq = header.sequence;
  t.last_comfort_noise = comfort_noise;
  if (comfort_noise) ++t.comfort_noise_packets;
}

}  // namespace

MediaWorker::MediaWorker(int index, const MediaConfig& config, UdpPortPool* ports,
                         WorkQueue<MediaEvent>* events, FileFinisher* finisher)
    : thread_name_("kr-media-" + std::to_string(index)),
      config_(config),
      latch_options_(LatchOptionsOf(config)),
      ports_(ports),
      events_(events),
      finisher_(finisher),
      queue_(static_cast<size_t>(std::max(1, config.worker_queue_capacity))) {}

MediaWorker::~MediaWorker() {
  Stop();
  if (timer_fd_ >= 0) close(timer_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

Status MediaWorker::Start() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (epoll_fd_ < 0 || timer_fd_ < 0 || !queue_.ok()) {
    return MakeError(ErrorCode::kInternal, std::string("media: worker: ") + std::strerror(errno));
  }
  itimerspec period{};
  period.it_interval.tv_nsec = kTickMs * kNsPerMs;
  period.it_value.tv_nsec = kTickMs * kNsPerMs;
  timerfd_settime(timer_fd_, 0, &period, nullptr);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &queue_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, queue_.fd(), &ev);
  ev.data.ptr = &timer_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, timer_fd_, &ev);
  counters_.loop_at_ns.store(MonotonicNs(), std::memory_order_relaxed);
  thread_ = std::thread([this] {
    // "kr-media-<N>" in top -H, perf and /proc (and for tests that stall one on purpose).
    NameCurrentThread(thread_name_);
    Run();
  });
  return OkStatus();
}

void MediaWorker::Stop() {
  if (!thread_.joinable()) return;
  WorkerCommand stop;
  stop.kind = WorkerCommand::Kind::kStop;
  queue_.ForcePush(std::move(stop));
  thread_.join();
}

void MediaWorker::Emit(MediaEvent event) { events_->ForcePush(std::move(event)); }

void MediaWorker::Run() {
  worker_thread_.BindToCurrentThread();
  std::array<epoll_event, kEpollBatch> events{};
  int64_t window_start = MonotonicNs();
  int64_t busy_ns = 0;
  int64_t busy_since = window_start;
  while (!stopping_) {
    // Load: share of wall time spent working (CPU or preempted) rather than waiting.
    const int64_t before_wait = MonotonicNs();
    counters_.loop_at_ns.store(before_wait, std::memory_order_relaxed);  // the timerfd wakes us every tick
    busy_ns += before_wait - busy_since;
    if (before_wait - window_start >= kBusyWindowMs * kNsPerMs) {
      counters_.busy_permille.store(static_cast<uint32_t>(busy_ns * 1000 / (before_wait - window_start)),
                                    std::memory_order_relaxed);
      window_start = before_wait;
      busy_ns = 0;
    }
    const int n = epoll_wait(epoll_fd_, events.data(), kEpollBatch, -1);
    busy_since = MonotonicNs();
    if (n < 0) continue;  // EINTR
    bool commands = false;
    bool tick = false;
    for (int i = 0; i < n; ++i) {
      void* tag = events[static_cast<size_t>(i)].data.ptr;
      if (tag == &queue_) {
        commands = true;
      } else if (tag == &timer_fd_) {
        uint64_t expirations;
        (void)!read(timer_fd_, &expirations, sizeof expirations);
        tick = true;
      }
    }
    // Commands first: a packet the SRC sent after our answer to its re-INVITE (a resume,
    // moved ports) must meet the stream as that answer left it. Packets that arrived before
    // a command are still judged by their arrival (pause spans, RemoveStream reads first).
    if (commands) HandleCommands();
    for (int i = 0; i < n; ++i) {
      void* tag = events[static_cast<size_t>(i)].data.ptr;
      if (tag == &queue_ || tag == &timer_fd_) continue;
      Stream& stream = *static_cast<Stream*>(tag);
      if (stream.socket.fd < 0) continue;  // released by a command or a fault of this batch
      if (!RunGuarded(thread_name_, FaultEffect::kRecovered, [&] { ReadSocket(stream); })) {
        AbandonRecording(stream.rec->id, "reading RTP");
      }
    }
    retired_streams_.clear();
    retired_recordings_.clear();
    if (tick) {
      // Packets that arrived before `now` must be read before the legs drain up to it, or
      // they would be late for a timeline that moved past them (a first packet would be
      // anchored there). Sockets outside this batch may hold such packets when the batch
      // was full or the worker was held up (preempted, stalled) since the last tick.
      const int64_t now = MonotonicNs();
      Tick(now, /*read_first=*/n == kEpollBatch || now - last_tick_ns_ > kLateTickNs);
      last_tick_ns_ = now;
    }
  }
  std::vector<std::string> ids;
  for (const auto& [id, rec] : recordings_) ids.push_back(id);
  for (const auto& id : ids) {
    if (!RunGuarded(thread_name_, FaultEffect::kRecovered, [&] { CloseRecording(id, MonotonicNs()); })) {
      AbandonRecording(id, "closing at shutdown");
    }
  }
}

void MediaWorker::HandleCommands() {
  worker_thread_.Check("MediaWorker::HandleCommands");
  for (WorkerCommand& command : queue_.TakeAll()) {
    if (command.kind == WorkerCommand::Kind::kStop) {
      stopping_ = true;
      continue;
    }
    // The boundary (issue 13 item 4): a command that throws fails its own recording only.
    const bool done = RunGuarded(thread_name_, FaultEffect::kRecovered, [&] {
      switch (command.kind) {
        case WorkerCommand::Kind::kOpen: OpenRecording(command); break;
        case WorkerCommand::Kind::kUpdate: UpdateRecording(command); break;
        case WorkerCommand::Kind::kClose: CloseRecording(command.recording_id, command.close_ns); break;
        case WorkerCommand::Kind::kStop: break;
      }
    });
    if (done) continue;
    if (command.kind == WorkerCommand::Kind::kOpen && recordings_.count(command.recording_id) == 0) {
      // Thrown before the recording was registered: its sockets are still the command's.
      for (const BoundSocket& socket : command.sockets) {
        if (socket.fd >= 0) ports_->Release(socket);
      }
    }
    AbandonRecording(command.recording_id, "a command");
  }
}

void MediaWorker::AbandonRecording(const std::string& id, const char* during) {
  const std::string why = "media: " + thread_name_ + " failed the recording: a fault in " + during +
                          " (kronika_thread_faults_total counts it)";
  auto it = recordings_.find(id);
  if (it == recordings_.end()) {
    counters_.recordings_failed.fetch_add(1, std::memory_order_relaxed);
    MediaEvent e;
    e.recording_id = id;
    e.kind = MediaEventKind::kFailed;
    e.detail = why;
    Emit(std::move(e));
    return;
  }
  Recording& rec = *it->second;
  // Each step guarded on its own: what is left of a faulty recording must not fault again.
  RunGuarded(thread_name_, FaultEffect::kRecovered, [&] { Fail(rec, why); });
  for (auto& stream : rec.streams) {
    RunGuarded(thread_name_, FaultEffect::kRecovered, [&] { ReleaseSocket(*stream); });
  }
  counters_.recordings_active.fetch_sub(1, std::memory_order_relaxed);
  retired_recordings_.push_back(std::move(it->second));  // events of this batch may name its streams
  recordings_.erase(it);
}

std::unique_ptr<MediaWorker::Stream> MediaWorker::MakeStream(Recording& rec, const StreamSpec& spec,
                                                             BoundSocket socket, int64_t start_ns) {
  auto stream = std::make_unique<Stream>(latch_options_);
  stream->rec = &rec;
  stream->socket = socket;
  stream->spec = spec;
  stream->pipeline = std::make_unique<LegPipeline>(MakeLegConfig(spec, rec.rate_hz));
  stream->latch.SetSdp(Endpoint::Parse(spec.remote_ip, spec.remote_port));
  stream->start_ns = stream->last_rx_ns = stream->due_ns = start_ns - rec.t0_ns;
  if (spec.paused) {
    stream->pauses.push_back(PauseSpan{rec.SampleAt(start_ns)});
    stream->latch.Hold(true, stream->start_ns);
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = stream.get();
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, socket.fd, &ev);
  return stream;
}

void MediaWorker::ApplySpec(Stream& stream, const StreamSpec& spec, int64_t at_ns) {
  Recording& rec = *stream.rec;
  const bool reformatted = !SameFormats(stream.spec, spec);
  // An SDP without a usable address (a c=0.0.0.0 hold, or none given while paused) says
  // nothing about where the SRC sends from: the stream keeps what it knew.
  const std::optional<Endpoint> sdp = Endpoint::Parse(spec.remote_ip, spec.remote_port);
  const bool moved = sdp && sdp != stream.latch.sdp();
  if (reformatted) stream.pipeline->Reconfigure(MakeLegConfig(spec, rec.rate_hz));
  if (moved) stream.latch.SetSdp(sdp);
  // Renegotiated (another address or port, codecs, SRTP keys): the SRC may now send from
  // elsewhere or with a new SSRC, and the first such packet latches at once. A bare pause or
  // resume is not: a source or SSRC that comes back after a hold latches on silence anyway.
  if (reformatted || moved) stream.latch.Reopen(at_ns - rec.t0_ns);
  if (stream.spec.paused != spec.paused) stream.latch.Hold(spec.paused, at_ns - rec.t0_ns);
  const int64_t at = rec.SampleAt(at_ns);
  if (!stream.spec.paused && spec.paused) stream.pauses.push_back(PauseSpan{at});
  if (stream.spec.paused && !spec.paused) {
    if (!stream.pauses.empty() && stream.pauses.back().to == INT64_MAX) {
      stream.pauses.back().to = std::max(at, stream.pauses.back().from);
    }
    stream.pipeline->Resync();
    stream.last_rx_ns = at_ns - rec.t0_ns;  // timeout counts from resume
    if (stream.trace.first_ns < 0) stream.due_ns = at_ns - rec.t0_ns;
    stream.timed_out = false;
  }
  stream.spec = spec;
}

void MediaWorker::ReleaseSocket(Stream& stream) {
  if (stream.socket.fd < 0) return;
  PublishLegStats(stream);
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, stream.socket.fd, nullptr);
  ports_->Release(stream.socket);
  stream.socket.fd = -1;
}

void MediaWorker::RemoveStream(Recording& rec, std::unique_ptr<Stream> stream, int64_t at_ns) {
  if (!rec.failed) {
    ReadSocket(*stream);
    Advance(rec, std::max(at_ns, MonotonicNs()));  // the other legs catch up in window-sized steps first
    // Everything it received is played out (its reorder delay skipped), as at Close.
    Sink sink(*this, rec, *stream);
    stream->pipeline->Drain(MonotonicNs() - rec.t0_ns + std::chrono::nanoseconds(kReorderDelay).count() + kMaxPacketNs,
                            sink);
  }
  ReleaseSocket(*stream);
  rec.ended_legs.push_back(LegEvidenceOf(*stream, at_ns - rec.t0_ns));
  retired_streams_.push_back(std::move(stream));
}

void MediaWorker::OpenRecording(WorkerCommand& command) {
  auto rec = std::make_unique<Recording>();
  rec->id = command.recording_id;
  rec->t0_ns = command.t0_ns;
  rec->t0_unix_ms = (ClockNs(CLOCK_REALTIME) - (MonotonicNs() - command.t0_ns)) / kNsPerMs;
  rec->rate_hz = command.rate_hz;
  rec->part_path = command.part_path;
  rec->final_path = command.final_path;
  rec->at_rest_key = command.at_rest_key;
  for (size_t i = 0; i < command.spec.streams.size(); ++i) {
    rec->streams.push_back(MakeStream(*rec, command.spec.streams[i], command.sockets[i], command.t0_ns));
  }
  counters_.recordings_active.fetch_add(1, std::memory_order_relaxed);
  const int frame = command.rate_hz * kFrameMs / 1000;
  rec->aligner = std::make_unique<Aligner>(command.rate_hz, command.channels, frame,
                                           kAlignWindowMs * command.rate_hz / 1000);
  auto encoder = OpusFrameEncoder::Create(
      {command.rate_hz, command.channels, config_.opus_bitrate_bps, config_.opus_complexity, config_.opus_packet_ms,
       config_.opus_dual_mono ? OpusChannelLayout::kDualMono : OpusChannelLayout::kCoupledStereo});
  if (!encoder.ok()) {
    recordings_[rec->id] = std::move(rec);
    Fail(*recordings_[command.recording_id], encoder.error().message);
    return;
  }
  rec->encoder = std::move(encoder.value());
  const uint32_t serial = static_cast<uint32_t>(std::hash<std::string>{}(rec->id));
  KeyStoredGate key_stored;  // SEC-1: no sealed byte on disk before its key (sealed_file.h)
  if (!command.at_rest_key.empty() && config_.at_rest_key_stored) {
    key_stored = [stored = config_.at_rest_key_stored, id = rec->id] { return stored(id); };
  }
  auto writer = OggOpusWriter::Create(
      command.part_path,
      {command.channels, command.rate_hz, rec->encoder->pre_skip_48k(), rec->id, rec->encoder->dual_mono()}, serial,
      command.at_rest_key, std::move(key_stored));
  Recording& ref = *rec;
  recordings_[rec->id] = std::move(rec);
  if (!writer.ok()) {
    counters_.file_write_errors.fetch_add(1, std::memory_order_relaxed);
    Fail(ref, writer.error().message);
    return;
  }
  ref.writer = std::move(writer.value());
}

void MediaWorker::UpdateRecording(WorkerCommand& command) {
  auto it = recordings_.find(command.recording_id);
  if (it == recordings_.end()) {
    for (const auto& s : command.sockets) {
      if (s.fd >= 0) ports_->Release(s);
    }
    return;
  }
  Recording& rec = *it->second;
  std::vector<std::unique_ptr<Stream>> next;
  for (size_t i = 0; i < command.spec.streams.size(); ++i) {
    const StreamSpec& spec = command.spec.streams[i];
    if (command.sockets[i].fd >= 0) {
      next.push_back(MakeStream(rec, spec, command.sockets[i], command.update_ns));
      continue;
    }
    auto old = std::find_if(rec.streams.begin(), rec.streams.end(), [&](const auto& s) {
      return s && s->spec.mline_index == spec.mline_index;
    });
    if (old == rec.streams.end()) continue;  // cannot happen: the engine binds new m-lines
    ApplySpec(**old, spec, command.update_ns);
    next.push_back(std::move(*old));
  }
  std::vector<std::unique_ptr<Stream>> removed;
  for (auto& s : rec.streams) {
    if (s) removed.push_back(std::move(s));
  }
  // The kept and new streams set the pace from here; the removed ones play out what they have.
  rec.streams = std::move(next);
  for (auto& s : removed) RemoveStream(rec, std::move(s), command.update_ns);
}

void MediaWorker::DrainLegs(Recording& rec, int64_t rel_ns) {
  for (auto& stream : rec.streams) {
    Sink sink(*this, rec, *stream);
    stream->pipeline->Drain(rel_ns, sink);
  }
}

void MediaWorker::WriteFrame(Recording& rec, const int16_t* pcm) {
  if (rec.failed) return;
  if (Status s = rec.encoder->Encode(pcm, rec.packet); !s.ok()) {
    Fail(rec, s.error().message);
    return;
  }
  // An empty packet: the encoder is still filling one (packets are 20..60 ms, frames 20 ms).
  if (Status s = rec.packet.empty() ? OkStatus()
                                    : rec.writer->WritePacket(rec.packet.data(), rec.packet.size(),
                                                              rec.encoder->packet_samples_48k());
      !s.ok()) {
    counters_.file_write_errors.fetch_add(1, std::memory_order_relaxed);
    Fail(rec, s.error().message);
    return;
  }
  ++rec.frames_written;
  counters_.frames_written.fetch_add(1, std::memory_order_relaxed);
  const uint64_t bytes = rec.writer->bytes_written();
  counters_.file_bytes.fetch_add(bytes - rec.file_bytes_published, std::memory_order_relaxed);
  rec.file_bytes_published = bytes;
}

// Emits every frame that all legs have finished with (or that is kMaxAlignLagMs old).
// After a stall (worker starved, blocked on disk) the legs hold more audio than the
// aligner's window: draining them up to `now` at once would drop the excess as "early"
// (silence on every channel). So the legs are drained in steps that each fit the window.
void MediaWorker::Advance(Recording& rec, int64_t now_ns) {
  const int64_t rel_ns = now_ns - rec.t0_ns;
  const int64_t reach_ns = std::chrono::nanoseconds(kReorderDelay).count() + int64_t{kAlignWindowMs} * kNsPerMs -
                           kMaxPacketNs;
  for (;;) {
    const int64_t aligned_ns = rec.aligner->next_frame_start() * 1'000'000'000 / rec.rate_hz;
    const int64_t step_ns = std::min(rel_ns, aligned_ns + reach_ns);
    DrainLegs(rec, step_ns);
    if (rec.failed) return;
    const int64_t step_samples = step_ns / 1000 * rec.rate_hz / 1'000'000;
    int64_t upto = step_samples;
    for (const auto& stream : rec.streams) upto = std::min(upto, stream->pipeline->watermark());
    upto = std::max(upto, step_samples - int64_t{kMaxAlignLagMs} * rec.rate_hz / 1000);
    while (!rec.failed && rec.aligner->FrameReady(upto)) WriteFrame(rec, rec.aligner->PopFrame().data());
    if (step_ns >= rel_ns || rec.failed) return;
  }
}

void MediaWorker::Fail(Recording& rec, const std::string& why) {
  if (rec.failed) return;
  rec.failed = true;
  rec.writer.reset();  // closes the fd
  counters_.recordings_failed.fetch_add(1, std::memory_order_relaxed);
  // Issue 12 item 5: it records nothing more, so it is no longer active; its sockets stay
  // bound until Close (a port reused now could latch the SRC's RTP of this call).
  counters_.recordings_active.fetch_sub(1, std::memory_order_relaxed);
  // The finisher closes what was written as a playable file (it may block on disk), then
  // reports kFailed.
  FinishJob job;
  job.recording_id = rec.id;
  job.salvage = true;
  job.failure = why;
  job.part_path = rec.part_path;
  job.at_rest_key = std::move(rec.at_rest_key);
  job.evidence = EvidenceOf(rec, MonotonicNs() - rec.t0_ns);
  finisher_->Submit(std::move(job));
}

void MediaWorker::CloseRecording(const std::string& id, int64_t close_ns) {
  auto it = recordings_.find(id);
  if (it == recordings_.end()) return;
  Recording& rec = *it->second;
  const int64_t rel_ns = close_ns - rec.t0_ns;
  if (!rec.failed) {
    // Packets the SRC sent just before its BYE may still sit in the sockets (the command
    // queue is served before the next socket read): read them now, or closing the sockets
    // discards them unread.
    for (auto& stream : rec.streams) ReadSocket(*stream);
    Advance(rec, close_ns);  // a worker behind the BYE catches up first, in window-sized steps
  }
  if (!rec.failed) {
    // Everything that arrived before the BYE is played out (reorder delay skipped).
    DrainLegs(rec, rel_ns + std::chrono::nanoseconds(kReorderDelay).count() + kTickMs * kNsPerMs);
    const int64_t end_sample = rel_ns / 1000 * rec.rate_hz / 1'000'000;
    while (!rec.failed && (rec.aligner->next_frame_start() < end_sample || rec.frames_written == 0)) {
      WriteFrame(rec, rec.aligner->PopFrame().data());
    }
  }
  for (auto& stream : rec.streams) ReleaseSocket(*stream);
  if (!rec.failed) {
    // Silence up to the end of a packet flushes the encoder lookahead and the partly
    // filled packet; end trimming cuts it off again.
    const int64_t audio_48k = rec.frames_written * kOpusGranuleRateHz * kFrameMs / 1000;
    Status s = rec.encoder->EncodeFinalPacket(rec.packet);
    if (s.ok()) s = rec.writer->WritePacket(rec.packet.data(), rec.packet.size(), rec.encoder->packet_samples_48k());
    if (s.ok()) s = rec.writer->Finish(audio_48k);
    if (!s.ok()) {
      counters_.file_write_errors.fetch_add(1, std::memory_order_relaxed);
      Fail(rec, s.error().message);
    } else {
      counters_.file_bytes.fetch_add(rec.writer->bytes_written() - rec.file_bytes_published,
                                     std::memory_order_relaxed);
      FinishJob job;
      job.recording_id = rec.id;
      job.part_path = rec.writer->path();
      job.final_path = rec.final_path;
      job.duration_s = static_cast<double>(audio_48k) / kOpusGranuleRateHz;
      job.evidence = EvidenceOf(rec, rel_ns);
      job.fd = rec.writer->ReleaseFd();
      finisher_->Submit(std::move(job));
    }
  }
  counters_.late_samples.fetch_add(rec.aligner->late_samples_dropped(), std::memory_order_relaxed);
  if (!rec.failed) counters_.recordings_active.fetch_sub(1, std::memory_order_relaxed);  // Fail did
  retired_recordings_.push_back(std::move(it->second));  // events of this batch may name its streams
  recordings_.erase(it);
}

void MediaWorker::ReadSocket(Stream& stream) {
  // On the heap, not in static TLS: 128 KB of thread_local data makes every thread of the
  // process need that much stack, and a thread a library starts with a small stack then fails
  // to start (the 100 KB workers of civetweb, the HTTP server until December 2026, did).
  using Buffers = std::array<std::array<uint8_t, kDatagramBytes>, kRecvBatch>;
  static thread_local const std::unique_ptr<Buffers> buffers_owner = std::make_unique<Buffers>();
  Buffers& buffers = *buffers_owner;
  std::array<mmsghdr, kRecvBatch> msgs{};
  std::array<iovec, kRecvBatch> iovs{};
  std::array<sockaddr_storage, kRecvBatch> from{};
  struct alignas(cmsghdr) Control {
    char bytes[CMSG_SPACE(sizeof(timespec)) + 32];  // SCM_TIMESTAMPNS, room for one more
  };
  std::array<Control, kRecvBatch> control{};
  if (stream.socket.fd < 0) return;  // removed by a command earlier in this batch
  Recording& rec = *stream.rec;
  for (;;) {
    for (int i = 0; i < kRecvBatch; ++i) {
      iovs[static_cast<size_t>(i)] = {buffers[static_cast<size_t>(i)].data(), kDatagramBytes};
      msgs[static_cast<size_t>(i)].msg_hdr = {};
      msgs[static_cast<size_t>(i)].msg_hdr.msg_iov = &iovs[static_cast<size_t>(i)];
      msgs[static_cast<size_t>(i)].msg_hdr.msg_iovlen = 1;
      msgs[static_cast<size_t>(i)].msg_hdr.msg_name = &from[static_cast<size_t>(i)];
      msgs[static_cast<size_t>(i)].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      msgs[static_cast<size_t>(i)].msg_hdr.msg_control = control[static_cast<size_t>(i)].bytes;
      msgs[static_cast<size_t>(i)].msg_hdr.msg_controllen = sizeof(Control);
    }
    const int n = recvmmsg(stream.socket.fd, msgs.data(), kRecvBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;  // EAGAIN: drained
    const int64_t read_mono_ns = MonotonicNs();
    const int64_t read_real_ns = ClockNs(CLOCK_REALTIME);
    const int64_t gap_ns = int64_t{config_.gap_min_ms} * kNsPerMs;
    for (int i = 0; i < n; ++i) {
      const size_t k = static_cast<size_t>(i);
      const uint8_t* data = buffers[k].data();
      const size_t len = msgs[k].msg_len;
      const int64_t rel_ns = ArrivalNs(msgs[k].msg_hdr, read_mono_ns, read_real_ns) - rec.t0_ns;
      // Whose is it? Valid RTP of this stream (version 2, a negotiated payload type) from
      // the latched source and SSRC (source_latch.h); SRTP authentication follows in the
      // pipeline, and only a packet the pipeline takes may move the latch.
      const auto header = PeekRtpHeader(data, len);
      const LegPipeline::PayloadKind kind =
          header ? stream.pipeline->Classify(header->payload_type) : LegPipeline::PayloadKind::kNotNegotiated;
      if (kind == LegPipeline::PayloadKind::kNotNegotiated) {
        ++stream.drops.invalid;
        continue;
      }
      const Endpoint sender = Endpoint::FromSockaddr(from[k]);
      const LatchDecision decision = stream.latch.Decide(sender, header->ssrc, rel_ns);
      if (decision.verdict != LatchVerdict::kAccept) {
        if (decision.verdict == LatchVerdict::kForeignSource) ++stream.drops.foreign_source;
        if (decision.verdict == LatchVerdict::kWrongSsrc) ++stream.drops.wrong_ssrc;
        if (decision.verdict == LatchVerdict::kNotSdpHost) ++stream.drops.not_sdp_host;
        stream.last_refused = sender;
        continue;
      }
      if (!stream.pipeline->OnDatagram(data, len, rel_ns)) continue;  // counted by the pipeline
      if (decision.change != LatchChange::kNone) {
        OnLatchChange(stream, decision, sender, header->ssrc, rel_ns);
      } else {
        stream.latch.Commit(decision, sender, header->ssrc, rel_ns);
      }
      TracePacket(stream.trace, stream.start_ns, *header, kind == LegPipeline::PayloadKind::kComfortNoise, rel_ns,
                  gap_ns);
      // A paused stream's packets go on through the pipeline (their sequence numbers are
      // not losses); the Sink mutes what falls into the pause span.
      stream.last_rx_ns = rel_ns;
      if (stream.timed_out) {
        stream.timed_out = false;
        MediaEvent e;
        e.recording_id = rec.id;
        e.kind = MediaEventKind::kRtpResumed;
        e.timeline_ms = rel_ns / kNsPerMs;
        e.label = stream.spec.label;
        Emit(std::move(e));
      }
    }
    if (n < kRecvBatch) return;
  }
}

void MediaWorker::PublishLegStats(Stream& stream) {
  const LegStats& now = stream.pipeline->stats();
  LegStats& was = stream.published;
  counters_.rtp_packets.fetch_add(now.packets - was.packets, std::memory_order_relaxed);
  counters_.rtp_bytes.fetch_add(now.bytes - was.bytes, std::memory_order_relaxed);
  if (now.lost > was.lost) counters_.rtp_lost.fetch_add(now.lost - was.lost, std::memory_order_relaxed);
  counters_.rtp_late.fetch_add(now.late - was.late, std::memory_order_relaxed);
  counters_.rtp_invalid.fetch_add((now.bad - was.bad) + (now.srtp_failures - was.srtp_failures),
                                  std::memory_order_relaxed);
  counters_.dtmf_events.fetch_add(now.dtmf_events - was.dtmf_events, std::memory_order_relaxed);
  was = now;
  const StreamDrops& d = stream.drops;
  StreamDrops& pd = stream.published_drops;
  counters_.rtp_foreign_source.fetch_add(d.foreign_source - pd.foreign_source, std::memory_order_relaxed);
  counters_.rtp_not_sdp_host.fetch_add(d.not_sdp_host - pd.not_sdp_host, std::memory_order_relaxed);
  counters_.rtp_wrong_ssrc.fetch_add(d.wrong_ssrc - pd.wrong_ssrc, std::memory_order_relaxed);
  counters_.rtp_invalid.fetch_add(d.invalid - pd.invalid, std::memory_order_relaxed);
  pd = d;
}

void MediaWorker::OnLatchChange(Stream& stream, const LatchDecision& decision, const Endpoint& sender, uint32_t ssrc,
                                int64_t rel_ns) {
  const Endpoint old_source = stream.latch.source();
  const uint32_t old_ssrc = stream.latch.ssrc();
  stream.latch.Commit(decision, sender, ssrc, rel_ns);
  auto event = [&](MediaEventKind kind, std::string detail) {
    MediaEvent e;
    e.recording_id = stream.rec->id;
    e.kind = kind;
    e.timeline_ms = rel_ns / kNsPerMs;
    e.label = stream.spec.label;
    e.local_port = stream.socket.port;
    e.detail = std::move(detail);
    Emit(std::move(e));
  };
  if (!stream.sdp_mismatch_reported && stream.latch.differs_from_sdp()) {
    stream.sdp_mismatch_reported = true;  // once per stream: NAT is a setting, not news
    event(MediaEventKind::kSourceLatched,
          "RTP from " + sender.ToString() + ", the SDP gave " + stream.latch.sdp()->ToString());
  }
  if (decision.change == LatchChange::kFirst) return;
  counters_.rtp_relatches.fetch_add(1, std::memory_order_relaxed);
  if (++stream.trace.relatches > kMaxRelatchEventsPerStream) return;
  const std::string why =
      decision.reason == LatchReason::kRenegotiated ? "after a re-INVITE/UPDATE" : "the latched one went silent";
  if (decision.change == LatchChange::kNewSource) {
    event(MediaEventKind::kRelatched, "RTP source " + old_source.ToString() + " -> " + sender.ToString() + " (SSRC " +
                                          Hex(old_ssrc) + " -> " + Hex(ssrc) + ", " + why + ")");
  } else {
    event(MediaEventKind::kRelatched,
          "RTP SSRC " + Hex(old_ssrc) + " -> " + Hex(ssrc) + " from " + sender.ToString() + " (" + why + ")");
  }
}

LegEvidence MediaWorker::LegEvidenceOf(const Stream& stream, int64_t end_ns) const {
  const Recording& rec = *stream.rec;
  const LegTrace& t = stream.trace;
  const LegStats& st = stream.pipeline->stats();
  LegEvidence e;
  e.mline_index = stream.spec.mline_index;
  e.label = stream.spec.label;
  e.channel = stream.spec.channel;
  e.active_from_ms = stream.start_ns / kNsPerMs;
  e.active_to_ms = std::max(end_ns, stream.start_ns) / kNsPerMs;
  e.packets_expected = st.expected;
  e.packets_received = st.packets;
  e.packets_lost = st.lost;
  e.packets_late = st.late;
  e.packets_duplicate = st.duplicate;
  e.packets_foreign_source = stream.drops.foreign_source + stream.drops.not_sdp_host;
  e.packets_wrong_ssrc = stream.drops.wrong_ssrc;
  e.packets_invalid = stream.drops.invalid + st.bad + st.srtp_failures;
  e.comfort_noise_packets = t.comfort_noise_packets;
  LegTrace gaps;  // the list so far, plus the silence from the last packet to the end
  gaps.gaps = t.gaps;
  gaps.gaps_omitted = t.gaps_omitted;
  gaps.gap_total_ms = t.gap_total_ms;
  if (t.first_ns >= 0) {
    e.first_packet_ms = t.first_ns / kNsPerMs;
    e.last_packet_ms = t.last_ns / kNsPerMs;
    e.first_packet_unix_ms = rec.t0_unix_ms + e.first_packet_ms;
    e.last_packet_unix_ms = rec.t0_unix_ms + e.last_packet_ms;
    if (end_ns - t.last_ns >= int64_t{config_.gap_min_ms} * kNsPerMs) gaps.AddGap(GapKind::kEnd, t.last_ns, end_ns, 0);
  }
  e.gaps = std::move(gaps.gaps);
  e.gaps_omitted = gaps.gaps_omitted;
  e.gap_total_ms = gaps.gap_total_ms;
  for (const PauseSpan& p : stream.pauses) {
    const int64_t from = p.from * 1000 / rec.rate_hz;
    const int64_t to = p.to == INT64_MAX ? e.active_to_ms : std::min(p.to * 1000 / rec.rate_hz, e.active_to_ms);
    if (to > from) e.pauses.push_back(TimeSpan{from, to});
  }
  if (t.audio_samples > 0) e.rms_dbfs = Dbfs(t.sum_squares / static_cast<double>(t.audio_samples));
  if (t.peak > 0) e.peak_dbfs = std::max(-120.0, 20 * std::log10(t.peak / 32768.0));
  e.audio_ms = t.audio_samples * 1000 / rec.rate_hz;
  e.signal_ms = t.signal_samples * 1000 / rec.rate_hz;
  e.codecs = st.codecs_seen;
  if (stream.latch.latched()) e.latched_source = stream.latch.source().ToString();
  if (stream.latch.sdp()) e.sdp_source = stream.latch.sdp()->ToString();
  e.ssrc = stream.latch.ssrc();
  e.relatches = t.relatches;
  return e;
}

RecordingEvidence MediaWorker::EvidenceOf(const Recording& rec, int64_t end_ns) const {
  RecordingEvidence e;
  e.duration_ms = std::max<int64_t>(end_ns, 0) / kNsPerMs;
  e.start_unix_ms = rec.t0_unix_ms;
  e.legs = rec.ended_legs;
  for (const auto& stream : rec.streams) e.legs.push_back(LegEvidenceOf(*stream, end_ns));
  std::stable_sort(e.legs.begin(), e.legs.end(), [](const LegEvidence& a, const LegEvidence& b) {
    return a.mline_index != b.mline_index ? a.mline_index < b.mline_index : a.active_from_ms < b.active_from_ms;
  });
  return e;
}

void MediaWorker::Tick(int64_t now_ns, bool read_first) {
  worker_thread_.Check("MediaWorker::Tick");
  const bool publish = ++ticks_ % kStatsEveryTicks == 0;
  std::vector<std::string> faulty;
  for (auto& entry : recordings_) {
    Recording& rec = *entry.second;  // a named reference: clang 14 cannot capture a structured binding
    if (!RunGuarded(thread_name_, FaultEffect::kRecovered, [&] { TickRecording(rec, now_ns, read_first, publish); })) {
      faulty.push_back(entry.first);
    }
  }
  for (const std::string& id : faulty) AbandonRecording(id, "the 20 ms tick");
}

void MediaWorker::TickRecording(Recording& rec, int64_t now_ns, bool read_first, bool publish) {
  const int64_t timeout_ns = int64_t{config_.rtp_timeout_ms} * kNsPerMs;
  if (read_first) {
    for (auto& stream : rec.streams) ReadSocket(*stream);
  }
  Advance(rec, now_ns);
  const int64_t rel_ns = now_ns - rec.t0_ns;
  for (auto& stream : rec.streams) {
    if (publish) PublishLegStats(*stream);
    if (config_.no_rtp_warning_ms > 0 && !stream->no_rtp_reported && stream->trace.first_ns < 0 &&
        !stream->spec.paused && rel_ns - stream->due_ns >= int64_t{config_.no_rtp_warning_ms} * kNsPerMs) {
      ReportNoRtp(rec, *stream, rel_ns);
    }
    if (config_.rtp_timeout_ms > 0 && !stream->spec.paused && !stream->timed_out &&
        rel_ns - stream->last_rx_ns > timeout_ns) {
      stream->timed_out = true;
      counters_.rtp_timeouts.fetch_add(1, std::memory_order_relaxed);
      MediaEvent e;
      e.recording_id = rec.id;
      e.kind = MediaEventKind::kRtpTimeout;
      e.timeline_ms = stream->last_rx_ns / kNsPerMs;
      e.label = stream->spec.label;
      e.detail = "no RTP for " + std::to_string(config_.rtp_timeout_ms) + " ms";
      Emit(std::move(e));
    }
  }
}

void MediaWorker::ReportNoRtp(Recording& rec, Stream& stream, int64_t rel_ns) {
  stream.no_rtp_reported = true;
  counters_.rtp_no_media_streams.fetch_add(1, std::memory_order_relaxed);
  const StreamDrops& d = stream.drops;
  std::string detail = "no RTP accepted on port " + std::to_string(stream.socket.port) + " for " +
                       std::to_string((rel_ns - stream.due_ns) / kNsPerMs) + " ms; the SDP gave " +
                       (stream.latch.sdp() ? stream.latch.sdp()->ToString() : std::string("no address"));
  const uint64_t refused = d.foreign_source + d.not_sdp_host + d.wrong_ssrc + d.invalid;
  if (refused == 0) {
    detail += "; nothing arrived (a firewall or NAT between the SRC and this port?)";
  } else {
    detail += "; " + std::to_string(refused) + " datagrams refused (last from " + stream.last_refused.ToString() + ")";
    if (d.not_sdp_host > 0) detail += ", " + std::to_string(d.not_sdp_host) + " not from the SDP host (strict)";
    if (d.foreign_source > 0) detail += ", " + std::to_string(d.foreign_source) + " from another source";
    if (d.invalid > 0) detail += ", " + std::to_string(d.invalid) + " not RTP of a negotiated payload type";
  }
  MediaEvent e;
  e.recording_id = rec.id;
  e.kind = MediaEventKind::kNoRtp;
  e.timeline_ms = rel_ns / kNsPerMs;
  e.label = stream.spec.label;
  e.local_port = stream.socket.port;
  e.detail = std::move(detail);
  Emit(std::move(e));
}

}  // namespace kronika::media
