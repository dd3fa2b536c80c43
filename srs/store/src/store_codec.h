// Record <-> bytes for the `recordings` database: a compact, versioned binary layout.
//
// Layout (all integers unsigned LEB128 varints, signed ones zig-zag encoded first):
//   version, recording_id, sip_call_id, src_host, site, start_ms, end_ms, state,
//   file_path, file_bytes, duration_s (8 bytes IEEE-754 little endian), codec,
//   n_participants { participant_id, name, aor, number_e164, number_original, channel },
//   n_events { time_ms, kind, detail }, metadata_xml_last, retention_expiry_ms, legal_hold
//   (version 1 ends here), metadata_status, n_issues { reason, detail },
//   metadata_xml_received (version 2 ends here),
//   verdict, media_start_ms, duration_ms, n_legs { mline, label, channel,
//   active_from/to_ms, 9 packet counters, first/last_packet_ms, n_gaps { kind, from, to,
//   missing }, gaps_omitted, gap_total_ms, n_pauses { from, to }, rms_dbfs, peak_dbfs
//   (IEEE-754 like duration_s), audio_ms, signal_ms, n_codecs { codec }, latched_source,
//   sdp_source, ssrc, relatches }, n_findings { kind, leg, from_ms, to_ms } (version 3)
// Strings are varint length + bytes. The first varint is the schema version the record
// was written with; DecodeRecord() reads every version it knows (older ones are
// migrated in memory to the current struct) and refuses newer ones.
// Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>

#include "kronika/result.h"
#include "kronika/srs/core/recording_record.h"

namespace kronika::srs {

// Encodes with kRecordingSchemaVersion (record.schema_version is ignored).
std::string EncodeRecord(const RecordingRecord& record);

// Decodes any known version; schema_version of the result is kRecordingSchemaVersion
// (migrated). Error names the field that was truncated or malformed.
Result<RecordingRecord> DecodeRecord(std::string_view bytes);

}  // namespace kronika::srs
