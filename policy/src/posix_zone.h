// A POSIX TZ rule read by date's Posix::time_zone (date/ptz.h), behind a plain interface.
//
// Why a separate file: ptz.h of Debian 12's date 3.0.1 does not compile as C++20 (its
// `using namespace date; using namespace std::chrono;` makes hh_mm_ss ambiguous with
// std::chrono::hh_mm_ss), so posix_zone.cc alone is built as C++17 (policy/CMakeLists.txt)
// and this header uses nothing newer. Private to policy/.
//
// Threads: immutable after Parse(); any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace kronika::policy::posix {

// One period of constant offset, as date's sys_info gives it.
struct Period {
  int32_t offset_s = 0;  // east of UTC
  bool dst = false;
  std::string abbreviation;
  int64_t begin_ms_utc = 0;  // the period's first instant
};

// date's local_info: how a wall-clock reading maps back (0 unique, 1 nonexistent, 2 ambiguous).
struct LocalPeriods {
  int result = 0;
  Period first;
  Period second;  // nonexistent: the period after the gap; ambiguous: the later one
};

class PosixZone {
 public:
  virtual ~PosixZone() = default;
  // nullptr and `error` set when date refuses the rule.
  static std::unique_ptr<const PosixZone> Parse(const std::string& rule, std::string* error);
  virtual Period At(int64_t ms_utc) const = 0;
  virtual LocalPeriods AtLocal(int64_t local_ms) const = 0;
};

}  // namespace kronika::policy::posix
