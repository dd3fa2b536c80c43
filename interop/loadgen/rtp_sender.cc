#include "rtp_sender.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kronika::loadgen {
namespace {

constexpr int64_t kTickNs = int64_t{kPacketMs} * 1'000'000;
constexpr int64_t kLateTickNs = 5'000'000;
constexpr size_t kBatch = 256;  // messages per sendmmsg

int64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

Result<std::unique_ptr<RtpSender>> RtpSender::Start(const std::string& local_ip, int port, const RtpSource* source,
                                                    uint32_t seed) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return MakeError(ErrorCode::kIo, std::string("rtp: socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, local_ip.c_str(), &addr.sin_addr) != 1 ||
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string why = std::strerror(errno);
    close(fd);
    return MakeError(ErrorCode::kIo, "rtp: bind " + local_ip + ":" + std::to_string(port) + ": " + why);
  }
  const int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  std::unique_ptr<RtpSender> sender(new RtpSender(fd, port, source, seed));
  sender->thread_ = std::thread([s = sender.get()] { s->Run(); });
  return sender;
}

RtpSender::RtpSender(int fd, int port, const RtpSource* source, uint32_t seed)
    : fd_(fd), port_(port), source_(source), rng_(seed) {}

RtpSender::~RtpSender() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  close(fd_);
}

uint64_t RtpSender::AddStream(const sockaddr_in& dest) {
  MutexLock lock(mu_);
  Stream stream;
  stream.dest = dest;
  stream.ssrc = static_cast<uint32_t>(rng_());
  stream.start = std::uniform_int_distribution<uint64_t>(0, source_->max_start_index())(rng_);
  const uint64_t id = next_id_++;
  streams_.emplace(id, stream);
  return id;
}

void RtpSender::SetPaused(uint64_t id, bool paused) {
  MutexLock lock(mu_);
  if (auto it = streams_.find(id); it != streams_.end()) it->second.paused = paused;
}

uint64_t RtpSender::RemoveStream(uint64_t id) {
  MutexLock lock(mu_);
  auto it = streams_.find(id);
  if (it == streams_.end()) return 0;
  const uint64_t sent = it->second.sent;
  streams_.erase(it);
  return sent;
}

SenderTotals RtpSender::Totals() const {
  MutexLock lock(mu_);
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
      MutexLock lock(mu_);
      ++totals_.late_ticks;
    }
    SendTick();
  }
}

void RtpSender::SendTick() {
  // Per message: iov[0] = the RTP header written here (plain RTP) or the whole prepared
  // SRTP packet; iov[1] = the prepared payload (plain RTP only).
  static thread_local std::vector<uint8_t> headers(kBatch * kRtpHeaderBytes);
  static thread_local std::vector<mmsghdr> messages(kBatch);
  static thread_local std::vector<iovec> iovecs(kBatch * 2);
  static thread_local std::vector<sockaddr_in> dests(kBatch);
  const bool srtp = source_->srtp();
  const CodecSpec& codec = source_->codec();

  MutexLock lock(mu_);
  size_t n = 0;
  auto flush = [&]() REQUIRES(mu_) {
    size_t done = 0;
    while (done < n) {
      const int sent = sendmmsg(fd_, messages.data() + done, static_cast<unsigned>(n - done), 0);
      if (sent <= 0) {
        totals_.send_errors += n - done;
        break;
      }
      for (int i = 0; i < sent; ++i) totals_.bytes += messages[done + static_cast<size_t>(i)].msg_len;
      totals_.packets += static_cast<uint64_t>(sent);
      done += static_cast<size_t>(sent);
    }
    n = 0;
  };
  for (auto& [id, s] : streams_) {
    if (s.paused) continue;
    if (s.sent >= source_->packets_available(s.start)) {
      ++totals_.exhausted_packets;
      continue;
    }
    const uint64_t index = s.start + s.sent;
    iovec* iov = &iovecs[2 * n];
    messages[n] = {};
    // sendmmsg only reads the iovecs; the const_casts hand it the read-only prepared bytes.
    if (srtp) {
      const std::span<const uint8_t> packet = source_->SrtpPacket(index);
      iov[0] = {const_cast<uint8_t*>(packet.data()), packet.size()};
      messages[n].msg_hdr.msg_iovlen = 1;
    } else {
      uint8_t* header = headers.data() + n * kRtpHeaderBytes;
      FillRtpHeader(header, codec, index, s.ssrc);
      const std::span<const uint8_t> payload = source_->Payload(index);
      iov[0] = {header, kRtpHeaderBytes};
      iov[1] = {const_cast<uint8_t*>(payload.data()), payload.size()};
      messages[n].msg_hdr.msg_iovlen = 2;
    }
    ++s.sent;
    dests[n] = s.dest;
    messages[n].msg_hdr.msg_name = &dests[n];
    messages[n].msg_hdr.msg_namelen = sizeof(sockaddr_in);
    messages[n].msg_hdr.msg_iov = iov;
    if (++n == kBatch) flush();
  }
  flush();
}

}  // namespace kronika::loadgen
