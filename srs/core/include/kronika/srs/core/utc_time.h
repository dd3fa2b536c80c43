// UTC times on the command line, in the API, the logs and every file we write: ISO-8601
// in, ISO-8601 out - the one UTC formatter of srs/ (Howard Hinnant's date underneath).
// Pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kronika/result.h"

namespace kronika::srs {

// Accepts "2026-11-25T10:00:00Z", "2026-11-25T10:00:00.250Z", "2026-11-25T10:00Z",
// "2026-11-25T11:00:00+01:00" and a bare date "2026-11-25" (midnight UTC; with
// `date_is_end_of_day` the following midnight, so `--to 2026-11-25` includes that day).
// A fraction has at most 3 digits (milliseconds). Error (kInvalidInput) names the text
// that could not be read.
Result<int64_t> ParseUtcTime(std::string_view text, bool date_is_end_of_day = false);

// "2026-11-25T10:00:00Z"; with_ms: "2026-11-25T10:00:00.250Z". "" for 0 (unset).
std::string FormatUtcTime(int64_t ms_utc, bool with_ms = false);

// The same without the "unset" case: 0 is "1970-01-01T00:00:00.000Z" (a timeline event's
// time point is always set). Negative times are before 1970.
std::string FormatUtcTimeMs(int64_t ms_utc);

}  // namespace kronika::srs
