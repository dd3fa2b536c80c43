#include "kronika/srs/session/session_manager.h"

#include <sys/random.h>

#include <algorithm>
#include <random>

#include "kronika/sdp/body_encoding.h"
#include "kronika/sdp/metadata_document.h"
#include "kronika/sdp/siprec_body.h"
#include "kronika/sdp/stream_mapping.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/core/metrics.h"

namespace kronika::srs {
namespace {

constexpr std::string_view kNotSiprec = "not a SIPREC request: no recording metadata";
// Answer-and-drop without a discard socket: the "discard" port (RFC 863), answered
// a=inactive, as JSEP does for a placeholder m-line.
constexpr uint16_t kDiscardPlaceholderPort = 9;

uint64_t RandomSessionId() {
  uint32_t value = 0;
  if (getrandom(&value, sizeof(value), 0) != static_cast<ssize_t>(sizeof(value))) {
    value = static_cast<uint32_t>(std::random_device{}());
  }
  return value | 1u;  // never 0
}

// "inline:KEY|2^31|1:1" -> "KEY".
std::string RemoteKey(const sdp::CryptoAttribute& crypto) {
  std::string_view params = crypto.key_params;
  if (params.rfind("inline:", 0) == 0) params.remove_prefix(7);
  const size_t end = params.find_first_of("| ");
  return std::string(params.substr(0, end));
}

std::string PauseReason(const sdp::OfferedStream& offered) {
  if (offered.port == 0) return "port 0";
  if (offered.connection_address == "0.0.0.0" || offered.connection_address == "::") return "c=0.0.0.0";
  return "a=" + std::string(sdp::DirectionName(offered.direction));
}

const sdp::NegotiatedStream* StreamAt(const sdp::Negotiation& n, size_t index) {
  for (const sdp::NegotiatedStream& s : n.streams) {
    if (s.index == index) return &s;
  }
  return nullptr;
}

size_t Recording(const sdp::Negotiation& n) {
  return static_cast<size_t>(std::count_if(n.streams.begin(), n.streams.end(),
                                           [](const sdp::NegotiatedStream& s) { return s.accepted && !s.paused; }));
}

std::string Describe(const sdp::NegotiatedStream& s) {
  std::string text = "m-line " + std::to_string(s.index + 1);
  if (!s.label.empty()) text += " (label " + s.label + ")";
  return text;
}

std::string Endpoint(const sdp::NegotiatedStream& s) {
  return s.remote_address + ":" + std::to_string(s.remote_port);
}

struct Change {
  TimelineEventKind kind;
  std::string detail;
};

// What an accepted offer changes compared to the current negotiation.
std::vector<Change> Diff(const sdp::Negotiation& before, const sdp::Negotiation& after,
                         const sdp::SdpOffer& offer) {
  std::vector<Change> changes;
  const size_t recording_before = Recording(before);
  const size_t recording_after = Recording(after);
  std::string pause_reason;
  for (const sdp::NegotiatedStream& now : after.streams) {
    const sdp::NegotiatedStream* old = StreamAt(before, now.index);
    const bool was = old != nullptr && old->accepted;
    if (now.accepted && !was) {
      changes.push_back({TimelineEventKind::kUpdate, Describe(now) + " added"});
      continue;
    }
    if (!now.accepted && was) {
      changes.push_back({TimelineEventKind::kUpdate, Describe(now) + " removed"});
      continue;
    }
    if (!now.accepted) continue;
    if (now.paused && !old->paused && now.index < offer.streams.size() && pause_reason.empty()) {
      pause_reason = PauseReason(offer.streams[now.index]);
    }
    if (now.paused != old->paused && recording_after > 0 && recording_before > 0) {
      changes.push_back({TimelineEventKind::kUpdate, Describe(now) + (now.paused ? " paused" : " resumed")});
    }
    if (now.codec.encoding != old->codec.encoding || now.codec.payload_type != old->codec.payload_type) {
      changes.push_back({TimelineEventKind::kUpdate, Describe(now) + " codec " + old->codec.encoding + " -> " +
                                                         now.codec.encoding});
    }
    if (!now.paused && !old->paused && (now.remote_address != old->remote_address || now.remote_port != old->remote_port)) {
      changes.push_back({TimelineEventKind::kUpdate, Describe(now) + " remote " + Endpoint(*old) + " -> " + Endpoint(now)});
    }
  }
  for (const sdp::NegotiatedStream& old : before.streams) {
    if (old.accepted && StreamAt(after, old.index) == nullptr) {
      changes.push_back({TimelineEventKind::kUpdate, Describe(old) + " removed"});
    }
  }
  if (recording_before > 0 && recording_after == 0) {
    changes.insert(changes.begin(), {TimelineEventKind::kPause, pause_reason.empty() ? "a=inactive" : pause_reason});
  } else if (recording_before == 0 && recording_after > 0) {
    changes.insert(changes.begin(), {TimelineEventKind::kResume, ""});
  }
  return changes;
}

// "empty_id: ...; duplicate_id: ..." - at most kMaxIssuesInLine issues, for one log line.
constexpr size_t kMaxIssuesInLine = 4;
std::string SummarizeIssues(const std::vector<sdp::MetadataIssue>& issues) {
  std::string text;
  for (size_t i = 0; i < issues.size() && i < kMaxIssuesInLine; ++i) {
    text += (text.empty() ? "" : "; ") + sdp::DescribeIssue(issues[i]);
  }
  if (issues.size() > kMaxIssuesInLine) text += "; ... (" + std::to_string(issues.size()) + " in all)";
  return text;
}

std::string SummarizeAnswer(const sdp::Negotiation& n) {
  std::string text;
  for (const sdp::NegotiatedStream& s : n.streams) {
    if (!text.empty()) text += ", ";
    text += Describe(s) + " ";
    if (!s.accepted) {
      text += "refused";
    } else {
      text += s.codec.encoding + " on port " + std::to_string(s.local_port) + (s.paused ? " paused" : "");
    }
  }
  return text;
}

}  // namespace

SessionManager::SessionManager(SessionManagerOptions options, media::MediaEngine* media, SnapshotSink sink,
                               std::function<bool()> store_healthy, Metrics* metrics)
    : options_(std::move(options)),
      media_(media),
      sink_(std::move(sink)),
      store_healthy_(std::move(store_healthy)),
      metrics_(metrics) {}

SessionManager::~SessionManager() = default;

Session* SessionManager::Find(const std::string& recording_id) {
  sip_thread_.Check("SessionManager::Find");
  auto it = sessions_.find(recording_id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

size_t SessionManager::live_sessions() const {
  return static_cast<size_t>(std::count_if(sessions_.begin(), sessions_.end(), [this](const auto& entry) {
    if (dropped_.count(entry.first) != 0) return false;  // answered, not recorded: no media
    const SessionState state = entry.second->state();
    return state == SessionState::kAnswered || state == SessionState::kActive;
  }));
}

size_t SessionManager::live_sessions_from(const std::string& source_address) const {
  if (source_address.empty()) return 0;
  return static_cast<size_t>(std::count_if(source_of_.begin(), source_of_.end(), [&](const auto& entry) {
    if (entry.second != source_address || dropped_.count(entry.first) != 0) return false;
    auto it = sessions_.find(entry.first);
    if (it == sessions_.end()) return false;
    const SessionState state = it->second->state();
    return state == SessionState::kAnswered || state == SessionState::kActive;
  }));
}

SipReply SessionManager::Refuse(int status, std::string warning, std::string reason_key) {
  SipReply reply;
  reply.status = status;
  reply.warning = std::move(warning);
  reply.reason_key = std::move(reason_key);
  if (status == 503) reply.retry_after_s = options_.retry_after_s;
  if (metrics_ != nullptr && status >= 400 && status < 500) metrics_->OnBadInput(reply.reason_key);
  return reply;
}

SipReply SessionManager::RefuseFromError(const Error& error, std::string reason_key) {
  const int status = SipStatus(error);
  return Refuse(status, error.message, std::move(reason_key));
}

void SessionManager::Persist(const Session& session) {
  if (!sink_ || dropped_.count(session.id()) != 0) return;  // answer-and-drop: nothing stored
  if (!sink_(session.Snapshot())) {
    Log(LogLevel::kWarn, session.id(), "store queue refused the session snapshot");
  }
}

media::RecordingSpec SessionManager::SpecFor(const Session& session) const {
  media::RecordingSpec spec;
  spec.recording_id = session.id();
  for (const sdp::NegotiatedStream& s : session.negotiation.streams) {
    if (!s.accepted) continue;
    media::StreamSpec stream;
    stream.mline_index = s.index;
    stream.label = s.label;
    stream.channel = sdp::kChannelMixedMono;
    if (options_.stereo && !session.mapping.mixed_single_stream) {
      for (const sdp::StreamAssignment& a : session.mapping.streams) {
        if (a.mline_index == s.index) stream.channel = a.channel;
      }
    }
    // Exactly what our answer lists: every offered format we decode, so an SRC that keeps
    // sending its own first choice instead of ours is still recorded (SIPp, some SBCs).
    stream.formats = s.formats;
    stream.paused = s.paused;
    if (s.crypto) {
      stream.srtp_suite = s.crypto->suite;
      stream.srtp_remote_key_b64 = RemoteKey(*s.crypto);
    }
    // Where the SDP says the SRC is: compared with the source that latches (reported when
    // it differs; enforced only by media.source_check = "strict"); a change of either is a
    // renegotiation that lets the stream re-latch at once (a re-INVITE moving the ports).
    stream.remote_ip = s.remote_address;
    stream.remote_port = static_cast<uint16_t>(s.remote_port);
    spec.streams.push_back(std::move(stream));
  }
  return spec;
}

SipReply SessionManager::ApplyOffer(Session& session, const std::string& sdp_text, Clock::time_point now,
                                    bool is_answer_to_our_offer) {
  Result<sdp::SdpOffer> offer = sdp::ParseSdpOffer(sdp_text);
  if (!offer.ok()) return RefuseFromError(offer.error(), "bad_sdp");
  Result<sdp::Negotiation> negotiated = sdp::Negotiate(*offer, options_.codecs);
  if (!negotiated.ok()) return RefuseFromError(negotiated.error(), "no_codec");
  // Every accepted stream takes an RTP port and a pipeline: bounded before any is opened.
  const auto recorded = std::count_if(negotiated->streams.begin(), negotiated->streams.end(),
                                      [](const sdp::NegotiatedStream& s) { return s.accepted; });
  if (recorded > options_.max_streams) {
    return Refuse(488,
                  "sdp: " + std::to_string(recorded) + " audio streams offered, more than the " +
                      std::to_string(options_.max_streams) + " a session may record (sip.max_streams)",
                  "too_many_streams");
  }

  std::vector<std::string> labels;
  for (const sdp::OfferedStream& s : offer->streams) labels.push_back(s.label);
  const bool initial = session.negotiation.streams.empty();

  Session next_state(session.id(), session.start());  // scratch copy of what changes
  next_state.negotiation = std::move(*negotiated);
  next_state.mapping = sdp::MapStreams(labels, session.metadata ? &*session.metadata : nullptr);
  next_state.metadata = session.metadata;

  std::vector<Change> changes;
  if (!initial) changes = Diff(session.negotiation, next_state.negotiation, *offer);

  // Our SDES keys: stable per m-line across re-offers.
  std::vector<std::string> keys = session.local_srtp_keys;
  keys.resize(next_state.negotiation.streams.size());
  for (const sdp::NegotiatedStream& s : next_state.negotiation.streams) {
    if (s.index >= keys.size()) keys.resize(s.index + 1);
    if (s.accepted && s.crypto && keys[s.index].empty()) keys[s.index] = NewSrtpKeyBase64();
  }

  if (auto drop = dropped_.find(session.id()); drop != dropped_.end()) {
    // Answer-and-drop (issue 7): every accepted stream on the discard port, no media engine.
    for (sdp::NegotiatedStream& s : next_state.negotiation.streams) {
      if (!s.accepted) continue;
      s.local_port = drop->second != 0 ? drop->second : kDiscardPlaceholderPort;
      if (drop->second == 0) s.paused = true;  // nothing listens: ask for no media at all
    }
  } else if (initial || !changes.empty() ||
             next_state.negotiation.streams.size() != session.negotiation.streams.size()) {
    const media::RecordingSpec spec = SpecFor(next_state);
    std::string at_rest_key;  // SEC-1: the key exists before any audio does
    if (initial && options_.create_recording_key) {
      Result<std::string> key = options_.create_recording_key(session.id());
      if (!key.ok()) {
        Log(LogLevel::kError, session.id(), "encryption at rest: no data key: " + key.error().message);
        return RefuseFromError(key.error(), "disk");
      }
      at_rest_key = std::move(*key);
    }
    Result<media::OpenedRecording> opened = initial ? media_->OpenSealed(spec, at_rest_key) : media_->Update(spec);
    std::fill(at_rest_key.begin(), at_rest_key.end(), '\0');
    if (!opened.ok()) {
      if (!at_rest_key.empty() && options_.drop_recording_key) options_.drop_recording_key(session.id());
      const std::string& message = opened.error().message;
      std::string reason = "media";
      if (message.find("port") != std::string::npos) reason = "no_port";
      if (message.find("disk") != std::string::npos) reason = "disk";
      if (message.find("overloaded") != std::string::npos || message.find("queue full") != std::string::npos) {
        reason = "media_overload";  // CPU past capacity, not a setup problem: scale out
      }
      Log(LogLevel::kWarn, session.id(), "media engine refused the streams: " + message);
      return RefuseFromError(opened.error(), reason);
    }
    size_t k = 0;
    for (sdp::NegotiatedStream& s : next_state.negotiation.streams) {
      if (!s.accepted) continue;
      s.local_port = k < opened->local_ports.size() ? opened->local_ports[k] : 0;
      ++k;
    }
    session.file = opened->file;
  } else {
    // Nothing changed: keep the ports we have.
    for (sdp::NegotiatedStream& s : next_state.negotiation.streams) {
      if (const sdp::NegotiatedStream* old = StreamAt(session.negotiation, s.index)) s.local_port = old->local_port;
    }
  }

  session.negotiation = std::move(next_state.negotiation);
  session.SetMapping(std::move(next_state.mapping));
  session.local_srtp_keys = std::move(keys);
  for (Change& change : changes) {
    Log(LogLevel::kInfo, session.id(),
        std::string(TimelineEventName(change.kind)) + (change.detail.empty() ? "" : ": " + change.detail));
    session.timeline.Add(change.kind, now, std::move(change.detail));
  }

  SipReply reply;
  if (is_answer_to_our_offer) return reply;  // an ACK gets no answer
  if (session.sdp_session_id == 0) session.sdp_session_id = RandomSessionId();
  // RFC 3264 section 8: a changed answer gets a new o= version; an unchanged one repeats.
  std::string answer = sdp::FormatAnswer(session.negotiation, options_.local_ip, session.sdp_session_id,
                                         session.sdp_version, session.local_srtp_keys);
  if (answer != session.local_sdp) {
    if (!session.local_sdp.empty()) {
      ++session.sdp_version;
      answer = sdp::FormatAnswer(session.negotiation, options_.local_ip, session.sdp_session_id,
                                 session.sdp_version, session.local_srtp_keys);
    }
    session.local_sdp = answer;
  }
  reply.content_type = "application/sdp";
  reply.body = session.local_sdp;
  return reply;
}

Result<std::string> SessionManager::DecodedBody(const SipRequestInfo& request) const {
  if (request.content_encoding.empty()) return request.body;
  return sdp::DecodeBody(request.content_encoding, request.body);
}

SipReply SessionManager::RefuseBody(const Error& error) {
  SipReply reply = RefuseFromError(error, "bad_encoding");
  // RFC 3261 8.2.3: a 415 for an unknown Content-Encoding lists the ones we take.
  if (error.code == ErrorCode::kUnsupportedType) reply.accept_encoding = std::string(sdp::kAcceptedContentEncodings);
  return reply;
}

void SessionManager::ApplyMetadata(Session& session, const std::string& raw, const std::string& charset,
                                   Clock::time_point now, bool initial) {
  if (dropped_.count(session.id()) != 0) return;  // answer-and-drop: keep no metadata
  sdp::MetadataDocument document = sdp::ReadMetadataDocument(raw, charset);
  sdp::MetadataView view{std::move(session.metadata), std::move(session.metadata_issues)};
  std::vector<sdp::MetadataChange> changes = sdp::ApplyMetadataDocument(view, document);
  session.metadata = std::move(view.metadata);
  session.metadata_issues = std::move(view.issues);
  session.metadata_xml_received = document.utf8_xml == raw ? std::string() : raw;
  session.metadata_xml_last = std::move(document.utf8_xml);
  if (metrics_ != nullptr) {  // once per document and reason, however many objects it hit
    std::vector<sdp::MetadataDefect> counted;
    for (const sdp::MetadataIssue& issue : document.issues) {
      if (std::find(counted.begin(), counted.end(), issue.defect) != counted.end()) continue;
      counted.push_back(issue.defect);
      metrics_->OnMetadataDefect(sdp::MetadataDefectName(issue.defect));
    }
  }
  std::string detail;
  for (const sdp::MetadataChange& c : changes) detail += (detail.empty() ? "" : "; ") + c.what;
  if (document.metadata && !document.issues.empty()) {
    detail += (detail.empty() ? "" : "; ") + std::string("read with defects: ") + SummarizeIssues(document.issues);
  }
  // The INVITE's own document is the starting point, not a change: it gets an event only
  // when it could not be read as sent.
  if (!initial || !document.issues.empty()) {
    session.timeline.Add(TimelineEventKind::kMetadataChange, now, detail.empty() ? "no change" : detail);
  }
  // Re-map streams: the new metadata may tell who is on which m-line.
  std::vector<std::string> labels;
  for (const sdp::NegotiatedStream& s : session.negotiation.streams) labels.push_back(s.label);
  if (!labels.empty()) session.SetMapping(sdp::MapStreams(labels, session.metadata ? &*session.metadata : nullptr));
  if (document.issues.empty()) {
    if (!initial) Log(LogLevel::kInfo, session.id(), "metadata merged: " + (detail.empty() ? std::string("no change") : detail));
  } else {
    Log(LogLevel::kWarn, session.id(),
        std::string("metadata ") + (document.metadata ? "read with defects" : "not parsed, kept verbatim") + " (" +
            SummarizeIssues(document.issues) + "); recording goes on, metadata " +
            std::string(sdp::MetadataStatusName(session.CurrentMetadataStatus())));
  }
}

SessionManager::InviteOutcome SessionManager::OnInitialInvite(const SipRequestInfo& request, Clock::time_point now) {
  sip_thread_.Check("SessionManager::OnInitialInvite");
  const auto setup_start = std::chrono::steady_clock::now();
  InviteOutcome outcome;
  if (live_sessions() >= static_cast<size_t>(options_.max_sessions)) {
    outcome.reply = Refuse(503, "overload: " + std::to_string(options_.max_sessions) + " sessions active", "overload");
    return outcome;
  }
  if (live_sessions_from(request.source_address) >= static_cast<size_t>(options_.max_sessions_per_source)) {
    outcome.reply = Refuse(503,
                           "overload: " + std::to_string(options_.max_sessions_per_source) + " sessions active from " +
                               request.source_address + " (sip.max_sessions_per_source)",
                           "source_limit");
    return outcome;
  }
  if (store_healthy_ && !store_healthy_()) {
    outcome.reply = Refuse(503, "store: database unavailable", "store");
    return outcome;
  }
  if (request.content_type.empty() || request.body.empty()) {
    outcome.reply = options_.accept_non_siprec ? Refuse(488, "sdp: INVITE without an SDP offer", "bad_sdp")
                                               : Refuse(488, std::string(kNotSiprec), "not_siprec");
    return outcome;
  }
  Result<std::string> decoded = DecodedBody(request);
  if (!decoded.ok()) {
    outcome.reply = RefuseBody(decoded.error());
    return outcome;
  }
  Result<sdp::SiprecBody> body = sdp::ParseSiprecBody(request.content_type, *decoded, sdp::SdpPart::kRequired);
  if (!body.ok()) {
    outcome.reply = RefuseFromError(body.error(), "bad_multipart");
    return outcome;
  }
  // No metadata part: a plain call (Cisco built-in bridge, ordinary INVITEs) is not a
  // recording session unless configured so; one that says it is SIPREC is recorded with
  // its metadata `unparsed` (issue 14: a metadata defect never costs audio).
  if (!body->metadata_xml && !options_.accept_non_siprec && !request.siprec_signalled) {
    outcome.reply = Refuse(488, std::string(kNotSiprec), "not_siprec");
    return outcome;
  }

  auto session = std::make_unique<Session>(ids_.Next(now), now);
  session->call_id = request.call_id;
  session->from_uri = request.from_uri;
  session->to_uri = request.to_uri;
  session->src_host = request.src_host;
  session->site = options_.site;
  session->country_code = options_.country_code;
  session->timeline.Add(TimelineEventKind::kInvite, now, "Call-ID " + request.call_id);
  if (body->metadata_xml) {
    ApplyMetadata(*session, *body->metadata_xml, body->metadata_charset, now, /*initial=*/true);
  } else {
    session->metadata_issues.push_back(
        {sdp::MetadataDefect::kMissing, request.siprec_signalled ? "the SIPREC INVITE has no recording metadata part"
                                                                 : "plain SDP call (sip.accept_non_siprec)"});
    if (metrics_ != nullptr) metrics_->OnMetadataDefect(sdp::MetadataDefectName(sdp::MetadataDefect::kMissing));
    session->timeline.Add(TimelineEventKind::kMetadataChange, now,
                          "no metadata: " + session->metadata_issues.front().detail);
  }
  if (options_.admit) {  // issue 7: SCOPE-1/2, CONSENT-3, RET-5
    AdmitDecision decision = options_.admit(session->Snapshot());
    if (decision.action == AdmitDecision::Action::kRefuse) {
      outcome.reply = std::move(decision.refusal);
      return outcome;
    }
    if (decision.action == AdmitDecision::Action::kAnswerAndDrop) {
      // SCOPE-4: the SRC gets a normal answer; nothing of the call is kept (the policy gate
      // counted and logged the decision, without numbers).
      session->metadata.reset();
      session->metadata_issues.clear();
      session->metadata_xml_last.clear();
      session->metadata_xml_received.clear();
      dropped_[session->id()] = decision.discard_port;
      SipReply reply = ApplyOffer(*session, body->sdp, now, false);
      if (reply.status != 200) {
        dropped_.erase(session->id());
        outcome.reply = std::move(reply);
        return outcome;
      }
      outcome.session = session.get();
      outcome.reply = std::move(reply);
      sessions_.emplace(session->id(), std::move(session));
      return outcome;
    }
  }

  SipReply reply = ApplyOffer(*session, body->sdp, now, false);
  if (reply.status != 200) {
    outcome.reply = std::move(reply);
    return outcome;
  }
  session->timeline.Add(TimelineEventKind::kAnswer, now, SummarizeAnswer(session->negotiation));
  if (session->negotiation.streams.size() > 0 && session->RecordingStreams() == 0) {
    session->timeline.Add(TimelineEventKind::kPause, now, "offered on hold");  // Cisco: inactive from the start
  }
  Log(LogLevel::kInfo, session->id(),
      "recording started: Call-ID " + request.call_id + " from " + request.src_host + ", " +
          SummarizeAnswer(session->negotiation) + (session->mapping.fallback_used ? " (stream mapping fallback: " + session->mapping.fallback_reason + ")" : "") +
          ", metadata " + std::string(sdp::MetadataStatusName(session->CurrentMetadataStatus())));
  if (metrics_ != nullptr && session->metadata && session->mapping.fallback_used) {
    metrics_->OnMetadataDefect(sdp::MetadataDefectName(sdp::MetadataDefect::kUnmappedStream));
  }
  Persist(*session);
  if (metrics_ != nullptr) {
    metrics_->OnSessionStarted(std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_start).count());
  }
  outcome.session = session.get();
  outcome.reply = std::move(reply);
  if (!request.source_address.empty()) source_of_[session->id()] = request.source_address;
  sessions_.emplace(session->id(), std::move(session));
  if (metrics_ != nullptr) metrics_->SetActiveSessions(static_cast<double>(live_sessions()));
  return outcome;
}

SipReply SessionManager::OnReInvite(Session& session, const SipRequestInfo& request, Clock::time_point now) {
  sip_thread_.Check("SessionManager::OnReInvite");
  std::optional<sdp::SiprecBody> body;
  if (!request.body.empty() && !request.content_type.empty()) {
    Result<std::string> decoded = DecodedBody(request);
    if (!decoded.ok()) return RefuseBody(decoded.error());
    Result<sdp::SiprecBody> parsed = sdp::ParseSiprecBody(request.content_type, *decoded, sdp::SdpPart::kOptional);
    if (!parsed.ok()) return RefuseFromError(parsed.error(), "bad_multipart");
    body = std::move(*parsed);
  }
  // Metadata is merged only when the whole request succeeds (a refused offer changes nothing);
  // metadata itself never refuses it.
  SipReply reply;
  if (body && !body->sdp.empty()) {
    reply = ApplyOffer(session, body->sdp, now, false);
    if (reply.status != 200) return reply;
    session.awaiting_answer = false;
  } else {
    // No SDP: we make the offer (RFC 3261 section 14.2); the SRC answers in the ACK.
    ++session.sdp_version;
    session.local_sdp = sdp::FormatOffer(session.negotiation, options_.codecs, options_.local_ip,
                                         session.sdp_session_id, session.sdp_version, session.local_srtp_keys);
    session.awaiting_answer = true;
    reply.content_type = "application/sdp";
    reply.body = session.local_sdp;
  }
  if (body && body->metadata_xml) ApplyMetadata(session, *body->metadata_xml, body->metadata_charset, now, /*initial=*/false);
  Persist(session);
  return reply;
}

SipReply SessionManager::OnUpdate(Session& session, const SipRequestInfo& request, Clock::time_point now) {
  sip_thread_.Check("SessionManager::OnUpdate");
  if (request.body.empty() || request.content_type.empty()) return SipReply{};  // e.g. a session refresh
  Result<std::string> decoded = DecodedBody(request);
  if (!decoded.ok()) return RefuseBody(decoded.error());
  Result<sdp::SiprecBody> body = sdp::ParseSiprecBody(request.content_type, *decoded, sdp::SdpPart::kOptional);
  if (!body.ok()) return RefuseFromError(body.error(), "bad_multipart");
  SipReply reply;
  if (!body->sdp.empty()) {
    reply = ApplyOffer(session, body->sdp, now, false);
    if (reply.status != 200) return reply;
  }
  if (body->metadata_xml) ApplyMetadata(session, *body->metadata_xml, body->metadata_charset, now, /*initial=*/false);
  Persist(session);
  return reply;
}

void SessionManager::OnAck(Session& session, const SipRequestInfo& request, Clock::time_point now) {
  sip_thread_.Check("SessionManager::OnAck");
  session.MarkActive();
  if (!session.acked) session.acked = now;
  if (!session.awaiting_answer) return;
  session.awaiting_answer = false;
  if (request.body.empty()) {
    Log(LogLevel::kWarn, session.id(), "ACK without the SDP answer to our offer; keeping the previous streams");
    return;
  }
  Result<std::string> decoded = DecodedBody(request);
  if (!decoded.ok()) {
    Log(LogLevel::kWarn, session.id(), "ACK answer unusable: " + decoded.error().message);
    return;
  }
  Result<sdp::SiprecBody> body = sdp::ParseSiprecBody(request.content_type, *decoded, sdp::SdpPart::kOptional);
  if (!body.ok() || body->sdp.empty()) {
    Log(LogLevel::kWarn, session.id(), "ACK answer unusable: " + (body.ok() ? std::string("no SDP") : body.error().message));
    return;
  }
  SipReply result = ApplyOffer(session, body->sdp, now, true);
  if (result.status != 200) {
    Log(LogLevel::kWarn, session.id(), "ACK answer refused: " + result.warning);
    return;
  }
  if (body->metadata_xml) ApplyMetadata(session, *body->metadata_xml, body->metadata_charset, now, /*initial=*/false);
  Persist(session);
}

void SessionManager::End(Session& session, TimelineEventKind why, std::string detail, Clock::time_point now) {
  sip_thread_.Check("SessionManager::End");
  if (session.state() == SessionState::kEnding || session.state() == SessionState::kFinished) return;
  if (dropped_.erase(session.id()) != 0) {  // answer-and-drop: no media to close, nothing to store
    source_of_.erase(session.id());
    sessions_.erase(session.id());
    return;
  }
  Log(LogLevel::kInfo, session.id(),
      "recording ending: " + std::string(TimelineEventName(why)) + (detail.empty() ? "" : " (" + detail + ")"));
  session.MarkEnding(why, now, std::move(detail));
  if (metrics_ != nullptr) metrics_->SetActiveSessions(static_cast<double>(live_sessions()));
  // A failed recording still holds its RTP ports in the media engine: Close releases them
  // (and reports nothing more for it).
  media_->Close(session.id());
  if (!session.failure.empty()) {  // the file was closed when it failed
    Finish(session, now);
    return;
  }
  Persist(session);
}

void SessionManager::EndAll(TimelineEventKind why, std::string detail, Clock::time_point now) {
  sip_thread_.Check("SessionManager::EndAll");
  std::vector<Session*> all;
  for (auto& [id, session] : sessions_) all.push_back(session.get());
  for (Session* session : all) End(*session, why, detail, now);
}

void SessionManager::Finish(Session& session, Clock::time_point now) {
  session.MarkFinished(now);
  session.JudgeCompleteness(options_.completeness);
  const RecordingRecord record = session.Snapshot();
  Log(LogLevel::kInfo, session.id(),
      std::string("recording ") + std::string(RecordingStateName(record.state)) + ": " + record.file_path + ", " +
          std::to_string(record.duration_s) + " s, " + record.verdict);
  if (sink_ && !sink_(record)) Log(LogLevel::kWarn, session.id(), "store queue refused the final snapshot");
  if (metrics_ != nullptr) {
    metrics_->OnRecordingFinished(RecordingStateName(record.state), record.verdict);
    metrics_->OnRecordingMetadata(record.metadata_status);
  }
  // SEC-1: with data keys on, no recording opens unsealed (no key, no session).
  if (options_.create_recording_key && options_.sealed_recording_finished && record.file_bytes > 0) {
    options_.sealed_recording_finished();
  }
  source_of_.erase(session.id());
  sessions_.erase(session.id());
  if (metrics_ != nullptr) metrics_->SetActiveSessions(static_cast<double>(live_sessions()));
}

void SessionManager::OnMediaEvents(const std::vector<media::MediaEvent>& events, Clock::time_point now) {
  sip_thread_.Check("SessionManager::OnMediaEvents");
  for (const media::MediaEvent& event : events) {
    Session* session = Find(event.recording_id);
    if (session == nullptr) continue;
    const std::string on_label = event.label.empty() ? "" : " (label " + event.label + ")";
    switch (event.kind) {
      case media::MediaEventKind::kDtmf:
        session->timeline.Add(TimelineEventKind::kDtmf, now, std::string(1, event.digit) + on_label);
        Persist(*session);
        break;
      case media::MediaEventKind::kRtpTimeout:
        session->timeline.Add(TimelineEventKind::kRtpTimeout, now, "no RTP" + on_label);
        Log(LogLevel::kInfo, session->id(), "rtp-timeout" + on_label);
        Persist(*session);
        break;
      case media::MediaEventKind::kRtpResumed:
        session->timeline.Add(TimelineEventKind::kRtpResumed, now, "RTP back" + on_label);
        Persist(*session);
        break;
      case media::MediaEventKind::kSourceLatched:
      case media::MediaEventKind::kRelatched:
        Log(LogLevel::kInfo, session->id(), "rtp" + on_label + ": " + event.detail);
        break;
      case media::MediaEventKind::kNoRtp:
        // Usually a firewall or NAT between the SRC and us: name the SRC and the ports.
        Log(LogLevel::kWarn, session->id(),
            "no RTP from SRC " + session->src_host + on_label + " on port " + std::to_string(event.local_port) + ": " +
                event.detail);
        break;
      case media::MediaEventKind::kFinished:
        session->evidence = event.evidence;
        if (!event.detail.empty()) session->file = event.detail;
        session->duration_s = event.duration_s;
        session->file_bytes = event.file_bytes;
        if (session->state() == SessionState::kEnding) {
          Finish(*session, now);
        } else {
          Persist(*session);
        }
        break;
      case media::MediaEventKind::kFailed:
        // SCOPE-4: the recording stops, the call (and our dialog) goes on untouched.
        session->failure = event.detail.empty() ? "media failure" : event.detail;
        session->failed_at = now;
        session->evidence = event.evidence;
        // Issue 12 item 5: what was written is already a playable file; the record points
        // at it (or at nothing: no audio had been written).
        session->file = event.salvaged_file;
        session->duration_s = event.duration_s;
        session->file_bytes = event.file_bytes;
        session->timeline.Add(TimelineEventKind::kError, now, session->failure);
        Log(LogLevel::kError, session->id(), "recording failed: " + session->failure);
        if (session->state() == SessionState::kEnding) {
          Finish(*session, now);
        } else {
          session->JudgeCompleteness(options_.completeness);  // the final verdict comes at Finish
          Persist(*session);
        }
        break;
    }
  }
}

void SessionManager::Tick(Clock::time_point now) {
  sip_thread_.Check("SessionManager::Tick");
  std::vector<Session*> overdue;
  for (auto& [id, session] : sessions_) {
    if (session->state() == SessionState::kEnding && session->end() && *session->end() + options_.finish_timeout < now) {
      overdue.push_back(session.get());
    }
  }
  for (Session* session : overdue) {
    session->failure = "media engine did not report the file finished";
    session->timeline.Add(TimelineEventKind::kError, now, session->failure);
    Finish(*session, now);
  }
}

}  // namespace kronika::srs
