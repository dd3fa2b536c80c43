// Key layouts of the store's index databases (see store.h). Pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/srs/core/recording_record.h"

namespace kronika::srs {

// LMDB's default key limit is 511 bytes; ids and number keys are capped well below it.
inline constexpr size_t kMaxRecordingIdBytes = 128;
inline constexpr size_t kMaxNumberKeyBytes = 64;

// 8-byte big-endian time (sign bit flipped so negative times sort first) + id.
std::string TimeKey(int64_t time_ms_utc, std::string_view recording_id);
// Inverse of TimeKey(); false when `key` is shorter than 8 bytes.
bool SplitTimeKey(std::string_view key, int64_t& time_ms_utc, std::string& recording_id);

// Distinct by_number keys of a record: NumberIndexKey() of every participant's
// number_e164 and number_original, non-empty, at most kMaxNumberKeyBytes.
std::vector<std::string> NumberKeysOf(const RecordingRecord& record);

}  // namespace kronika::srs
