#include "jitter_buffer.h"

#include <algorithm>
#include <tuple>

namespace kronika::media {
namespace {

bool Before(const BufferedPacket& a, const BufferedPacket& b) {
  return std::tie(a.position, a.epoch, a.sequence) < std::tie(b.position, b.epoch, b.sequence);
}

}  // namespace

JitterBuffer::Insert JitterBuffer::Add(const BufferedPacket& header, const uint8_t* payload,
                                       size_t size) {
  for (const auto& p : packets_) {
    if (p.epoch == header.epoch && p.sequence == header.sequence) return Insert::kDuplicate;
  }
  if (packets_.size() >= capacity_) return Insert::kFull;
  BufferedPacket packet;
  packet.position = header.position;
  packet.sequence = header.sequence;
  packet.epoch = header.epoch;
  packet.payload_type = header.payload_type;
  packet.marker = header.marker;
  packet.comfort_noise = header.comfort_noise;
  if (!spare_payloads_.empty()) {
    packet.payload = std::move(spare_payloads_.back());
    spare_payloads_.pop_back();
  }
  packet.payload.assign(payload, payload + size);
  auto at = std::upper_bound(packets_.begin(), packets_.end(), packet, Before);
  packets_.insert(at, std::move(packet));
  return Insert::kInserted;
}

void JitterBuffer::PopFront() {
  spare_payloads_.push_back(std::move(packets_.front().payload));
  packets_.erase(packets_.begin());
}

void JitterBuffer::Shift(uint32_t epoch, int64_t delta) {
  for (auto& p : packets_) {
    if (p.epoch == epoch) p.position += delta;
  }
  std::stable_sort(packets_.begin(), packets_.end(), Before);
}

}  // namespace kronika::media
