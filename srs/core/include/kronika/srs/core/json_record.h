// Recordings as JSON for `kronika query/show --json` and the HTTP API. Field names are
// a public interface (docs/query.md): add fields, never rename. Pure, any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "kronika/srs/core/recording_record.h"

namespace kronika::srs {

// One list row: recording_id, start_utc, end_utc, duration_s, state, participants
// [{name, aor, number, channel}], numbers, file_path, file_bytes, codec, site, src_host,
// sip_call_id. Times are "2026-11-25T10:00:00Z" or null while unset.
nlohmann::json RecordingRowJson(const RecordingRecord& record);

// {"count": N, "recordings": [row...]}
nlohmann::json RecordingListJson(const std::vector<RecordingRecord>& records);

// Everything, including timeline and metadata_xml_last (for `show` / GET by id).
nlohmann::json RecordingDetailJson(const RecordingRecord& record);

// The number shown for a participant: number_e164, else number_original.
const std::string& DisplayNumber(const ParticipantRecord& participant);

}  // namespace kronika::srs
