// Recording IDs: 26 Crockford base32 characters, unique, sortable by creation time.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "kronika/srs/core/recording_id.h"

namespace kronika::srs {
namespace {

using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

TEST_CASE("an ID is 26 Crockford base32 characters that encode its creation time") {
  RecordingIdGenerator gen;
  const TimePoint t{milliseconds(1764076131123)};  // 2025-11-25T13:08:51.123Z
  const std::string id = gen.Next(t);
  CHECK(id.size() == kRecordingIdLength);
  CHECK(id.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ") == std::string::npos);
  CHECK(IsValidRecordingId(id));
  REQUIRE(RecordingIdTime(id).has_value());
  CHECK(*RecordingIdTime(id) == t);
  // The 48-bit time 1764076131123 = 0x19ABB219333 in base32 is "01KAXJ34SK".
  CHECK(id.substr(0, 10) == "01KAXJ34SK");
}

TEST_CASE("IDs sort by creation time, also within one millisecond and when the clock steps back") {
  RecordingIdGenerator gen;
  std::vector<std::string> ids;
  const int64_t base = 1764076131000;
  for (int ms = 0; ms < 50; ++ms) {
    for (int k = 0; k < 20; ++k) ids.push_back(gen.Next(TimePoint{milliseconds(base + ms)}));
  }
  ids.push_back(gen.Next(TimePoint{milliseconds(base)}));  // clock went back 49 ms
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
  // The step back reuses the last millisecond instead of going back in time.
  CHECK(*RecordingIdTime(ids.back()) == TimePoint{milliseconds(base + 49)});
}

TEST_CASE("independent generators do not collide (80 random bits)") {
  std::set<std::string> seen;
  const TimePoint t{milliseconds(1764076131000)};
  for (int i = 0; i < 10000; ++i) {
    RecordingIdGenerator gen;  // a fresh generator draws fresh randomness each time
    CHECK(seen.insert(gen.Next(t)).second);
  }
}

TEST_CASE("IDs from a later millisecond sort after every ID of an earlier one") {
  RecordingIdGenerator a, b;
  const std::string early = a.Next(TimePoint{milliseconds(1000)});
  const std::string late = b.Next(TimePoint{milliseconds(1001)});
  CHECK(early < late);
}

TEST_CASE("validation rejects wrong length, letters outside the alphabet and too-large times") {
  CHECK_FALSE(IsValidRecordingId(""));
  CHECK_FALSE(IsValidRecordingId("01KAXJ34SK"));
  CHECK_FALSE(IsValidRecordingId("01KAXJ34SKAAAAAAAAAAAAAAAU"));  // U is not Crockford
  CHECK_FALSE(IsValidRecordingId("81KAXPY0SKAAAAAAAAAAAAAAAA"));  // > 48-bit time
  CHECK_FALSE(IsValidRecordingId("01KAXJ34SK/AAAAAAAAAAAAAAA"));
  CHECK(IsValidRecordingId("01kaxpy0skaaaaaaaaaaaaaaaa"));  // case-insensitive
  CHECK_FALSE(RecordingIdTime("../../etc/passwd").has_value());
}

}  // namespace
}  // namespace kronika::srs
