#include "kronika/srs/store/query_params.h"

#include <charconv>

#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {
namespace {

std::optional<size_t> ParseCount(const std::string& text, size_t max) {
  size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

Error ParamError(const char* name, const std::string& what) {
  return MakeError(ErrorCode::kInvalidInput, std::string(name) + ": " + what);
}

}  // namespace

Result<RecordingQuery> MakeRecordingQuery(const QueryParams& p) {
  RecordingQuery q;
  q.limit = kDefaultQueryLimit;
  if (p.id) q.id = *p.id;
  if (p.number) q.number = *p.number;
  if (p.participant) q.participant = *p.participant;
  if (p.from) {
    Result<int64_t> t = ParseUtcTime(*p.from);
    if (!t.ok()) return ParamError("from", t.error().message);
    q.from_ms_utc = *t;
  }
  if (p.to) {
    Result<int64_t> t = ParseUtcTime(*p.to, /*date_is_end_of_day=*/true);
    if (!t.ok()) return ParamError("to", t.error().message);
    q.to_ms_utc = *t;
  }
  if (q.from_ms_utc && q.to_ms_utc && *q.to_ms_utc <= *q.from_ms_utc) {
    return MakeError(ErrorCode::kInvalidInput, "to: must be later than from");
  }
  if (p.state) {
    q.state = ParseRecordingState(*p.state);
    if (!q.state) return ParamError("state", "expected active|completed|interrupted|failed");
  }
  if (p.metadata_status) {
    if (*p.metadata_status != "complete" && *p.metadata_status != "partial" &&
        *p.metadata_status != "unparsed") {
      return ParamError("metadata_status", "expected complete|partial|unparsed");
    }
    q.metadata_status = *p.metadata_status;
  }
  if (p.verdict) {
    if (!IsVerdictName(*p.verdict)) {
      return ParamError("verdict", "expected complete|partial|one-way|silent|no-media|interrupted");
    }
    q.verdict = *p.verdict;
  }
  if (p.limit) {
    std::optional<size_t> n = ParseCount(*p.limit, kMaxQueryLimit);
    if (!n || *n == 0) return ParamError("limit", "expected 1.." + std::to_string(kMaxQueryLimit));
    q.limit = *n;
  }
  if (p.offset) {
    std::optional<size_t> n = ParseCount(*p.offset, SIZE_MAX);
    if (!n) return ParamError("offset", "expected a non-negative integer");
    q.offset = *n;
  }
  if (p.order) {
    if (*p.order == "desc") {
      q.newest_first = true;
    } else if (*p.order != "asc") {
      return ParamError("order", "expected asc or desc");
    }
  }
  return q;
}

}  // namespace kronika::srs
