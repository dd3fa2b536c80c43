#include "rtp_sender.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <random>

#include <spandsp.h>

namespace kronika::loadgen {
namespace {

constexpr int kSampleRateHz = 8000;
constexpr int kFrameSamples = 160;  // 20 ms
constexpr int64_t kTickNs = 20'000'000;
constexpr int64_t kLateTickNs = 5'000'000;
constexpr int kRtpHeaderBytes = 12;
constexpr int kPayloadTypePcmu = 0;

std::vector<uint8_t> MakeTone(int hz) {
  std::vector<uint8_t> out(kSampleRateHz);
  for (int i = 0; i < kSampleRateHz; ++i) {
    const double s = 8000.0 * std::sin(2.0 * M_PI * hz * i / kSampleRateHz);
    out[i] = linear_to_ulaw(static_cast<int16_t>(s));
  }
  return out;
}

int64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

Result<std::unique_ptr<RtpSender>> RtpSender::Start(const std::string& local_ip, int port) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return MakeError(500, std::string("rtp: socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, local_ip.c_str(), &addr.sin_addr) != 1 ||
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string why = std::strerror(errno);
    close(fd);
    return MakeError(500, "rtp: bind " + local_ip + ":" + std::to_string(port) + ": " + why);
  }
  const int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  std::unique_ptr<RtpSender> sender(new RtpSender(fd, port));
  sender->thread_ = std::thread([s = sender.get()] { s->Run(); });
  return sender;
}

RtpSender::RtpSender(int fd, int port)
    : fd_(fd), port_(port), tone440_(MakeTone(440)), tone1000_(MakeTone(1000)) {}

RtpSender::~RtpSender() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  close(fd_);
}

uint64_t RtpSender::AddStream(const sockaddr_in& dest, int tone_hz) {
  std::lock_guard<std::mutex> lock(mu_);
  Stream stream;
  stream.dest = dest;
  stream.ssrc = static_cast<uint32_t>(std::random_device{}());
  stream.tone_hz = tone_hz;
  const uint64_t id = next_id_++;
  streams_.emplace(id, stream);
  return id;
}

void RtpSender::SetPaused(uint64_t id, bool paused) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = streams_.find(id); it != streams_.end()) it->second.paused = paused;
}

uint64_t RtpSender::RemoveStream(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find(id);
  if (it == streams_.end()) return 0;
  const uint64_t sent = it->second.sent;
  streams_.erase(it);
  return sent;
}

SenderTotals RtpSender::Totals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return totals_;
}

void RtpSender::Run() {
  const int64_t start = MonotonicNs();
  for (int64_t tick = 0; !stop_; ++tick) {
    const int64_t due = start + tick * kTickNs;
    const int64_t now = MonotonicNs();
    if (now < due) {
      timespec ts{static_cast<time_t>(due / 1'000'000'000), static_cast<long>(due % 1'000'000'000)};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
    } else if (now - due > kLateTickNs) {
      std::lock_guard<std::mutex> lock(mu_);
      ++totals_.late_ticks;
    }
    SendTick(tick);
  }
}

void RtpSender::SendTick(int64_t tick_index) {
  constexpr size_t kBatch = 256;
  constexpr size_t kPacketBytes = kRtpHeaderBytes + kFrameSamples;
  static thread_local std::vector<uint8_t> buffers(kBatch * kPacketBytes);
  static thread_local std::vector<mmsghdr> messages(kBatch);
  static thread_local std::vector<iovec> iovecs(kBatch);
  static thread_local std::vector<sockaddr_in> dests(kBatch);

  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  auto flush = [&] {
    size_t done = 0;
    while (done < n) {
      const int sent = sendmmsg(fd_, messages.data() + done, static_cast<unsigned>(n - done), 0);
      if (sent <= 0) {
        totals_.send_errors += n - done;
        break;
      }
      for (int i = 0; i < sent; ++i) totals_.bytes += messages[done + i].msg_len;
      totals_.packets += static_cast<uint64_t>(sent);
      done += static_cast<size_t>(sent);
    }
    n = 0;
  };
  const size_t offset = static_cast<size_t>(tick_index % (kSampleRateHz / kFrameSamples)) * kFrameSamples;
  for (auto& [id, s] : streams_) {
    if (s.paused) continue;
    uint8_t* p = buffers.data() + n * kPacketBytes;
    p[0] = 0x80;
    p[1] = kPayloadTypePcmu;
    p[2] = static_cast<uint8_t>(s.seq >> 8);
    p[3] = static_cast<uint8_t>(s.seq);
    const uint32_t ts = s.timestamp, ssrc = s.ssrc;
    const uint8_t header[8] = {uint8_t(ts >> 24), uint8_t(ts >> 16), uint8_t(ts >> 8), uint8_t(ts),
                               uint8_t(ssrc >> 24), uint8_t(ssrc >> 16), uint8_t(ssrc >> 8), uint8_t(ssrc)};
    std::memcpy(p + 4, header, sizeof header);
    const std::vector<uint8_t>& tone = s.tone_hz == 1000 ? tone1000_ : tone440_;
    std::memcpy(p + kRtpHeaderBytes, tone.data() + offset, kFrameSamples);
    ++s.seq;
    s.timestamp += kFrameSamples;
    ++s.sent;
    dests[n] = s.dest;
    iovecs[n] = {p, kPacketBytes};
    messages[n] = {};
    messages[n].msg_hdr.msg_name = &dests[n];
    messages[n].msg_hdr.msg_namelen = sizeof(sockaddr_in);
    messages[n].msg_hdr.msg_iov = &iovecs[n];
    messages[n].msg_hdr.msg_iovlen = 1;
    if (++n == kBatch) flush();
  }
  flush();
}

}  // namespace kronika::loadgen
