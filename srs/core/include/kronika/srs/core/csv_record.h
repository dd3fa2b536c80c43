// Recordings as CSV (RFC 4180: comma separated, CRLF line ends, fields quoted when they
// hold a comma, quote, CR or LF). Columns, in this order, are a public interface
// (docs/query.md): recording_id,start_utc,end_utc,duration_s,state,participants,numbers,
// file_path,file_bytes,codec,site,src_host,sip_call_id,metadata_status,verdict. `participants`
// and `numbers` list one entry per participant joined by "; ". Every field is written as
// valid UTF-8, whatever bytes the record holds. Pure, any thread.
#pragma once

#include <string>
#include <vector>

#include "kronika/srs/core/recording_record.h"

namespace kronika::srs {

// Header line + one line per record.
std::string RecordingsCsv(const std::vector<RecordingRecord>& records);

}  // namespace kronika::srs
