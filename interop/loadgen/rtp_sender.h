// RtpSender: one thread that paces PCMU RTP at 20 ms for many streams through ONE UDP
// socket, with sendmmsg (one destination per message). Every stream it carries
// advertises this socket's port in its SDP, so an SRS that checks the source address
// (ip:port from the offer) accepts the packets.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "kronika/result.h"

namespace kronika::loadgen {

struct SenderTotals {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t send_errors = 0;
  uint64_t late_ticks = 0;  // 20 ms ticks that started more than 5 ms late
};

class RtpSender {
 public:
  // Binds local_ip:port and starts the pacing thread.
  static Result<std::unique_ptr<RtpSender>> Start(const std::string& local_ip, int port);
  ~RtpSender();
  RtpSender(const RtpSender&) = delete;
  RtpSender& operator=(const RtpSender&) = delete;

  int port() const { return port_; }

  // Any thread. Adds a stream sending a PCMU tone of `tone_hz` to `dest`; returns its id.
  uint64_t AddStream(const sockaddr_in& dest, int tone_hz);
  void SetPaused(uint64_t id, bool paused);
  // Stops the stream; returns how many packets it sent.
  uint64_t RemoveStream(uint64_t id);
  SenderTotals Totals() const;

 private:
  struct Stream {
    sockaddr_in dest{};
    uint32_t ssrc = 0;
    uint16_t seq = 0;
    uint32_t timestamp = 0;
    int tone_hz = 440;
    bool paused = false;
    uint64_t sent = 0;
  };
  RtpSender(int fd, int port);
  void Run();
  void SendTick(int64_t tick_index);

  int fd_;
  int port_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Stream> streams_;  // GUARDED_BY(mu_)
  uint64_t next_id_ = 1;                          // GUARDED_BY(mu_)
  SenderTotals totals_;                           // GUARDED_BY(mu_)
  std::vector<uint8_t> tone440_, tone1000_;       // 1 s of mu-law each, read-only
  std::thread thread_;
};

}  // namespace kronika::loadgen
