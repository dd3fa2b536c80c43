#include "kronika/srs/core/json_record.h"

#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {
namespace {

nlohmann::json TimeOrNull(int64_t ms, bool with_ms = false) {
  if (ms == 0) return nullptr;
  return FormatUtcTime(ms, with_ms);
}

}  // namespace

const std::string& DisplayNumber(const ParticipantRecord& p) {
  return p.number_e164.empty() ? p.number_original : p.number_e164;
}

nlohmann::json RecordingRowJson(const RecordingRecord& r) {
  nlohmann::json participants = nlohmann::json::array();
  nlohmann::json numbers = nlohmann::json::array();
  for (const ParticipantRecord& p : r.participants) {
    participants.push_back({{"name", p.name},
                            {"aor", p.aor},
                            {"number", DisplayNumber(p)},
                            {"channel", p.channel}});
    if (!DisplayNumber(p).empty()) numbers.push_back(DisplayNumber(p));
  }
  return {{"recording_id", r.recording_id},
          {"start_utc", TimeOrNull(r.start_ms_utc)},
          {"end_utc", TimeOrNull(r.end_ms_utc)},
          {"duration_s", r.duration_s},
          {"state", RecordingStateName(r.state)},
          {"participants", std::move(participants)},
          {"numbers", std::move(numbers)},
          {"file_path", r.file_path},
          {"file_bytes", r.file_bytes},
          {"codec", r.codec},
          {"site", r.site},
          {"src_host", r.src_host},
          {"sip_call_id", r.sip_call_id},
          {"metadata_status", r.metadata_status}};
}

std::string DumpJson(const nlohmann::json& json, int indent) {
  return json.dump(indent, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json RecordingListJson(const std::vector<RecordingRecord>& records) {
  nlohmann::json rows = nlohmann::json::array();
  for (const RecordingRecord& r : records) rows.push_back(RecordingRowJson(r));
  return {{"count", records.size()}, {"recordings", std::move(rows)}};
}

nlohmann::json RecordingDetailJson(const RecordingRecord& r) {
  nlohmann::json participants = nlohmann::json::array();
  for (const ParticipantRecord& p : r.participants) {
    participants.push_back({{"participant_id", p.participant_id},
                            {"name", p.name},
                            {"aor", p.aor},
                            {"number_e164", p.number_e164},
                            {"number_original", p.number_original},
                            {"channel", p.channel}});
  }
  nlohmann::json issues = nlohmann::json::array();
  for (const MetadataIssueRecord& issue : r.metadata_issues) {
    issues.push_back({{"reason", issue.reason}, {"detail", issue.detail}});
  }
  nlohmann::json timeline = nlohmann::json::array();
  for (const TimelineEvent& e : r.timeline) {
    timeline.push_back({{"time_utc", TimeOrNull(e.time_ms_utc, true)},
                        {"time_ms_utc", e.time_ms_utc},
                        {"kind", e.kind},
                        {"detail", e.detail}});
  }
  return {{"recording_id", r.recording_id},
          {"sip_call_id", r.sip_call_id},
          {"src_host", r.src_host},
          {"site", r.site},
          {"start_utc", TimeOrNull(r.start_ms_utc, true)},
          {"start_ms_utc", r.start_ms_utc},
          {"end_utc", TimeOrNull(r.end_ms_utc, true)},
          {"end_ms_utc", r.end_ms_utc},
          {"state", RecordingStateName(r.state)},
          {"file_path", r.file_path},
          {"file_bytes", r.file_bytes},
          {"duration_s", r.duration_s},
          {"codec", r.codec},
          {"participants", std::move(participants)},
          {"timeline", std::move(timeline)},
          {"metadata_xml_last", r.metadata_xml_last},
          {"metadata_xml_received_bytes", r.metadata_xml_received.size()},
          {"metadata_status", r.metadata_status},
          {"metadata_issues", std::move(issues)},
          {"retention_expiry_utc", TimeOrNull(r.retention_expiry_ms_utc)},
          {"legal_hold", r.legal_hold},
          {"schema_version", r.schema_version}};
}

}  // namespace kronika::srs
