// JitterBuffer: received RTP payloads of one leg, ordered by timeline position.
//
// Holds at most `capacity` packets; the pipeline pops the front when its playout time
// comes. Small by design (a 60 ms window holds 3-6 packets), so a sorted vector is used.
// Payload buffers are recycled to avoid an allocation per packet in steady state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kronika::media {

struct BufferedPacket {
  int64_t position = 0;     // timeline start at the output rate
  int64_t sequence = 0;     // extended sequence number within its epoch
  uint32_t epoch = 0;       // anchor epoch: increments on SSRC change
  uint8_t payload_type = 0;
  bool marker = false;      // RTP marker: first packet of a talkspurt
  bool comfort_noise = false;
  std::vector<uint8_t> payload;
};

class JitterBuffer {
 public:
  enum class Insert { kInserted, kDuplicate, kFull };

  explicit JitterBuffer(size_t capacity) : capacity_(capacity) {}

  // Copies the payload into a recycled buffer; `packet.payload` is ignored.
  // kDuplicate: same epoch and sequence already buffered.
  Insert Add(const BufferedPacket& header, const uint8_t* payload, size_t size);

  bool empty() const { return packets_.empty(); }
  size_t size() const { return packets_.size(); }

  // REQUIRES: !empty(). Earliest position first; equal positions by epoch, sequence.
  const BufferedPacket& front() const { return packets_.front(); }
  // The packet after front(), or null.
  const BufferedPacket* second() const { return packets_.size() > 1 ? &packets_[1] : nullptr; }

  // REQUIRES: !empty(). Removes front(); its payload buffer returns to the pool.
  void PopFront();

  // Moves every packet of `epoch` by `delta` samples (clock drift correction).
  void Shift(uint32_t epoch, int64_t delta);

 private:
  size_t capacity_;
  std::vector<BufferedPacket> packets_;
  std::vector<std::vector<uint8_t>> spare_payloads_;
};

}  // namespace kronika::media
