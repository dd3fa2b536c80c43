#include "kronika/srs/session/session.h"

#include <algorithm>
#include <utility>

#include "kronika/sdp/phone_number.h"
#include "kronika/utf8.h"

namespace kronika::srs {
namespace {

int64_t ToMs(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
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

RecordingRecord Session::Snapshot() const {
  RecordingRecord r;
  r.recording_id = id_;
  r.sip_call_id = ValidUtf8(call_id);
  r.src_host = ValidUtf8(src_host);
  r.site = site;
  r.start_ms_utc = ToMs(start_);
  r.end_ms_utc = end_ ? ToMs(*end_) : 0;
  if (state_ != SessionState::kFinished) {
    r.state = RecordingState::kActive;
  } else if (!failure.empty()) {
    r.state = RecordingState::kFailed;
  } else if (interrupted_) {
    r.state = RecordingState::kInterrupted;
  } else {
    r.state = RecordingState::kCompleted;
  }
  r.file_path = file.string();
  r.file_bytes = file_bytes;
  r.duration_s = duration_s;

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
