// The Range header of GET /api/v1/recordings/{id}/audio (srs/http/src/byte_range.h): what a
// player or `curl -r` sends gets the bytes it asked for; anything else is the whole file or 416.
#include <catch2/catch.hpp>

#include "byte_range.h"

using kronika::srs::ByteRangeRequest;
using kronika::srs::ParseByteRange;
using Kind = ByteRangeRequest::Kind;

namespace {

struct Expect {
  const char* header;
  uint64_t total;
  Kind kind;
  uint64_t first = 0, last = 0;
};

}  // namespace

TEST_CASE("http Range: one byte range is served as the player asked, clipped to the file") {
  const Expect cases[] = {
      {"bytes=0-99", 1000, Kind::kSatisfiable, 0, 99},
      {"bytes=10-", 1000, Kind::kSatisfiable, 10, 999},
      {"bytes=-100", 1000, Kind::kSatisfiable, 900, 999},
      {"bytes=-5000", 1000, Kind::kSatisfiable, 0, 999},      // a suffix longer than the file
      {"bytes=990-5000", 1000, Kind::kSatisfiable, 990, 999},  // RFC 9110: last-pos clipped
      {"bytes=999-999", 1000, Kind::kSatisfiable, 999, 999},
  };
  for (const Expect& e : cases) {
    INFO(e.header);
    const ByteRangeRequest r = ParseByteRange(e.header, e.total);
    CHECK(r.kind == e.kind);
    CHECK(r.first == e.first);
    CHECK(r.last == e.last);
  }
}

TEST_CASE("http Range: a range past the end, or of an empty file, is 416") {
  CHECK(ParseByteRange("bytes=1000-", 1000).kind == Kind::kUnsatisfiable);
  CHECK(ParseByteRange("bytes=5000-6000", 1000).kind == Kind::kUnsatisfiable);
  CHECK(ParseByteRange("bytes=-0", 1000).kind == Kind::kUnsatisfiable);
  CHECK(ParseByteRange("bytes=0-", 0).kind == Kind::kUnsatisfiable);
  CHECK(ParseByteRange("bytes=-10", 0).kind == Kind::kUnsatisfiable);
}

TEST_CASE("http Range: what is not one plain byte range is ignored and the whole file sent") {
  // Signs, spaces, overflow and other units used to reach std::stoull, which took
  // "bytes=1--2" as bytes 1 to 2^64-2.
  for (const char* header : {"", "bytes", "bytes=", "bytes=-", "bytes=1--2", "bytes=--5", "bytes=+1-2",
                             "bytes= 1-2", "bytes=1-2 ", "bytes=0-1,5-9", "items=0-9", "Bytes=0-9",
                             "bytes=99999999999999999999-", "bytes=5-2", "bytes=a-b", "bytes=1-0x10"}) {
    INFO(header);
    CHECK(ParseByteRange(header, 1000).kind == Kind::kNone);
  }
}
