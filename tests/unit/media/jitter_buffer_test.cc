#include "jitter_buffer.h"

#include <catch2/catch.hpp>

namespace kronika::media {
namespace {

BufferedPacket At(int64_t position, int64_t seq, uint32_t epoch = 1) {
  BufferedPacket p;
  p.position = position;
  p.sequence = seq;
  p.epoch = epoch;
  return p;
}

TEST_CASE("Jitter buffer releases packets in timeline order", "[jitter]") {
  JitterBuffer buffer(8);
  const uint8_t payload[3] = {1, 2, 3};
  CHECK(buffer.Add(At(320, 3), payload, 3) == JitterBuffer::Insert::kInserted);
  CHECK(buffer.Add(At(0, 1), payload, 1) == JitterBuffer::Insert::kInserted);
  CHECK(buffer.Add(At(160, 2), payload, 2) == JitterBuffer::Insert::kInserted);
  REQUIRE(buffer.size() == 3);
  CHECK(buffer.front().position == 0);
  CHECK(buffer.front().payload.size() == 1);
  REQUIRE(buffer.second() != nullptr);
  CHECK(buffer.second()->position == 160);
  buffer.PopFront();
  CHECK(buffer.front().sequence == 2);
  buffer.PopFront();
  CHECK(buffer.front().payload == std::vector<uint8_t>{1, 2, 3});
  buffer.PopFront();
  CHECK(buffer.empty());
}

TEST_CASE("Jitter buffer rejects duplicates and overflow", "[jitter]") {
  JitterBuffer buffer(2);
  const uint8_t payload[1] = {0};
  CHECK(buffer.Add(At(0, 1), payload, 1) == JitterBuffer::Insert::kInserted);
  CHECK(buffer.Add(At(0, 1), payload, 1) == JitterBuffer::Insert::kDuplicate);
  CHECK(buffer.Add(At(0, 1, /*epoch=*/2), payload, 1) == JitterBuffer::Insert::kInserted);
  CHECK(buffer.Add(At(160, 2), payload, 1) == JitterBuffer::Insert::kFull);
}

TEST_CASE("Jitter buffer shifts one epoch for drift correction", "[jitter]") {
  JitterBuffer buffer(4);
  const uint8_t payload[1] = {0};
  REQUIRE(buffer.Add(At(100, 1, 1), payload, 1) == JitterBuffer::Insert::kInserted);
  REQUIRE(buffer.Add(At(200, 1, 2), payload, 1) == JitterBuffer::Insert::kInserted);
  buffer.Shift(2, -150);
  CHECK(buffer.front().position == 50);
  CHECK(buffer.front().epoch == 2);
  CHECK(buffer.second()->position == 100);
}

}  // namespace
}  // namespace kronika::media
