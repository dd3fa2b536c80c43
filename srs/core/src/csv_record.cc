#include "kronika/srs/core/csv_record.h"

#include <cstdio>

#include "kronika/srs/core/csv_writer.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {
namespace {

std::string Participant(const ParticipantRecord& p) {
  return p.name.empty() ? p.aor : p.name;
}

}  // namespace

std::string RecordingsCsv(const std::vector<RecordingRecord>& records) {
  CsvWriter csv;
  csv.Row({"recording_id", "start_utc", "end_utc", "duration_s", "state", "participants", "numbers", "file_path",
           "file_bytes", "codec", "site", "src_host", "sip_call_id", "metadata_status", "verdict"});
  for (const RecordingRecord& r : records) {
    std::string participants, numbers;
    for (const ParticipantRecord& p : r.participants) {
      if (!participants.empty()) participants.append("; ");
      participants.append(Participant(p));
      if (!DisplayNumber(p).empty()) {
        if (!numbers.empty()) numbers.append("; ");
        numbers.append(DisplayNumber(p));
      }
    }
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.3f", r.duration_s);
    csv.Row({r.recording_id, FormatUtcTime(r.start_ms_utc), FormatUtcTime(r.end_ms_utc), duration,
             RecordingStateName(r.state), participants, numbers, r.file_path, std::to_string(r.file_bytes), r.codec,
             r.site, r.src_host, r.sip_call_id, r.metadata_status, r.verdict});
  }
  return csv.Take();
}

}  // namespace kronika::srs
