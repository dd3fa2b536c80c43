#include "kronika/srs/core/csv_record.h"

#include <cstdio>

#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/utc_time.h"
#include "kronika/utf8.h"

namespace kronika::srs {
namespace {

constexpr char kCsvHeader[] =
    "recording_id,start_utc,end_utc,duration_s,state,participants,numbers,file_path,"
    "file_bytes,codec,site,src_host,sip_call_id,metadata_status,verdict";

// Fields are written as valid UTF-8 whatever bytes a record holds (U+FFFD for the rest).
void AppendField(std::string& out, std::string_view raw, bool first = false) {
  if (!first) out.push_back(',');
  const std::string field = ValidUtf8(raw);
  if (field.find_first_of(",\"\r\n") == std::string::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

std::string Participant(const ParticipantRecord& p) {
  return p.name.empty() ? p.aor : p.name;
}

}  // namespace

std::string RecordingsCsv(const std::vector<RecordingRecord>& records) {
  std::string out = kCsvHeader;
  out.append("\r\n");
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
    AppendField(out, r.recording_id, true);
    AppendField(out, FormatUtcTime(r.start_ms_utc));
    AppendField(out, FormatUtcTime(r.end_ms_utc));
    AppendField(out, duration);
    AppendField(out, RecordingStateName(r.state));
    AppendField(out, participants);
    AppendField(out, numbers);
    AppendField(out, r.file_path);
    AppendField(out, std::to_string(r.file_bytes));
    AppendField(out, r.codec);
    AppendField(out, r.site);
    AppendField(out, r.src_host);
    AppendField(out, r.sip_call_id);
    AppendField(out, r.metadata_status);
    AppendField(out, r.verdict);
    out.append("\r\n");
  }
  return out;
}

}  // namespace kronika::srs
