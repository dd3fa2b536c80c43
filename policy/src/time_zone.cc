#include "kronika/policy/time_zone.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace kronika::policy {

constexpr int32_t kSecondsPerHour = 3600;
constexpr int kMaxOffsetHours = 24;       // POSIX: UTC offsets within 0..24 h
constexpr int kMaxTransitionHours = 167;  // RFC 8536 §3.3.1
constexpr int kMinNameLength = 3;         // POSIX: std/dst names have at least 3 characters

// Recursive-descent reader of one POSIX TZ rule; every error names the position.
class TzRuleParser {
 public:
  explicit TzRuleParser(std::string_view text) : text_(text) {}

  Result<TimeZone> Parse() {
    TimeZone tz;
    tz.rule_ = std::string(text_);
    tz.dst_name_.clear();
    if (text_.empty()) return Fail("empty rule");
    if (text_[0] == ':')
      return Fail("':' (a tzdata file name) is not a rule; write the rule itself");
    if (!ReadName(tz.std_name_)) return Fail("expected a standard-time name (3+ letters or <...>)");
    int32_t west = 0;
    if (!ReadHms(west, kMaxOffsetHours, /*sign_allowed=*/true))
      return Fail("expected the UTC offset of standard time");
    tz.std_offset_s_ = -west;
    tz.dst_offset_s_ = tz.std_offset_s_;
    if (AtEnd()) return tz;

    if (!ReadName(tz.dst_name_)) return Fail("expected a DST name (3+ letters or <...>)");
    tz.has_dst_ = true;
    tz.dst_offset_s_ = tz.std_offset_s_ + kSecondsPerHour;  // POSIX default: one hour ahead
    if (!AtEnd() && Peek() != ',') {
      if (!ReadHms(west, kMaxOffsetHours, true)) return Fail("expected the UTC offset of DST");
      tz.dst_offset_s_ = -west;
    }
    if (AtEnd() || Peek() != ',')
      return Fail("expected ',' and a transition rule after the DST part");
    ++pos_;
    if (!ReadRuleDate(tz.dst_start_)) return Fail(error_.empty() ? "bad DST start rule" : error_);
    if (AtEnd() || Peek() != ',') return Fail("expected ',' and the DST end rule");
    ++pos_;
    if (!ReadRuleDate(tz.dst_end_)) return Fail(error_.empty() ? "bad DST end rule" : error_);
    if (!AtEnd()) return Fail("unexpected text after the rule");
    if (tz.dst_offset_s_ == tz.std_offset_s_) return Fail("DST offset equals standard offset");
    return tz;
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }

  Error Fail(const std::string& what) const {
    return MakeError(400, "time_zone: " + what + " at " + std::to_string(pos_) + " in \"" +
                              std::string(text_) + "\"");
  }

  bool ReadName(std::string& out) {
    out.clear();
    if (AtEnd()) return false;
    if (Peek() == '<') {
      const size_t close = text_.find('>', pos_);
      if (close == std::string_view::npos) return false;
      std::string_view inner = text_.substr(pos_ + 1, close - pos_ - 1);
      for (char c : inner) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-') return false;
      }
      if (inner.size() < kMinNameLength) return false;
      out = std::string(inner);
      pos_ = close + 1;
      return true;
    }
    size_t end = pos_;
    while (end < text_.size() && std::isalpha(static_cast<unsigned char>(text_[end]))) ++end;
    if (end - pos_ < kMinNameLength) return false;
    out = std::string(text_.substr(pos_, end - pos_));
    pos_ = end;
    return true;
  }

  // Reads up to `max_digits` decimal digits into `value`; false when there are none.
  bool ReadNumber(int& value, size_t max_digits) {
    size_t n = 0;
    value = 0;
    while (!AtEnd() && n < max_digits && std::isdigit(static_cast<unsigned char>(Peek()))) {
      value = value * 10 + (Peek() - '0');
      ++pos_;
      ++n;
    }
    return n > 0;
  }

  // [+|-]hh[:mm[:ss]] -> signed seconds.
  bool ReadHms(int32_t& seconds, int max_hours, bool sign_allowed) {
    int sign = 1;
    if (!AtEnd() && sign_allowed && (Peek() == '+' || Peek() == '-')) {
      sign = Peek() == '-' ? -1 : 1;
      ++pos_;
    }
    int h = 0, m = 0, s = 0;
    if (!ReadNumber(h, 3) || h > max_hours) return false;
    if (!AtEnd() && Peek() == ':') {
      ++pos_;
      if (!ReadNumber(m, 2) || m > 59) return false;
      if (!AtEnd() && Peek() == ':') {
        ++pos_;
        if (!ReadNumber(s, 2) || s > 59) return false;
      }
    }
    seconds = sign * (h * kSecondsPerHour + m * 60 + s);
    return true;
  }

  bool ReadRuleDate(TimeZone::RuleDate& out) {
    using Form = TimeZone::RuleDate::Form;
    if (AtEnd()) return false;
    if (Peek() == 'J') {
      ++pos_;
      out.form = Form::kJulianNoLeap;
      if (!ReadNumber(out.a, 3) || out.a < 1 || out.a > 365) {
        error_ = "Jn needs n in 1..365";
        return false;
      }
    } else if (Peek() == 'M') {
      ++pos_;
      out.form = Form::kMonthWeekDay;
      if (!ReadNumber(out.a, 2) || out.a < 1 || out.a > 12 || AtEnd() || Peek() != '.') {
        error_ = "Mm.w.d needs month 1..12";
        return false;
      }
      ++pos_;
      if (!ReadNumber(out.b, 1) || out.b < 1 || out.b > 5 || AtEnd() || Peek() != '.') {
        error_ = "Mm.w.d needs week 1..5";
        return false;
      }
      ++pos_;
      if (!ReadNumber(out.c, 1) || out.c > 6) {
        error_ = "Mm.w.d needs weekday 0..6";
        return false;
      }
    } else {
      out.form = Form::kZeroBasedDay;
      if (!ReadNumber(out.a, 3) || out.a > 365) {
        error_ = "n needs 0..365";
        return false;
      }
    }
    out.time_s = 2 * kSecondsPerHour;
    if (!AtEnd() && Peek() == '/') {
      ++pos_;
      if (!ReadHms(out.time_s, kMaxTransitionHours, true)) {
        error_ = "bad transition time (hh[:mm[:ss]], -167..167 h)";
        return false;
      }
    }
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

TimeZone::TimeZone() = default;

Result<TimeZone> TimeZone::Parse(std::string_view rule) { return TzRuleParser(rule).Parse(); }

TimeZone TimeZone::EuropeWarsaw() {
  Result<TimeZone> tz = Parse(kEuropeWarsawTzRule);
  assert(tz.ok());
  return std::move(tz).value();
}

int64_t TimeZone::TransitionMs(int year, const RuleDate& when, int32_t offset_before_s) const {
  int64_t day = 0;  // days since epoch of the transition date
  switch (when.form) {
    case RuleDate::Form::kJulianNoLeap: {
      int n = when.a;  // 1..365, February 29 is never counted
      if (IsLeapYear(year) && n >= 60) ++n;
      day = DaysFromCivil(CivilDate{year, 1, 1}) + n - 1;
      break;
    }
    case RuleDate::Form::kZeroBasedDay:
      day = DaysFromCivil(CivilDate{year, 1, 1}) + when.a;
      break;
    case RuleDate::Form::kMonthWeekDay: {
      const CivilDate first{year, when.a, 1};
      const int first_wd = static_cast<int>(WeekdayOf(first));
      int dom = 1 + (when.c - first_wd + 7) % 7 + 7 * (when.b - 1);
      const int last = DaysInMonth(year, when.a);
      while (dom > last) dom -= 7;  // week 5 = the last such weekday
      day = DaysFromCivil(CivilDate{year, when.a, dom});
      break;
    }
  }
  return (day * 86400 + when.time_s - offset_before_s) * kMsPerSecond;
}

bool TimeZone::IsDstAt(int64_t ms_utc) const {
  if (!has_dst_) return false;
  const int year = CivilFromMs(ms_utc + int64_t{std_offset_s_} * kMsPerSecond).date.year;
  const int64_t start = TransitionMs(year, dst_start_, std_offset_s_);
  const int64_t end = TransitionMs(year, dst_end_, dst_offset_s_);
  if (start < end) return ms_utc >= start && ms_utc < end;  // northern hemisphere
  return !(ms_utc >= end && ms_utc < start);                // southern: DST spans New Year
}

int32_t TimeZone::OffsetAt(int64_t ms_utc) const {
  return IsDstAt(ms_utc) ? dst_offset_s_ : std_offset_s_;
}

LocalTime TimeZone::ToLocal(int64_t ms_utc) const {
  const bool dst = IsDstAt(ms_utc);
  LocalTime out;
  out.is_dst = dst;
  out.utc_offset_s = dst ? dst_offset_s_ : std_offset_s_;
  out.abbreviation = dst ? dst_name_ : std_name_;
  out.civil = CivilFromMs(ms_utc + int64_t{out.utc_offset_s} * kMsPerSecond);
  return out;
}

UtcCandidates TimeZone::ToUtc(const CivilDateTime& local) const {
  const int64_t wall = MsFromCivil(local);
  const int64_t as_std = wall - int64_t{std_offset_s_} * kMsPerSecond;
  UtcCandidates out;
  if (!has_dst_) {
    out.earliest_ms_utc = out.latest_ms_utc = as_std;
    return out;
  }
  const int64_t as_dst = wall - int64_t{dst_offset_s_} * kMsPerSecond;
  const bool std_ok = OffsetAt(as_std) == std_offset_s_;
  const bool dst_ok = OffsetAt(as_dst) == dst_offset_s_;
  if (std_ok && dst_ok) {
    out.kind = LocalTimeKind::kAmbiguous;
    out.earliest_ms_utc = std::min(as_std, as_dst);
    out.latest_ms_utc = std::max(as_std, as_dst);
  } else if (std_ok || dst_ok) {
    out.earliest_ms_utc = out.latest_ms_utc = std_ok ? as_std : as_dst;
  } else {
    // In the gap: find the first instant after the transition between the two readings.
    int64_t lo = std::min(as_std, as_dst);
    int64_t hi = std::max(as_std, as_dst);
    const int32_t after = OffsetAt(hi);
    while (hi - lo > 1) {
      const int64_t mid = lo + (hi - lo) / 2;
      (OffsetAt(mid) == after ? hi : lo) = mid;
    }
    out.kind = LocalTimeKind::kNonexistent;
    out.earliest_ms_utc = out.latest_ms_utc = hi;
  }
  return out;
}

std::string TimeZone::FormatIso(int64_t ms_utc) const {
  const LocalTime lt = ToLocal(ms_utc);
  const int32_t off = lt.utc_offset_s < 0 ? -lt.utc_offset_s : lt.utc_offset_s;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", lt.utc_offset_s < 0 ? '-' : '+', off / 3600,
                (off / 60) % 60);
  return FormatDateTime(lt.civil) + buf;
}

std::string TimeZone::FormatHuman(int64_t ms_utc) const {
  const LocalTime lt = ToLocal(ms_utc);
  char buf[24];
  std::snprintf(buf, sizeof buf, " %02d:%02d:%02d ", lt.civil.hour, lt.civil.minute,
                lt.civil.second);
  return FormatDate(lt.civil.date) + buf + lt.abbreviation;
}

}  // namespace kronika::policy
