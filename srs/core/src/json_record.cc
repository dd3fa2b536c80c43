#include "kronika/srs/core/json_record.h"

#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {
namespace {

nlohmann::json TimeOrNull(int64_t ms, bool with_ms = false) {
  if (ms == 0) return nullptr;
  return FormatUtcTime(ms, with_ms);
}

nlohmann::json VerdictOrNull(const RecordingRecord& r) {
  if (r.verdict.empty()) return nullptr;
  return r.verdict;
}

nlohmann::json CompletenessJson(const CompletenessRecord& c) {
  if (c.media_start_ms_utc == 0 && c.legs.empty()) return nullptr;
  nlohmann::json legs = nlohmann::json::array();
  for (const LegEvidenceRecord& leg : c.legs) {
    nlohmann::json gaps = nlohmann::json::array();
    for (const GapRecord& g : leg.gaps) {
      gaps.push_back({{"kind", g.kind}, {"from_ms", g.from_ms}, {"to_ms", g.to_ms}, {"missing_packets", g.missing_packets}});
    }
    nlohmann::json pauses = nlohmann::json::array();
    for (const SpanRecord& p : leg.pauses) pauses.push_back({{"from_ms", p.from_ms}, {"to_ms", p.to_ms}});
    auto packet_time = [&](int64_t ms) -> nlohmann::json {
      if (ms < 0) return nullptr;
      return FormatUtcTime(c.media_start_ms_utc + ms, true);
    };
    legs.push_back({{"mline_index", leg.mline_index},
                    {"label", leg.label},
                    {"channel", leg.channel},
                    {"active_from_ms", leg.active_from_ms},
                    {"active_to_ms", leg.active_to_ms},
                    {"packets_expected", leg.packets_expected},
                    {"packets_received", leg.packets_received},
                    {"packets_lost", leg.packets_lost},
                    {"packets_late", leg.packets_late},
                    {"packets_duplicate", leg.packets_duplicate},
                    {"packets_foreign_source", leg.packets_foreign_source},
                    {"packets_wrong_ssrc", leg.packets_wrong_ssrc},
                    {"packets_invalid", leg.packets_invalid},
                    {"comfort_noise_packets", leg.comfort_noise_packets},
                    {"first_packet_ms", leg.first_packet_ms >= 0 ? nlohmann::json(leg.first_packet_ms) : nullptr},
                    {"last_packet_ms", leg.last_packet_ms >= 0 ? nlohmann::json(leg.last_packet_ms) : nullptr},
                    {"first_packet_utc", packet_time(leg.first_packet_ms)},
                    {"last_packet_utc", packet_time(leg.last_packet_ms)},
                    {"gaps", std::move(gaps)},
                    {"gaps_omitted", leg.gaps_omitted},
                    {"gap_total_ms", leg.gap_total_ms},
                    {"pauses", std::move(pauses)},
                    {"rms_dbfs", leg.rms_dbfs},
                    {"peak_dbfs", leg.peak_dbfs},
                    {"audio_ms", leg.audio_ms},
                    {"signal_ms", leg.signal_ms},
                    {"codecs", leg.codecs},
                    {"latched_source", leg.latched_source},
                    {"sdp_source", leg.sdp_source},
                    {"ssrc", leg.ssrc},
                    {"relatches", leg.relatches}});
  }
  nlohmann::json findings = nlohmann::json::array();
  for (const FindingRecord& f : c.findings) {
    findings.push_back({{"kind", f.kind}, {"leg", f.leg}, {"from_ms", f.from_ms}, {"to_ms", f.to_ms}});
  }
  return {{"media_start_utc", TimeOrNull(c.media_start_ms_utc, true)},
          {"duration_ms", c.duration_ms},
          {"findings", std::move(findings)},
          {"legs", std::move(legs)}};
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
          {"verdict", VerdictOrNull(r)},
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
          {"verdict", VerdictOrNull(r)},
          {"completeness", CompletenessJson(r.completeness)},
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
