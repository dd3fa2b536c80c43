// TimeZone on Howard Hinnant's date: IANA zones from the system tzdata (date/tz.h,
// USE_OS_TZDB) and POSIX TZ rules (date/ptz.h). What is left here is the mapping onto
// policy's civil-time types and the refusals POSIX leaves to the implementation.
#include "kronika/policy/time_zone.h"

#include <date/tz.h>

#include <cctype>
#include <cstdio>
#include <exception>

#include "posix_zone.h"

namespace kronika::policy {

// A POSIX rule (date's Posix::time_zone through posix_zone.h) or a tzdata zone.
struct TimeZone::Zone {
  std::unique_ptr<const posix::PosixZone> rule;
  const date::time_zone* iana = nullptr;  // owned by date's tzdb, lives for the process

  posix::Period At(int64_t ms_utc) const {
    if (rule != nullptr) return rule->At(ms_utc);
    const date::sys_info info = iana->get_info(date::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{ms_utc}});
    return FromInfo(info);
  }
  posix::LocalPeriods AtLocal(const CivilDateTime& local) const {
    const int64_t wall = MsFromCivil(local);
    if (rule != nullptr) return rule->AtLocal(wall);
    const date::local_info info =
        iana->get_info(date::local_time<std::chrono::milliseconds>{std::chrono::milliseconds{wall}});
    return posix::LocalPeriods{info.result, FromInfo(info.first), FromInfo(info.second)};
  }
  static posix::Period FromInfo(const date::sys_info& info) {
    return posix::Period{static_cast<int32_t>(info.offset.count()), info.save != std::chrono::minutes{0},
                         info.abbrev,
                         std::chrono::duration_cast<std::chrono::milliseconds>(info.begin.time_since_epoch()).count()};
  }
};

namespace {

Error ZoneError(const std::string& what) { return MakeError(ErrorCode::kInvalidInput, "time_zone: " + what); }

// "Europe/Warsaw", "America/Argentina/Buenos_Aires", "Etc/GMT+1", "UTC": a tzdata name. A
// POSIX rule has a '/' only in a transition time, which follows a ','.
bool IsIanaName(std::string_view zone) {
  return (zone.find('/') != std::string_view::npos && zone.find(',') == std::string_view::npos) || zone == "UTC";
}

// The part of a POSIX rule before the first ',' names a DST zone: "CET-1CEST".
bool NamesDst(std::string_view rule) {
  size_t i = 0;
  if (!rule.empty() && rule[0] == '<') {
    i = rule.find('>');
    i = i == std::string_view::npos ? rule.size() : i + 1;
  } else {
    while (i < rule.size() && std::isalpha(static_cast<unsigned char>(rule[i]))) ++i;
  }
  while (i < rule.size() && (std::isdigit(static_cast<unsigned char>(rule[i])) || rule[i] == '+' ||
                             rule[i] == '-' || rule[i] == ':')) {
    ++i;
  }
  return i < rule.size() && rule[i] != ',';
}

// ptz.h's message is several lines with a caret drawn under the fault; keep the reason.
std::string FirstReason(const char* what) {
  std::string text = what;
  const size_t start = text.find('\n');
  if (start == std::string::npos) return text;
  const size_t end = text.find(':', start + 1);
  return text.substr(start + 1, end == std::string::npos ? std::string::npos : end - start - 1);
}

}  // namespace

TimeZone::TimeZone() {
  std::string error;
  zone_ = std::make_shared<const Zone>(Zone{posix::PosixZone::Parse(rule_, &error), nullptr});  // "UTC0"
}

Result<TimeZone> TimeZone::Parse(std::string_view zone) {
  TimeZone tz;
  tz.rule_ = std::string(zone);
  if (zone.empty()) return ZoneError("empty zone; give an IANA name such as \"Europe/Warsaw\"");
  if (zone[0] == ':') return ZoneError("\"" + tz.rule_ + "\": write the IANA name without ':' (\"Europe/Warsaw\")");
  if (IsIanaName(zone)) {
    try {
      tz.zone_ = std::make_shared<const Zone>(Zone{nullptr, date::locate_zone(zone)});
    } catch (const std::exception&) {
      return ZoneError("unknown IANA zone \"" + tz.rule_ + "\" (not in the system tzdata, /usr/share/zoneinfo)");
    }
    return tz;
  }
  if (NamesDst(zone) && zone.find(',') == std::string_view::npos) {
    return ZoneError("\"" + tz.rule_ + "\" names a DST zone without its transition rule (write e.g. " +
                     std::string(kEuropeWarsawTzRule) + ", or the IANA name)");
  }
  std::string error;
  std::unique_ptr<const posix::PosixZone> rule = posix::PosixZone::Parse(tz.rule_, &error);
  if (rule == nullptr) {
    return ZoneError("\"" + tz.rule_ + "\" is neither an IANA zone name nor a POSIX TZ rule: " + FirstReason(error.c_str()));
  }
  tz.zone_ = std::make_shared<const Zone>(Zone{std::move(rule), nullptr});
  if (zone.find(',') != std::string_view::npos) {
    // A rule whose DST offset equals the standard one switches nothing: a typo, not a zone.
    if (tz.zone_->At(0).offset_s == tz.zone_->At(181LL * 86'400'000).offset_s) {
      return ZoneError("\"" + tz.rule_ + "\": the DST offset equals the standard offset");
    }
  }
  return tz;
}

TimeZone TimeZone::EuropeWarsaw() {
  Result<TimeZone> tz = Parse(kEuropeWarsawTzRule);
  return std::move(tz).value();  // a constant rule: always parses
}

int32_t TimeZone::OffsetAt(int64_t ms_utc) const { return zone_->At(ms_utc).offset_s; }

LocalTime TimeZone::ToLocal(int64_t ms_utc) const {
  const posix::Period info = zone_->At(ms_utc);
  LocalTime out;
  out.utc_offset_s = info.offset_s;
  out.is_dst = info.dst;
  out.abbreviation = info.abbreviation;
  out.civil = CivilFromMs(ms_utc + int64_t{out.utc_offset_s} * kMsPerSecond);
  return out;
}

UtcCandidates TimeZone::ToUtc(const CivilDateTime& local) const {
  const int64_t wall = MsFromCivil(local);
  const posix::LocalPeriods info = zone_->AtLocal(local);
  const int64_t first = wall - int64_t{info.first.offset_s} * kMsPerSecond;
  UtcCandidates out;
  switch (info.result) {
    case date::local_info::unique:
      out.earliest_ms_utc = out.latest_ms_utc = first;
      break;
    case date::local_info::ambiguous: {
      const int64_t second = wall - int64_t{info.second.offset_s} * kMsPerSecond;
      out.kind = LocalTimeKind::kAmbiguous;
      out.earliest_ms_utc = std::min(first, second);
      out.latest_ms_utc = std::max(first, second);
      break;
    }
    case date::local_info::nonexistent:
      // The first instant after the gap: when the second period begins.
      out.kind = LocalTimeKind::kNonexistent;
      out.earliest_ms_utc = out.latest_ms_utc = info.second.begin_ms_utc;
      break;
  }
  return out;
}

std::string TimeZone::FormatIso(int64_t ms_utc) const {
  const LocalTime lt = ToLocal(ms_utc);
  const int32_t off = lt.utc_offset_s < 0 ? -lt.utc_offset_s : lt.utc_offset_s;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", lt.utc_offset_s < 0 ? '-' : '+', off / 3600, (off / 60) % 60);
  return FormatDateTime(lt.civil) + buf;
}

std::string TimeZone::FormatHuman(int64_t ms_utc) const {
  const LocalTime lt = ToLocal(ms_utc);
  char buf[24];
  std::snprintf(buf, sizeof buf, " %02d:%02d:%02d ", lt.civil.hour, lt.civil.minute, lt.civil.second);
  return FormatDate(lt.civil.date) + buf + lt.abbreviation;
}

}  // namespace kronika::policy
