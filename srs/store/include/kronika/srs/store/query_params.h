// Turns the filters given on the command line or in the API's query string into a
// RecordingQuery. Shared so `kronika query` and GET /api/v1/recordings accept the same
// values with the same messages. Pure, any thread.
#pragma once

#include <optional>
#include <string>

#include "kronika/result.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {

inline constexpr size_t kDefaultQueryLimit = 100;
inline constexpr size_t kMaxQueryLimit = 10000;

struct QueryParams {
  std::optional<std::string> id, number, participant, from, to, state, verdict, limit, offset,
      order, metadata_status;
};

// Errors (400) name the parameter: "from: time 'x' is not ISO-8601 ...",
// "state: expected active|completed|interrupted|failed", "limit: expected 1..10000",
// "verdict: expected complete|partial|one-way|silent|no-media|interrupted",
// "metadata_status: expected complete|partial|unparsed".
// order: "asc" (default, oldest first) or "desc".
Result<RecordingQuery> MakeRecordingQuery(const QueryParams& params);

}  // namespace kronika::srs
