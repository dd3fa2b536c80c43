// Built as C++17: see posix_zone.h.
#include "posix_zone.h"

#include <date/ptz.h>

#include <chrono>
#include <exception>

namespace kronika::policy::posix {
namespace {

using Ms = std::chrono::milliseconds;

// `switches`: the rule has DST transitions. Without them ptz.h leaves sys_info::save
// uninitialised (date 3.0.1), so it is not read.
Period FromInfo(const date::sys_info& info, bool switches) {
  Period p;
  p.offset_s = static_cast<int32_t>(info.offset.count());
  p.dst = switches && info.save != std::chrono::minutes{0};
  p.abbreviation = info.abbrev;
  p.begin_ms_utc = std::chrono::duration_cast<Ms>(info.begin.time_since_epoch()).count();
  return p;
}

class DateZone final : public PosixZone {
 public:
  DateZone(Posix::time_zone zone, bool switches) : zone_(std::move(zone)), switches_(switches) {}
  Period At(int64_t ms_utc) const override {
    return FromInfo(zone_.get_info(date::sys_time<Ms>{Ms{ms_utc}}), switches_);
  }
  LocalPeriods AtLocal(int64_t local_ms) const override {
    const date::local_info info = zone_.get_info(date::local_time<Ms>{Ms{local_ms}});
    LocalPeriods out{info.result, FromInfo(info.first, switches_), {}};
    if (info.result != date::local_info::unique) out.second = FromInfo(info.second, switches_);  // else unset
    return out;
  }

 private:
  Posix::time_zone zone_;
  bool switches_;
};

}  // namespace

std::unique_ptr<const PosixZone> PosixZone::Parse(const std::string& rule, std::string* error) {
  try {
    return std::make_unique<DateZone>(Posix::time_zone{rule}, rule.find(',') != std::string::npos);
  } catch (const std::exception& e) {
    *error = e.what();
    return nullptr;
  }
}

}  // namespace kronika::policy::posix
