// RtpSender: one thread that paces RTP at 20 ms for many streams through ONE UDP socket,
// with sendmmsg (one destination per message). Every stream it carries advertises this
// socket's port in its SDP, so an SRS that checks the source address (ip:port from the
// offer) accepts the packets.
//
// Per packet the thread writes a 12-byte RTP header (plain RTP) or nothing (SRTP) and
// points the message at payload bytes an RtpSource prepared at start: the sender never
// encodes or encrypts, so it does not become the bottleneck of a capacity run.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "kronika/mutex.h"
#include "kronika/result.h"
#include "kronika/thread_annotations.h"
#include "rtp_source.h"

namespace kronika::loadgen {

struct SenderTotals {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t send_errors = 0;
  uint64_t late_ticks = 0;         // 20 ms ticks that started more than 5 ms late
  uint64_t exhausted_packets = 0;  // SRTP: packets not sent, the stream ran past the table
};

class RtpSender {
 public:
  // Binds local_ip:port and starts the pacing thread. `source` must outlive the sender.
  // Errors: socket/bind failures (kIo, names the address).
  static Result<std::unique_ptr<RtpSender>> Start(const std::string& local_ip, int port, const RtpSource* source,
                                                  uint32_t seed);
  ~RtpSender();
  RtpSender(const RtpSender&) = delete;
  RtpSender& operator=(const RtpSender&) = delete;

  int port() const { return port_; }

  // Any thread. Adds a stream to `dest` starting at a random index of the source (random
  // SSRC for plain RTP); returns its id.
  uint64_t AddStream(const sockaddr_in& dest);
  void SetPaused(uint64_t id, bool paused);
  // Stops the stream; returns how many packets it sent.
  uint64_t RemoveStream(uint64_t id);
  SenderTotals Totals() const;

 private:
  struct Stream {
    sockaddr_in dest{};
    uint32_t ssrc = 0;   // plain RTP only (SRTP packets carry the source's SSRC)
    uint64_t start = 0;  // index of the first packet in the source
    uint64_t sent = 0;
    bool paused = false;
  };
  RtpSender(int fd, int port, const RtpSource* source, uint32_t seed);
  void Run();
  void SendTick() EXCLUDES(mu_);

  int fd_;
  int port_;
  const RtpSource* source_;
  std::atomic<bool> stop_{false};
  mutable Mutex mu_;
  std::unordered_map<uint64_t, Stream> streams_ GUARDED_BY(mu_);
  uint64_t next_id_ GUARDED_BY(mu_) = 1;
  SenderTotals totals_ GUARDED_BY(mu_);
  std::mt19937 rng_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace kronika::loadgen
