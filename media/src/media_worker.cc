#include "media_worker.h"

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
#include <memory>
#include <cerrno>
#include <cstring>
#include <functional>

#include "aligner.h"
#include "leg_pipeline.h"
#include "ogg_opus_writer.h"
#include "opus_frame_encoder.h"

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

// Parses an SDP connection address into `out` (port 0). False for "", 0.0.0.0 (hold), names.
bool ParseExpectedSource(const std::string& ip, sockaddr_storage* out) {
  std::memset(out, 0, sizeof *out);
  auto* v4 = reinterpret_cast<sockaddr_in*>(out);
  if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    if (v4->sin_addr.s_addr == htonl(INADDR_ANY)) return false;
    v4->sin_family = AF_INET;
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    if (IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr)) return false;
    v6->sin6_family = AF_INET6;
    return true;
  }
  return false;
}

bool SameHost(const sockaddr_storage& a, const sockaddr_storage& b) {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET) {
    return reinterpret_cast<const sockaddr_in&>(a).sin_addr.s_addr ==
           reinterpret_cast<const sockaddr_in&>(b).sin_addr.s_addr;
  }
  return std::memcmp(&reinterpret_cast<const sockaddr_in6&>(a).sin6_addr,
                     &reinterpret_cast<const sockaddr_in6&>(b).sin6_addr, 16) == 0;
}

uint16_t PortOf(const sockaddr_storage& a) {
  return a.ss_family == AF_INET ? reinterpret_cast<const sockaddr_in&>(a).sin_port
                                : reinterpret_cast<const sockaddr_in6&>(a).sin6_port;
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

struct MediaWorker::Stream {
  Recording* rec = nullptr;
  StreamSpec spec;
  BoundSocket socket;
  std::unique_ptr<LegPipeline> pipeline;
  bool has_expected = false;   // SDP c= address: only this host may send
  sockaddr_storage expected{};
  bool latched = false;        // first accepted source: only it may send from then on
  sockaddr_storage source{};
  int64_t last_rx_ns = 0;      // relative to t0
  bool timed_out = false;
  LegStats published;          // counters already added to the worker totals
  std::vector<PauseSpan> pauses;  // in timeline order; allocated per pause, not per packet
  size_t next_pause = 0;          // first span that may still cover audio to come
};

struct MediaWorker::Recording {
  std::string id;
  int64_t t0_ns = 0;
  int rate_hz = 8000;
  std::vector<std::unique_ptr<Stream>> streams;
  std::unique_ptr<Aligner> aligner;
  std::unique_ptr<OpusFrameEncoder> encoder;
  std::unique_ptr<OggOpusWriter> writer;
  std::filesystem::path final_path;
  std::vector<uint8_t> packet;
  int64_t frames_written = 0;
  uint64_t file_bytes_published = 0;
  bool failed = false;

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
  // Samples [from, to) of the chunk's timeline span.
  void Push(const PcmChunk& chunk, int64_t from, int64_t to) {
    const size_t offset = static_cast<size_t>(from - chunk.start_sample);
    rec_.aligner->Push(stream_.spec.channel, from, {chunk.samples + offset, static_cast<size_t>(to - from)});
  }

  MediaWorker& worker_;
  Recording& rec_;
  Stream& stream_;
};

MediaWorker::MediaWorker(int index, const MediaConfig& config, UdpPortPool* ports,
                         WorkQueue<MediaEvent>* events, FileFinisher* finisher)
    : index_(index),
      config_(config),
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
    return MakeError(500, std::string("media: worker: ") + std::strerror(errno));
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
  thread_ = std::thread([this] { Run(); });
  // "media-w<N>" in top -H, perf and /proc (and for tests that stall one on purpose).
  pthread_setname_np(thread_.native_handle(), ("media-w" + std::to_string(index_)).c_str());
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
  std::array<epoll_event, kEpollBatch> events{};
  int64_t window_start = MonotonicNs();
  int64_t busy_ns = 0;
  int64_t busy_since = window_start;
  while (!stopping_) {
    // Load: share of wall time spent working (CPU or preempted) rather than waiting.
    const int64_t before_wait = MonotonicNs();
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
      if (tag != &queue_ && tag != &timer_fd_) ReadSocket(*static_cast<Stream*>(tag));
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
  for (const auto& id : ids) CloseRecording(id, MonotonicNs());
}

void MediaWorker::HandleCommands() {
  for (WorkerCommand& command : queue_.TakeAll()) {
    switch (command.kind) {
      case WorkerCommand::Kind::kOpen: OpenRecording(command); break;
      case WorkerCommand::Kind::kUpdate: UpdateRecording(command); break;
      case WorkerCommand::Kind::kClose: CloseRecording(command.recording_id, command.close_ns); break;
      case WorkerCommand::Kind::kStop: stopping_ = true; break;
    }
  }
}

std::unique_ptr<MediaWorker::Stream> MediaWorker::MakeStream(Recording& rec, const StreamSpec& spec,
                                                             BoundSocket socket, int64_t start_ns) {
  auto stream = std::make_unique<Stream>();
  stream->rec = &rec;
  stream->socket = socket;
  stream->spec = spec;
  stream->pipeline = std::make_unique<LegPipeline>(MakeLegConfig(spec, rec.rate_hz));
  stream->has_expected = ParseExpectedSource(spec.remote_ip, &stream->expected);
  stream->last_rx_ns = start_ns - rec.t0_ns;
  if (spec.paused) stream->pauses.push_back(PauseSpan{rec.SampleAt(start_ns)});
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = stream.get();
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, socket.fd, &ev);
  return stream;
}

void MediaWorker::ApplySpec(Stream& stream, const StreamSpec& spec, int64_t at_ns) {
  Recording& rec = *stream.rec;
  if (!SameFormats(stream.spec, spec)) stream.pipeline->Reconfigure(MakeLegConfig(spec, rec.rate_hz));
  if (spec.remote_ip != stream.spec.remote_ip || spec.remote_port != stream.spec.remote_port) {
    stream.has_expected = ParseExpectedSource(spec.remote_ip, &stream.expected);
    stream.latched = false;
  }
  const int64_t at = rec.SampleAt(at_ns);
  if (!stream.spec.paused && spec.paused) stream.pauses.push_back(PauseSpan{at});
  if (stream.spec.paused && !spec.paused) {
    if (!stream.pauses.empty() && stream.pauses.back().to == INT64_MAX) {
      stream.pauses.back().to = std::max(at, stream.pauses.back().from);
    }
    stream.pipeline->Resync();
    stream.last_rx_ns = at_ns - rec.t0_ns;  // timeout counts from resume
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
  retired_streams_.push_back(std::move(stream));
}

void MediaWorker::OpenRecording(WorkerCommand& command) {
  auto rec = std::make_unique<Recording>();
  rec->id = command.recording_id;
  rec->t0_ns = command.t0_ns;
  rec->rate_hz = command.rate_hz;
  rec->final_path = command.final_path;
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
  auto writer = OggOpusWriter::Create(
      command.part_path,
      {command.channels, command.rate_hz, rec->encoder->pre_skip_48k(), rec->id, rec->encoder->dual_mono()}, serial,
      command.at_rest_key);
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
  rec.writer.reset();  // closes the fd; the .part stays for RecoverInterrupted
  counters_.recordings_failed.fetch_add(1, std::memory_order_relaxed);
  MediaEvent e;
  e.recording_id = rec.id;
  e.kind = MediaEventKind::kFailed;
  e.timeline_ms = rec.frames_written * kFrameMs;
  e.detail = why;
  Emit(std::move(e));
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
      job.fd = rec.writer->ReleaseFd();
      finisher_->Submit(std::move(job));
    }
  }
  counters_.late_samples.fetch_add(rec.aligner->late_samples_dropped(), std::memory_order_relaxed);
  counters_.recordings_active.fetch_sub(1, std::memory_order_relaxed);
  retired_recordings_.push_back(std::move(it->second));  // events of this batch may name its streams
  recordings_.erase(it);
}

void MediaWorker::ReadSocket(Stream& stream) {
  // On the heap, not in static TLS: 128 KB of thread_local data makes every thread of the
  // process need that much stack, and civetweb's 100 KB worker threads then fail to start.
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
    for (int i = 0; i < n; ++i) {
      const auto& src = from[static_cast<size_t>(i)];
      const int64_t rel_ns = ArrivalNs(msgs[static_cast<size_t>(i)].msg_hdr, read_mono_ns, read_real_ns) - rec.t0_ns;
      // No symmetric latching: only the SDP host, and from the first packet on only the
      // first source address, may feed this stream.
      if (stream.has_expected && !SameHost(src, stream.expected)) {
        counters_.rtp_foreign_source.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      if (!stream.latched) {
        stream.source = src;
        stream.latched = true;
      } else if (!SameHost(src, stream.source) || PortOf(src) != PortOf(stream.source)) {
        counters_.rtp_foreign_source.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
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
      stream.pipeline->OnDatagram(buffers[static_cast<size_t>(i)].data(), msgs[static_cast<size_t>(i)].msg_len,
                                  rel_ns);
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
}

void MediaWorker::Tick(int64_t now_ns, bool read_first) {
  const bool publish = ++ticks_ % kStatsEveryTicks == 0;
  const int64_t timeout_ns = int64_t{config_.rtp_timeout_ms} * kNsPerMs;
  for (auto& [id, rec] : recordings_) {
    if (read_first) {
      for (auto& stream : rec->streams) ReadSocket(*stream);
    }
    Advance(*rec, now_ns);
    const int64_t rel_ns = now_ns - rec->t0_ns;
    for (auto& stream : rec->streams) {
      if (publish) PublishLegStats(*stream);
      if (config_.rtp_timeout_ms > 0 && !stream->spec.paused && !stream->timed_out &&
          rel_ns - stream->last_rx_ns > timeout_ns) {
        stream->timed_out = true;
        counters_.rtp_timeouts.fetch_add(1, std::memory_order_relaxed);
        MediaEvent e;
        e.recording_id = rec->id;
        e.kind = MediaEventKind::kRtpTimeout;
        e.timeline_ms = stream->last_rx_ns / kNsPerMs;
        e.label = stream->spec.label;
        e.detail = "no RTP for " + std::to_string(config_.rtp_timeout_ms) + " ms";
        Emit(std::move(e));
      }
    }
  }
}

}  // namespace kronika::media
