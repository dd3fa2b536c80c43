// Test/bench helper: sends G.711 u-law RTP over real UDP sockets on loopback.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace kronika::media::testing {

// ITU-T G.711 u-law encoding of one linear sample (bias 0x84, 8 segments).
inline uint8_t LinearToUlaw(int16_t sample) {
  constexpr int kBias = 0x84;
  constexpr int kClip = 32635;
  int s = sample;
  const int sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > kClip) s = kClip;
  s += kBias;
  int exponent = 7;
  for (int mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1) --exponent;
  const int mantissa = (s >> (exponent + 3)) & 0x0f;
  return static_cast<uint8_t>(~(sign | (exponent << 4) | mantissa));
}

// One UDP socket on 127.0.0.1 (ephemeral port) sending to 127.0.0.1:port.
class UdpSender {
 public:
  explicit UdpSender(uint16_t dest_port) {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    (void)!bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local);
    dest_.sin_family = AF_INET;
    dest_.sin_port = htons(dest_port);
    dest_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  ~UdpSender() { close(fd_); }
  UdpSender(const UdpSender&) = delete;
  UdpSender& operator=(const UdpSender&) = delete;
  void Send(const uint8_t* data, size_t len) {
    (void)!sendto(fd_, data, len, 0, reinterpret_cast<const sockaddr*>(&dest_), sizeof dest_);
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  sockaddr_in dest_{};
};

// A PCMU (payload type 0) RTP stream: 20 ms = 160 samples per packet.
class PcmuLeg {
 public:
  PcmuLeg(uint16_t dest_port, uint32_t ssrc, uint32_t first_timestamp, uint16_t first_seq)
      : sender_(dest_port), ssrc_(ssrc), ts_(first_timestamp), seq_(first_seq) {}

  // Sends one packet of `count` samples and advances sequence number and timestamp.
  void SendFrame(const int16_t* pcm, size_t count) {
    packet_.resize(12 + count);
    packet_[0] = 0x80;
    packet_[1] = 0;  // PT 0, no marker
    packet_[2] = static_cast<uint8_t>(seq_ >> 8);
    packet_[3] = static_cast<uint8_t>(seq_);
    for (int i = 0; i < 4; ++i) packet_[4 + i] = static_cast<uint8_t>(ts_ >> (24 - 8 * i));
    for (int i = 0; i < 4; ++i) packet_[8 + i] = static_cast<uint8_t>(ssrc_ >> (24 - 8 * i));
    for (size_t i = 0; i < count; ++i) packet_[12 + i] = LinearToUlaw(pcm[i]);
    sender_.Send(packet_.data(), packet_.size());
    ++seq_;
    ts_ += static_cast<uint32_t>(count);
  }
  // Skips a frame (the timestamp moves on as if it had been sent: a loss or a pause).
  void SkipFrame(size_t count) {
    ++seq_;
    ts_ += static_cast<uint32_t>(count);
  }
  // Sends a packet of another payload type in the same stream (same SSRC, next sequence
  // number) with an explicit timestamp, e.g. RFC 4733 telephone-event; the audio
  // timestamp is not advanced (call AdvanceTimestamp for the audio time that passes).
  void SendOther(uint8_t payload_type, bool marker, uint32_t timestamp, const uint8_t* payload, size_t len) {
    std::vector<uint8_t> p(12 + len);
    p[0] = 0x80;
    p[1] = static_cast<uint8_t>((marker ? 0x80 : 0) | payload_type);
    p[2] = static_cast<uint8_t>(seq_ >> 8);
    p[3] = static_cast<uint8_t>(seq_);
    for (int i = 0; i < 4; ++i) p[4 + i] = static_cast<uint8_t>(timestamp >> (24 - 8 * i));
    for (int i = 0; i < 4; ++i) p[8 + i] = static_cast<uint8_t>(ssrc_ >> (24 - 8 * i));
    std::memcpy(p.data() + 12, payload, len);
    sender_.Send(p.data(), p.size());
    ++seq_;
  }
  void AdvanceTimestamp(size_t count) { ts_ += static_cast<uint32_t>(count); }
  uint32_t timestamp() const { return ts_; }
  UdpSender& sender() { return sender_; }

 private:
  UdpSender sender_;
  uint32_t ssrc_;
  uint32_t ts_;
  uint16_t seq_;
  std::vector<uint8_t> packet_;
};

}  // namespace kronika::media::testing
