// Recordings as JSON for `kronika query/show --json` and the HTTP API. Field names are
// a public interface (docs/query.md): add fields, never rename. Pure, any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "kronika/srs/core/recording_record.h"

namespace kronika::srs {

// One list row: recording_id, start_utc, end_utc, duration_s, state, verdict (null while
// not judged), participants [{name, aor, number, channel}], numbers, file_path, file_bytes,
// codec, site, src_host, sip_call_id, metadata_status ("" for records never judged). Times
// are "2026-11-25T10:00:00Z" or null while unset.
nlohmann::json RecordingRowJson(const RecordingRecord& record);

// {"count": N, "recordings": [row...]}
nlohmann::json RecordingListJson(const std::vector<RecordingRecord>& records);

// Everything, including timeline, metadata_xml_last, metadata_status, metadata_issues
// [{reason, detail}], metadata_xml_received_bytes (the size of the document as received
// when it differs from metadata_xml_last, else 0; `kronika show --received-metadata` prints
// those bytes) and completeness {media_start_utc, duration_ms, findings [{kind, leg,
// from_ms, to_ms}], legs [evidence per leg]} (null for records without evidence) - for
// `show` / GET by id.
nlohmann::json RecordingDetailJson(const RecordingRecord& record);

// `json` as text that is always valid UTF-8: a string holding bytes that are not UTF-8
// (stored by an older version, copied from a peer) gets U+FFFD for them instead of making
// nlohmann throw (which ended `kronika query --json` with exit 134). Every JSON writer of
// srs/ prints through this. `indent` as nlohmann's dump (-1: one line).
std::string DumpJson(const nlohmann::json& json, int indent = -1);

// The number shown for a participant: number_e164, else number_original.
const std::string& DisplayNumber(const ParticipantRecord& participant);

}  // namespace kronika::srs
