// The one Range form the audio route serves (RFC 9110 14.1.2): a single byte range,
// "bytes=first-last", "bytes=first-" or "bytes=-suffix". Pure, any thread.
//
// Multiple ranges ("bytes=0-1,5-9") and other units are not served: they are answered as if
// no Range had been sent (the whole file, 200), as RFC 9110 14.2 lets a server ignore Range.
// Numbers are plain decimal digits: no sign, no spaces, no overflow (std::from_chars).
#pragma once

#include <cstdint>
#include <string_view>

namespace kronika::srs {

struct ByteRangeRequest {
  enum class Kind {
    kNone,            // no Range, or one we ignore: send the whole file
    kSatisfiable,     // send [first, last] (inclusive, last < total), 206
    kUnsatisfiable,   // a byte range we read that the file cannot serve: 416
  };
  Kind kind = Kind::kNone;
  uint64_t first = 0;
  uint64_t last = 0;
};

// `header` is the Range header's value ("" when absent), `total` the file's size in bytes.
ByteRangeRequest ParseByteRange(std::string_view header, uint64_t total);

}  // namespace kronika::srs
