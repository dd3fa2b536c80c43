#include "kronika/srs/session/session.h"

#include <algorithm>
#include <utility>

#include "kronika/sdp/phone_number.h"
#include "kronika/srs/core/completeness_record.h"
#include "kronika/utf8.h"

namespace kronika::srs {
namespace {

int64_t ToMs(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

CompletenessRecord ToRecord(const media::RecordingEvidence& e, const std::vector<media::Finding>& findings) {
  CompletenessRecord c;
  c.media_start_ms_utc = e.start_unix_ms;
  c.duration_ms = e.duration_ms;
  for (const media::LegEvidence& leg : e.legs) {
    LegEvidenceRecord r;
    r.mline_index = static_cast<uint32_t>(leg.mline_index);
    r.label = leg.label;
    r.channel = leg.channel;
    r.active_from_ms = leg.active_from_ms;
    r.active_to_ms = leg.active_to_ms;
    r.packets_expected = leg.packets_expected;
    r.packets_received = leg.packets_received;
    r.packets_lost = leg.packets_lost;
    r.packets_late = leg.packets_late;
    r.packets_duplicate = leg.packets_duplicate;
    r.packets_foreign_source = leg.packets_foreign_source;
    r.packets_wrong_ssrc = leg.packets_wrong_ssrc;
    r.packets_invalid = leg.packets_invalid;
    r.comfort_noise_packets = leg.comfort_noise_packets;
    r.first_packet_ms = leg.first_packet_ms;
    r.last_packet_ms = leg.last_packet_ms;
    for (const media::Gap& g : leg.gaps) {
      r.gaps.push_back(GapRecord{std::string(media::GapKindName(g.kind)), g.from_ms, g.to_ms, g.missing_packets});
    }
    r.gaps_omitted = leg.gaps_omitted;
    r.gap_total_ms = leg.gap_total_ms;
    for (const media::TimeSpan& p : leg.pauses) r.pauses.push_back(SpanRecord{p.from_ms, p.to_ms});
    r.rms_dbfs = leg.rms_dbfs;
    r.peak_dbfs = leg.peak_dbfs;
    r.audio_ms = leg.audio_ms;
    r.signal_ms = leg.signal_ms;
    r.codecs = leg.codecs;
    r.latched_source = leg.latched_source;
    r.sdp_source = leg.sdp_source;
    r.ssrc = leg.ssrc;
    r.relatches = leg.relatches;
    c.legs.push_back(std::move(r));
  }
  for (const media::Finding& f : findings) {
    c.findings.push_back(FindingRecord{std::string(media::FindingKindName(f.kind)), f.leg, f.from_ms, f.to_ms});
  }
  return c;
}

}  // namespace

std::string_view SessionStateName(SessionState state) {
  switch (state) {
    case SessionState::kAnswered: return "answered";
    case SessionState::kActive: return "active";
    case SessionState::kEnding: return "ending";
    case SessionState::kFinished: return "finished";
  }
  return "unknown";
}

Session::Session(std::string recording_id, Clock::time_point start)
    : id_(std::move(recording_id)), start_(start) {}

void Session::MarkActive() {
  if (state_ == SessionState::kAnswered) state_ = SessionState::kActive;
}

void Session::MarkEnding(TimelineEventKind why, Clock::time_point t, std::string detail) {
  if (state_ == SessionState::kEnding || state_ == SessionState::kFinished) return;
  state_ = SessionState::kEnding;
  end_ = t;
  interrupted_ = why == TimelineEventKind::kShutdown || why == TimelineEventKind::kSessionExpired;
  timeline.Add(why, t, std::move(detail));
}

void Session::MarkFinished(Clock::time_point t) {
  if (!end_) end_ = t;
  state_ = SessionState::kFinished;
}

void Session::SetMapping(sdp::StreamMapping next) {
  for (const sdp::StreamAssignment& a : mapping.streams) {
    for (const std::string& id : a.participant_ids) last_channel_[id] = a.channel;
  }
  mapping = std::move(next);
}

size_t Session::RecordingStreams() const {
  return static_cast<size_t>(std::count_if(negotiation.streams.begin(), negotiation.streams.end(),
                                           [](const sdp::NegotiatedStream& s) { return s.accepted && !s.paused; }));
}

std::vector<sdp::MetadataIssue> Session::CurrentMetadataIssues() const {
  std::vector<sdp::MetadataIssue> issues = metadata_issues;
  if (metadata && mapping.fallback_used) {
    sdp::AddIssue(issues, {sdp::MetadataDefect::kUnmappedStream, mapping.fallback_reason});
  }
  return issues;
}

sdp::MetadataStatus Session::CurrentMetadataStatus() const {
  return sdp::StatusOf(metadata.has_value(), CurrentMetadataIssues());
}

void Session::JudgeCompleteness(const media::CompletenessOptions& options) {
  findings.clear();
  if (!evidence) {
    verdict = std::string(kVerdictInterrupted);
    return;
  }
  // Signalling times on the media timeline (0 = the file's first sample).
  const auto at = [&](Clock::time_point t) { return ToMs(t) - evidence->start_unix_ms; };
  media::SignallingFacts facts;
  if (acked) facts.media_due_ms = std::max<int64_t>(0, at(*acked));
  if (end_) facts.ended_ms = at(*end_);
  for (const PausedSpan& span : timeline.PausedSpans()) {
    facts.pauses.push_back(media::TimeSpan{at(span.start), span.end ? at(*span.end) : INT64_MAX});
  }
  const media::Completeness judged = media::JudgeCompleteness(*evidence, facts, options);
  verdict = std::string(media::VerdictName(judged.verdict));
  findings = judged.findings;
}

RecordingRecord Session::Snapshot() const {
  RecordingRecord r;
  r.recording_id = id_;
  r.sip_call_id = ValidUtf8(call_id);
  r.src_host = ValidUtf8(src_host);
  r.site = site;
  r.start_ms_utc = ToMs(start_);
  r.end_ms_utc = end_ ? ToMs(*end_) : 0;
  if (!failure.empty()) {  // the recording is over, whatever the dialog does
    r.state = RecordingState::kFailed;
    if (failed_at && (!end_ || *failed_at < *end_)) r.end_ms_utc = ToMs(*failed_at);
  } else if (state_ != SessionState::kFinished) {
    r.state = RecordingState::kActive;
  } else if (interrupted_) {
    r.state = RecordingState::kInterrupted;
  } else {
    r.state = RecordingState::kCompleted;
  }
  r.file_path = file.string();
  r.file_bytes = file_bytes;
  r.duration_s = duration_s;
  r.verdict = verdict;
  if (evidence) r.completeness = ToRecord(*evidence, findings);

  std::vector<std::string> codecs;
  for (const sdp::NegotiatedStream& s : negotiation.streams) {
    if (s.accepted && std::find(codecs.begin(), codecs.end(), s.codec.encoding) == codecs.end()) {
      codecs.push_back(s.codec.encoding);
    }
  }
  if (!codecs.empty()) {
    r.codec = "opus from";
    for (size_t i = 0; i < codecs.size(); ++i) r.codec += (i == 0 ? " " : "+") + codecs[i];
  }

  if (metadata) {
    // Everyone who was in the call, those a later snapshot dropped (a transfer) included:
    // the recording must be found by each party's number.
    std::vector<std::pair<const sdp::Participant*, bool>> everyone;  // (participant, departed)
    for (const sdp::Participant& p : metadata->participants) everyone.emplace_back(&p, false);
    for (const sdp::Participant& p : metadata->departed) everyone.emplace_back(&p, true);
    for (const auto& [participant, departed] : everyone) {
      const sdp::Participant& p = *participant;
      ParticipantRecord pr;
      pr.participant_id = p.id;
      if (!p.names.empty()) {  // UTF-8 already: the metadata was decoded before parsing
        pr.name = p.names.front().name;
        pr.aor = p.names.front().aor;
      }
      const sdp::PhoneNumber number =
          sdp::NormalizePhoneNumber(!pr.aor.empty() ? pr.aor : pr.name, country_code);
      pr.number_e164 = number.e164;
      pr.number_original = number.digits;
      for (const sdp::StreamAssignment& a : mapping.streams) {
        if (std::find(a.participant_ids.begin(), a.participant_ids.end(), p.id) != a.participant_ids.end()) {
          pr.channel = a.channel;
          break;
        }
      }
      if (departed) {
        if (auto it = last_channel_.find(p.id); it != last_channel_.end()) pr.channel = it->second;
      }
      r.participants.push_back(std::move(pr));
    }
  }
  for (const TimelineEntry& e : timeline.events()) {
    r.timeline.push_back(TimelineEvent{ToMs(e.time), std::string(TimelineEventName(e.kind)), ValidUtf8(e.detail)});
  }
  r.metadata_xml_last = metadata_xml_last;
  r.metadata_xml_received = metadata_xml_received;
  r.metadata_status = std::string(sdp::MetadataStatusName(CurrentMetadataStatus()));
  for (const sdp::MetadataIssue& issue : CurrentMetadataIssues()) {
    r.metadata_issues.push_back({std::string(sdp::MetadataDefectName(issue.defect)), ValidUtf8(issue.detail)});
  }
  return r;
}

}  // namespace kronika::srs
