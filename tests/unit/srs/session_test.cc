// SessionManager + Session: the SIPREC decisions of the SIP thread, without sofia-sip.
// A fake media engine stands in for RTP; snapshots are collected as the store would get
// them. Each case is what an SRC would see in the SIP answer or what an auditor would
// see in the stored timeline.
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kronika/media/media_engine.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/core/recording_id.h"
#include "kronika/sdp/metadata_document.h"
#include "kronika/srs/core/metrics.h"
#include "kronika/srs/session/session_manager.h"

namespace kronika::srs {
namespace {

using std::chrono::milliseconds;
Clock::time_point At(int64_t ms) { return Clock::time_point{milliseconds(1764076131000 + ms)}; }

class FakeMedia final : public media::MediaEngine {
 public:
  Result<media::OpenedRecording> Open(const media::RecordingSpec& spec) override {
    opened.push_back(spec);
    if (!fail_with.message.empty()) return fail_with;
    return Ports(spec);
  }
  Result<media::OpenedRecording> Update(const media::RecordingSpec& spec) override {
    updated.push_back(spec);
    if (!fail_with.message.empty()) return fail_with;
    return Ports(spec);
  }
  void Close(const std::string& id) override { closed.push_back(id); }
  std::vector<media::MediaEvent> TakeEvents() override { return {}; }
  int event_fd() const override { return -1; }
  media::MediaStats Stats() const override { return {}; }

  std::vector<media::RecordingSpec> opened, updated;
  std::vector<std::string> closed;
  Error fail_with;

 private:
  media::OpenedRecording Ports(const media::RecordingSpec& spec) {
    media::OpenedRecording r;
    for (const media::StreamSpec& s : spec.streams) {
      auto [it, inserted] = ports_.try_emplace(spec.recording_id + "/" + std::to_string(s.mline_index), next_port_);
      if (inserted) next_port_ += 2;
      r.local_ports.push_back(it->second);
    }
    r.file = "/rec/" + spec.recording_id + ".opus";
    return r;
  }
  std::map<std::string, uint16_t> ports_;
  uint16_t next_port_ = 30000;
};

constexpr char kBoundary[] = "multipart/mixed;boundary=b1";

std::string Sdp(const std::string& direction1 = "sendonly", const std::string& direction2 = "sendonly",
                const std::string& c = "192.0.2.10", int version = 1) {
  return "v=0\r\no=SRC 1000 " + std::to_string(version) + " IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 " + c +
         "\r\nt=0 0\r\n"
         "m=audio 40000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"
         "a=rtpmap:101 telephone-event/8000\r\na=label:1\r\na=" + direction1 + "\r\n"
         "m=audio 40002 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"
         "a=rtpmap:101 telephone-event/8000\r\na=label:2\r\na=" + direction2 + "\r\n";
}

std::string Metadata(const std::string& extra_participant = "") {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<recording xmlns=\"urn:ietf:params:xml:ns:recording:1\">\n"
      " <datamode>complete</datamode>\n"
      " <session session_id=\"s1\"><sipSessionID>abc</sipSessionID></session>\n"
      " <participant participant_id=\"pA\"><nameID aor=\"sip:+48221234567@example.com\"><name>Anna</name></nameID></participant>\n"
      " <participant participant_id=\"pB\"><nameID aor=\"sip:0227654321@example.com\"><name>Bogdan</name></nameID></participant>\n" +
      extra_participant +
      " <stream stream_id=\"st1\" session_id=\"s1\"><label>1</label></stream>\n"
      " <stream stream_id=\"st2\" session_id=\"s1\"><label>2</label></stream>\n"
      " <participantstreamassoc participant_id=\"pA\"><send>st1</send><recv>st2</recv></participantstreamassoc>\n"
      " <participantstreamassoc participant_id=\"pB\"><send>st2</send><recv>st1</recv></participantstreamassoc>\n"
      "</recording>\n";
  return xml;
}

std::string Multipart(const std::string& sdp, const std::string& xml) {
  return "--b1\r\nContent-Type: application/sdp\r\n\r\n" + sdp +
         "--b1\r\nContent-Type: application/rs-metadata+xml\r\nContent-Disposition: recording-session\r\n\r\n" + xml +
         "--b1--\r\n";
}

SipRequestInfo Request(const std::string& method, const std::string& content_type, const std::string& body) {
  SipRequestInfo r;
  r.method = method;
  r.content_type = content_type;
  r.body = body;
  r.call_id = "call-1@src";
  r.src_host = "192.0.2.10";
  return r;
}

struct Fixture {
  explicit Fixture(SessionManagerOptions options = {}) : manager(options, &media, Sink(), nullptr, nullptr) {
    SetLogLevel(LogLevel::kError);  // keep the test output readable
  }
  SnapshotSink Sink() {
    return [this](RecordingRecord r) {
      snapshots.push_back(std::move(r));
      return true;
    };
  }
  Session& Start() {
    SessionManager::InviteOutcome out =
        manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(Sdp(), Metadata())), At(0));
    REQUIRE(out.reply.status == 200);
    REQUIRE(out.session != nullptr);
    manager.OnAck(*out.session, Request("ACK", "", ""), At(10));
    return *out.session;
  }
  std::vector<std::string> Kinds(const Session& s) const {
    std::vector<std::string> kinds;
    for (const TimelineEntry& e : s.timeline.events()) kinds.emplace_back(TimelineEventName(e.kind));
    return kinds;
  }

  FakeMedia media;
  std::vector<RecordingRecord> snapshots;
  SessionManager manager;
};

TEST_CASE("a SIPREC INVITE is answered 200 with a recvonly SDP on the media engine's ports") {
  Fixture f;
  SessionManager::InviteOutcome out =
      f.manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(Sdp(), Metadata())), At(0));
  REQUIRE(out.reply.status == 200);
  CHECK(out.reply.content_type == "application/sdp");
  CHECK(out.reply.body.find("m=audio 30000 RTP/AVP") != std::string::npos);
  CHECK(out.reply.body.find("m=audio 30002 RTP/AVP") != std::string::npos);
  CHECK(out.reply.body.find("a=recvonly") != std::string::npos);
  CHECK(out.reply.body.find("a=label:2") != std::string::npos);
  CHECK(out.reply.body.find("c=IN IP4 127.0.0.1") != std::string::npos);

  REQUIRE(f.media.opened.size() == 1);
  const media::RecordingSpec& spec = f.media.opened[0];
  CHECK(IsValidRecordingId(spec.recording_id));
  REQUIRE(spec.streams.size() == 2);
  CHECK(spec.streams[0].channel == 0);  // label 1 (Anna) left
  CHECK(spec.streams[1].channel == 1);  // label 2 (Bogdan) right
  CHECK(spec.streams[0].formats.front().encoding == "PCMU");  // our preference order
  // The engine also decodes the SRC's own first choice (PCMA) in case it ignores our answer.
  REQUIRE(spec.streams[0].formats.size() == 3);
  CHECK(spec.streams[0].formats[1].encoding == "PCMA");
  CHECK(spec.streams[0].formats[1].payload_type == 8);
  CHECK(spec.streams[0].formats[2].encoding == "TELEPHONE-EVENT");
  CHECK(spec.streams[0].remote_ip == "192.0.2.10");

  // The store got the session at start, with normalised numbers and channels.
  REQUIRE(f.snapshots.size() == 1);
  const RecordingRecord& r = f.snapshots[0];
  CHECK(r.recording_id == spec.recording_id);
  CHECK(r.state == RecordingState::kActive);
  CHECK(r.sip_call_id == "call-1@src");
  REQUIRE(r.participants.size() == 2);
  CHECK(r.participants[0].number_e164 == "+48221234567");
  CHECK(r.participants[0].channel == 0);
  CHECK(r.participants[1].number_e164 == "+48227654321");  // national 022... with country code 48
  CHECK(r.participants[1].channel == 1);
  REQUIRE(r.timeline.size() == 2);
  CHECK(r.timeline[0].kind == "invite");
  CHECK(r.timeline[1].kind == "answer");
  CHECK(f.manager.live_sessions() == 1);
}

TEST_CASE("a plain SDP INVITE is refused 488 unless accept_non_siprec") {
  Fixture strict;
  SessionManager::InviteOutcome out = strict.manager.OnInitialInvite(Request("INVITE", "application/sdp", Sdp()), At(0));
  CHECK(out.session == nullptr);
  CHECK(out.reply.status == 488);
  CHECK(out.reply.warning == "not a SIPREC request: no recording metadata");
  CHECK(strict.media.opened.empty());
  CHECK(strict.snapshots.empty());

  SessionManagerOptions lenient;
  lenient.accept_non_siprec = true;
  Fixture f(lenient);
  out = f.manager.OnInitialInvite(Request("INVITE", "application/sdp", Sdp()), At(0));
  CHECK(out.reply.status == 200);
  REQUIRE(out.session != nullptr);
  CHECK_FALSE(out.session->metadata.has_value());
}

TEST_CASE("bad bodies get 400/415/488 with the parser's message as Warning, and nothing is opened") {
  Fixture f;
  SipReply r = f.manager.OnInitialInvite(Request("INVITE", kBoundary, "no boundary in here"), At(0)).reply;
  CHECK(r.status == 400);
  CHECK(r.warning.rfind("multipart:", 0) == 0);
  r = f.manager.OnInitialInvite(Request("INVITE", "text/plain", "hello"), At(0)).reply;
  CHECK(r.status == 415);
  r = f.manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart("v=0\r\nnonsense\r\n", Metadata())), At(0)).reply;
  CHECK(r.status == 400);
  CHECK(r.warning.rfind("sdp:", 0) == 0);
  const std::string gsm_only =
      "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 4000 RTP/AVP 3\r\na=label:1\r\n";
  r = f.manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(gsm_only, Metadata())), At(0)).reply;
  CHECK(r.status == 488);
  CHECK(r.warning.find("no acceptable codec") != std::string::npos);
  CHECK(f.media.opened.empty());
  CHECK(f.manager.total_sessions() == 0);
}

TEST_CASE("sip.max_sessions reached and media refusals answer 503 with Retry-After (SCOPE-4)") {
  SessionManagerOptions options;
  options.max_sessions = 1;
  options.retry_after_s = 7;
  Fixture f(options);
  f.Start();
  SipReply r = f.manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(Sdp(), Metadata())), At(5)).reply;
  CHECK(r.status == 503);
  CHECK(r.retry_after_s == 7);
  CHECK(r.reason_key == "overload");

  Fixture g;
  g.media.fail_with = MakeError(ErrorCode::kUnavailable, "media: no free RTP port");
  r = g.manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(Sdp(), Metadata())), At(0)).reply;
  CHECK(r.status == 503);
  CHECK(r.retry_after_s == 30);
  CHECK(r.warning == "media: no free RTP port");
  CHECK(r.reason_key == "no_port");
  CHECK(g.manager.total_sessions() == 0);
}

TEST_CASE("an unhealthy store refuses new sessions with 503") {
  FakeMedia media;
  SessionManager manager({}, &media, nullptr, [] { return false; }, nullptr);
  SipReply r = manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(Sdp(), Metadata())), At(0)).reply;
  CHECK(r.status == 503);
  CHECK(r.reason_key == "store");
  CHECK(media.opened.empty());
}

TEST_CASE("re-INVITE with a=inactive pauses, the next one resumes; the ports stay (SCOPE-5)") {
  Fixture f;
  Session& s = f.Start();
  const uint16_t port = s.negotiation.streams[0].local_port;

  SipReply r = f.manager.OnReInvite(
      s, Request("INVITE", kBoundary, Multipart(Sdp("inactive", "inactive", "192.0.2.10", 2), Metadata())), At(1000));
  REQUIRE(r.status == 200);
  CHECK(r.body.find("a=inactive") != std::string::npos);
  REQUIRE(f.media.updated.size() == 1);
  CHECK(f.media.updated[0].streams[0].paused);
  CHECK(s.RecordingStreams() == 0);
  CHECK(s.timeline.paused());

  r = f.manager.OnReInvite(s, Request("INVITE", "application/sdp", Sdp("sendonly", "sendonly", "192.0.2.10", 3)), At(4000));
  REQUIRE(r.status == 200);
  CHECK(r.body.find("a=recvonly") != std::string::npos);
  CHECK(s.negotiation.streams[0].local_port == port);
  CHECK_FALSE(s.timeline.paused());
  const std::vector<PausedSpan> spans = s.timeline.PausedSpans();
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].reason == "a=inactive");
  CHECK(*spans[0].end - spans[0].start == milliseconds(3000));
}

TEST_CASE("hold with c=0.0.0.0 is a pause with that reason") {
  Fixture f;
  Session& s = f.Start();
  SipReply r = f.manager.OnReInvite(s, Request("INVITE", "application/sdp", Sdp("sendonly", "sendonly", "0.0.0.0", 2)), At(500));
  REQUIRE(r.status == 200);
  REQUIRE(s.timeline.PausedSpans().size() == 1);
  CHECK(s.timeline.PausedSpans()[0].reason == "c=0.0.0.0");
}

TEST_CASE("an unchanged re-offer is answered with the same SDP and does not touch the media") {
  Fixture f;
  Session& s = f.Start();
  const std::string first = s.local_sdp;
  SipReply r = f.manager.OnReInvite(s, Request("INVITE", kBoundary, Multipart(Sdp(), Metadata())), At(500));
  REQUIRE(r.status == 200);
  CHECK(r.body == first);
  CHECK(f.media.updated.empty());
}

TEST_CASE("a metadata-only UPDATE merges metadata and is answered 200 without a body") {
  Fixture f;
  Session& s = f.Start();
  const std::string update =
      "<?xml version=\"1.0\"?><recording xmlns=\"urn:ietf:params:xml:ns:recording:1\"><datamode>partial</datamode>"
      "<participant participant_id=\"pC\"><nameID aor=\"sip:+48225550000@example.com\"><name>Cezary</name></nameID>"
      "</participant></recording>";
  SipReply r = f.manager.OnUpdate(s, Request("UPDATE", "application/rs-metadata+xml", update), At(2000));
  CHECK(r.status == 200);
  CHECK(r.body.empty());
  CHECK(r.content_type.empty());
  REQUIRE(s.metadata.has_value());
  CHECK(s.metadata->participants.size() == 3);
  CHECK(f.Kinds(s).back() == "metadata-change");
  CHECK(s.timeline.events().back().detail.find("pC") != std::string::npos);
  CHECK(f.snapshots.back().participants.size() == 3);
  CHECK(f.media.updated.empty());

  // Metadata that does not parse is not refused (issue 14): the call goes on, what was known
  // stays, and the record says the metadata is now partial and why.
  r = f.manager.OnUpdate(s, Request("UPDATE", "application/rs-metadata+xml", "<recording"), At(2100));
  CHECK(r.status == 200);
  CHECK(s.metadata->participants.size() == 3);
  CHECK(f.snapshots.back().metadata_status == "partial");
  REQUIRE(f.snapshots.back().metadata_issues.size() == 1);
  CHECK(f.snapshots.back().metadata_issues[0].reason == "xml_error");
  CHECK(s.timeline.events().back().detail.rfind("metadata not parsed (xml_error: XML parse error at offset", 0) == 0);
}

TEST_CASE("a re-INVITE without SDP gets our offer; the SRC's answer in the ACK applies") {
  Fixture f;
  Session& s = f.Start();
  SipReply r = f.manager.OnReInvite(s, Request("INVITE", "", ""), At(1000));
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "application/sdp");
  CHECK(r.body.find("m=audio 30000") != std::string::npos);
  CHECK(s.awaiting_answer);
  f.manager.OnAck(s, Request("ACK", "application/sdp", Sdp("inactive", "inactive", "192.0.2.10", 2)), At(1010));
  CHECK_FALSE(s.awaiting_answer);
  CHECK(s.timeline.paused());
  REQUIRE(f.media.updated.size() == 1);
  CHECK(f.media.updated[0].streams[1].paused);
}

TEST_CASE("BYE closes the media; the file report finishes the session with its final snapshot") {
  Fixture f;
  Session& s = f.Start();
  const std::string id = s.id();
  f.manager.End(s, TimelineEventKind::kBye, "by SRC", At(5000));
  REQUIRE(f.media.closed == std::vector<std::string>{id});
  CHECK(f.manager.live_sessions() == 0);
  REQUIRE(f.manager.Find(id) != nullptr);  // waiting for the file

  media::MediaEvent dtmf{id, media::MediaEventKind::kDtmf, 100, '*', "1", "", 0.1};
  media::MediaEvent done{id, media::MediaEventKind::kFinished, 0, 0, "", "/rec/2026/" + id + ".opus", 4.98};
  f.manager.OnMediaEvents({dtmf, done}, At(5100));
  CHECK(f.manager.Find(id) == nullptr);
  const RecordingRecord& last = f.snapshots.back();
  CHECK(last.state == RecordingState::kCompleted);
  CHECK(last.end_ms_utc == 1764076131000 + 5000);
  CHECK(last.duration_s == Approx(4.98));
  CHECK(last.file_path == "/rec/2026/" + id + ".opus");
  std::vector<std::string> kinds;
  for (const TimelineEvent& e : last.timeline) kinds.push_back(e.kind);
  CHECK(kinds == std::vector<std::string>{"invite", "answer", "bye", "dtmf"});
  CHECK(last.timeline[3].detail == "* (label 1)");
}

TEST_CASE("a media failure stops the recording but not the call; a missing file report times out") {
  Fixture f;
  Session& s = f.Start();
  const std::string id = s.id();
  f.manager.OnMediaEvents({media::MediaEvent{id, media::MediaEventKind::kFailed, 0, 0, "", "disk full", 0}}, At(100));
  REQUIRE(f.manager.Find(id) != nullptr);  // the dialog goes on
  CHECK(f.manager.live_sessions() == 1);
  f.manager.End(s, TimelineEventKind::kBye, "by SRC", At(200));
  CHECK(f.manager.Find(id) == nullptr);
  CHECK(f.snapshots.back().state == RecordingState::kFailed);
  // Issue 12 item 5: the failed recording's RTP ports are released too.
  CHECK(f.media.closed == std::vector<std::string>{id});

  Fixture g;
  Session& t = g.Start();
  const std::string tid = t.id();
  g.manager.End(t, TimelineEventKind::kShutdown, "server stopping", At(1000));
  g.manager.Tick(At(1000 + 29000));
  REQUIRE(g.manager.Find(tid) != nullptr);
  g.manager.Tick(At(1000 + 31000));
  CHECK(g.manager.Find(tid) == nullptr);
  CHECK(g.snapshots.back().state == RecordingState::kFailed);
}

// ---------------------------------------------------------------- issue 14: metadata defects

// `text` gzip-compressed, as an SRC sends a body with Content-Encoding: gzip.
std::string Gzip(const std::string& text) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, static_cast<uLong>(text.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Numbers(const RecordingRecord& r) {
  std::string out;
  for (const ParticipantRecord& p : r.participants) out += (out.empty() ? "" : " ") + p.number_e164;
  return out;
}

std::vector<std::string> Reasons(const RecordingRecord& r) {
  std::vector<std::string> out;
  for (const MetadataIssueRecord& i : r.metadata_issues) out.push_back(i.reason);
  return out;
}

TEST_CASE("metadata that cannot be read never costs the call: 200, recorded, unparsed with the reason") {
  struct Case {
    std::string metadata;
    std::string reason;
  };
  const Case cases[] = {
      {"<recording><broken>", "xml_error"},
      {"<html/>", "not_recording"},
      {"<recording xmlns='urn:ietf:params:xml:ns:recording:1'>" + std::string(70000, ' ') + "</recording>", "too_large"},
      {std::string(80, '<'), "xml_error"},
  };
  for (const Case& c : cases) {
    INFO(c.reason);
    Fixture f;
    SessionManager::InviteOutcome out =
        f.manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(Sdp(), c.metadata + "\r\n")), At(0));
    REQUIRE(out.reply.status == 200);
    CHECK(f.media.opened.size() == 1);
    const RecordingRecord& r = f.snapshots.back();
    CHECK(r.metadata_status == "unparsed");
    CHECK(Reasons(r) == std::vector<std::string>{c.reason});
    CHECK(r.metadata_xml_last == c.metadata);  // kept verbatim (ASCII: the rendering is the text)
    CHECK(r.participants.empty());
    CHECK(r.timeline[1].kind == "metadata-change");
    CHECK(r.timeline[1].detail.rfind("metadata not parsed (" + c.reason + ": ", 0) == 0);
  }
}

TEST_CASE("unparsed INVITE metadata is completed by a later UPDATE; the streams are re-mapped") {
  Fixture f;
  SessionManager::InviteOutcome out =
      f.manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(Sdp(), "<recording\r\n")), At(0));
  REQUIRE(out.reply.status == 200);
  Session& s = *out.session;
  CHECK(f.snapshots.back().metadata_status == "unparsed");
  SipReply r = f.manager.OnUpdate(s, Request("UPDATE", "application/rs-metadata+xml", Metadata()), At(1000));
  CHECK(r.status == 200);
  const RecordingRecord& last = f.snapshots.back();
  CHECK(last.metadata_status == "complete");
  CHECK(last.metadata_issues.empty());
  CHECK(Numbers(last) == "+48221234567 +48227654321");
  CHECK(last.participants[0].channel == 0);
  CHECK(last.participants[1].channel == 1);
}

TEST_CASE("a transfer by complete snapshot: the departed party keeps its number and channel in the record") {
  Fixture f;
  SessionManager::InviteOutcome out =
      f.manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(Sdp(), Metadata())), At(0));
  REQUIRE(out.reply.status == 200);
  // CUBE-style: a re-INVITE whose complete snapshot has pC where pB was.
  std::string after = Metadata();
  for (size_t at = after.find("\"pB\""); at != std::string::npos; at = after.find("\"pB\"")) {
    after.replace(at, 4, "\"pC\"");
  }
  after.replace(after.find("sip:0227654321@"), 15, "sip:0229999999@");
  SipReply r = f.manager.OnReInvite(*out.session, Request("INVITE", kBoundary, Multipart(Sdp(), after)), At(1000));
  CHECK(r.status == 200);
  const RecordingRecord& last = f.snapshots.back();
  CHECK(last.metadata_status == "complete");
  CHECK(Numbers(last) == "+48221234567 +48229999999 +48227654321");  // departed last
  REQUIRE(last.participants.size() == 3);
  CHECK(last.participants[1].participant_id == "pC");
  CHECK(last.participants[1].channel == 1);
  CHECK(last.participants[2].participant_id == "pB");
  CHECK(last.participants[2].channel == 1);  // where it was heard before the transfer
}

TEST_CASE("empty participant_id and stream_id placeholders: recorded, partial, both numbers kept") {
  Fixture f;
  std::string xml = Metadata();
  for (const char* id : {"pA", "pB", "st1", "st2"}) {
    for (size_t at = xml.find(std::string("\"") + id + "\""); at != std::string::npos;
         at = xml.find(std::string("\"") + id + "\"")) {
      xml.replace(at, std::strlen(id) + 2, "\"\"");
    }
  }
  SessionManager::InviteOutcome out = f.manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(Sdp(), xml)), At(0));
  REQUIRE(out.reply.status == 200);
  const RecordingRecord& r = f.snapshots.back();
  CHECK(r.metadata_status == "partial");
  CHECK(Numbers(r) == "+48221234567 +48227654321");
  for (const std::string& reason : Reasons(r)) CHECK(reason == "empty_id");
}

TEST_CASE("two participants with one participant_id: both numbers stay findable") {
  Fixture f;
  std::string xml = Metadata();
  xml.replace(xml.find("participant_id=\"pB\"><nameID"), 19, "participant_id=\"pA\"");
  SessionManager::InviteOutcome out = f.manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(Sdp(), xml)), At(0));
  REQUIRE(out.reply.status == 200);
  const RecordingRecord& r = f.snapshots.back();
  // The association elements still name pB, which the metadata no longer describes: that
  // participant is created without a name (and a number), as any referenced-only one is.
  CHECK(Numbers(r) == "+48221234567 +48227654321 ");
  CHECK(r.participants[1].participant_id == "pA#2");
  CHECK(r.metadata_status == "partial");
  CHECK(Reasons(r) == std::vector<std::string>{"duplicate_id"});
}

TEST_CASE("Latin-1 metadata is stored as UTF-8; the bytes as received are kept beside it") {
  Fixture f;
  std::string xml = Metadata();
  xml.replace(xml.find("encoding=\"UTF-8\""), 16, "encoding=\"ISO-8859-1\"");
  xml.replace(xml.find("<name>Anna</name>"), 17, "<name>M\xFCller</name>");
  SessionManager::InviteOutcome out = f.manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(Sdp(), xml)), At(0));
  REQUIRE(out.reply.status == 200);
  const RecordingRecord& r = f.snapshots.back();
  CHECK(r.metadata_status == "complete");
  CHECK(r.participants[0].name == "M\xC3\xBCller");
  CHECK(r.metadata_xml_received + "\n" == xml);  // the line end before the delimiter is the delimiter's
  CHECK(r.metadata_xml_last.find("encoding=\"UTF-8\"") != std::string::npos);
  CHECK(r.metadata_xml_last.find("M\xC3\xBCller") != std::string::npos);
  // A UTF-8 document is not stored twice.
  Fixture g;
  g.Start();
  CHECK(g.snapshots.back().metadata_xml_received.empty());
}

TEST_CASE("labels the metadata does not describe: recorded, partial (unmapped_stream)") {
  Fixture f;
  std::string sdp = Sdp();
  sdp.replace(sdp.find("a=label:1"), 9, "a=label:a_leg");
  SessionManager::InviteOutcome out = f.manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(sdp, Metadata())), At(0));
  REQUIRE(out.reply.status == 200);
  const RecordingRecord& r = f.snapshots.back();
  CHECK(r.metadata_status == "partial");
  REQUIRE(r.metadata_issues.size() == 1);
  CHECK(r.metadata_issues[0].reason == "unmapped_stream");
  CHECK(r.metadata_issues[0].detail.find("SDP label a_leg (m-line 1) not in metadata") != std::string::npos);
}

TEST_CASE("a SIPREC INVITE without its metadata part is recorded, unparsed (missing); a plain one is not") {
  Fixture f;
  SipRequestInfo plain = Request("INVITE", "application/sdp", Sdp());
  CHECK(f.manager.OnInitialInvite(plain, At(0)).reply.status == 488);
  SipRequestInfo siprec = plain;
  siprec.siprec_signalled = true;  // Require: siprec or +sip.src
  SessionManager::InviteOutcome out = f.manager.OnInitialInvite(siprec, At(0));
  REQUIRE(out.reply.status == 200);
  const RecordingRecord& r = f.snapshots.back();
  CHECK(r.metadata_status == "unparsed");
  CHECK(Reasons(r) == std::vector<std::string>{"missing"});
  CHECK(r.metadata_issues[0].detail == "the SIPREC INVITE has no recording metadata part");
}

TEST_CASE("Content-Encoding gzip is decoded; an unknown coding is 415 with Accept-Encoding") {
  Fixture f;
  SipRequestInfo gz = Request("INVITE", kBoundary, Gzip(Multipart(Sdp(), Metadata())));
  gz.content_encoding = "gzip";
  SessionManager::InviteOutcome out = f.manager.OnInitialInvite(gz, At(0));
  REQUIRE(out.reply.status == 200);
  CHECK(f.snapshots.back().metadata_status == "complete");
  CHECK(Numbers(f.snapshots.back()) == "+48221234567 +48227654321");

  SipRequestInfo br = Request("INVITE", kBoundary, Multipart(Sdp(), Metadata()));
  br.content_encoding = "br";
  SipReply r = f.manager.OnInitialInvite(br, At(0)).reply;
  CHECK(r.status == 415);
  CHECK(r.accept_encoding == "gzip, deflate, identity");
  CHECK(r.reason_key == "bad_encoding");
  SipRequestInfo broken = gz;
  broken.body = broken.body.substr(0, broken.body.size() / 2);
  r = f.manager.OnInitialInvite(broken, At(0)).reply;
  CHECK(r.status == 400);
  CHECK(r.warning == "body: gzip data ends before its end");

  // In the dialog too: a gzip'd metadata-only UPDATE.
  Session& s = *out.session;
  std::string update = "<recording xmlns=\"urn:ietf:params:xml:ns:recording:1\"><datamode>partial</datamode>"
                       "<participant participant_id=\"pC\"><nameID aor=\"sip:+48225550000@x\"/></participant></recording>";
  SipRequestInfo up = Request("UPDATE", "application/rs-metadata+xml", Gzip(update));
  up.content_encoding = "gzip";
  CHECK(f.manager.OnUpdate(s, up, At(500)).status == 200);
  CHECK(f.snapshots.back().participants.size() == 3);
}

TEST_CASE("metadata defects are counted by reason, and recordings by metadata status") {
  Metrics metrics;
  FakeMedia media;
  std::vector<RecordingRecord> snapshots;
  SessionManager manager({}, &media, [&](RecordingRecord r) { snapshots.push_back(std::move(r)); return true; },
                         nullptr, &metrics);
  SessionManager::InviteOutcome out =
      manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(Sdp(), "<recording\r\n")), At(0));
  REQUIRE(out.reply.status == 200);
  const std::string id = out.session->id();
  manager.End(*out.session, TimelineEventKind::kBye, "by SRC", At(100));
  manager.OnMediaEvents({media::MediaEvent{id, media::MediaEventKind::kFinished, 0, 0, "", "", 0.1}}, At(200));
  const std::string text = metrics.Render();
  CHECK(text.find("kronika_metadata_defects_total{reason=\"xml_error\"} 1") != std::string::npos);
  CHECK(text.find("kronika_metadata_defects_total{reason=\"empty_id\"} 0") != std::string::npos);
  CHECK(text.find("kronika_recordings_metadata_total{status=\"unparsed\"} 1") != std::string::npos);
  CHECK(text.find("kronika_recordings_metadata_total{status=\"complete\"} 0") != std::string::npos);
}

TEST_CASE("the metric's reason list is every defect the metadata reader names") {
  std::vector<std::string> from_sdp, from_metrics;
  for (sdp::MetadataDefect d : sdp::kAllMetadataDefects) from_sdp.emplace_back(sdp::MetadataDefectName(d));
  for (std::string_view r : kMetadataDefectReasons) from_metrics.emplace_back(r);
  CHECK(from_sdp == from_metrics);
}

// What the media engine reports with kFinished: `start_ms` = At(start_ms) is the file's first
// sample; each leg sent from `from_ms` to `to_ms` on that timeline (-1: never), with `gap`
// (a kSilence gap on both legs) when given.
media::RecordingEvidence Evidence(int64_t start_ms, int64_t duration_ms, std::vector<std::pair<int64_t, int64_t>> legs,
                                  std::optional<media::TimeSpan> gap = std::nullopt) {
  media::RecordingEvidence e;
  e.start_unix_ms = 1764076131000 + start_ms;
  e.duration_ms = duration_ms;
  for (size_t i = 0; i < legs.size(); ++i) {
    media::LegEvidence leg;
    leg.mline_index = i;
    leg.label = std::to_string(i + 1);
    leg.channel = static_cast<int>(i);
    leg.active_to_ms = duration_ms;
    if (legs[i].first >= 0) {
      leg.first_packet_ms = legs[i].first;
      leg.last_packet_ms = legs[i].second - 20;
      leg.packets_received = leg.packets_expected = static_cast<uint64_t>((legs[i].second - legs[i].first) / 20);
      leg.audio_ms = leg.signal_ms = legs[i].second - legs[i].first;
      leg.rms_dbfs = -20;
      leg.peak_dbfs = -6;
      leg.codecs = {"PCMA"};
      leg.latched_source = "192.0.2.10:40000";
      if (gap) leg.gaps.push_back(media::Gap{media::GapKind::kSilence, gap->from_ms, gap->to_ms, 0});
    }
    e.legs.push_back(leg);
  }
  return e;
}

TEST_CASE("the final snapshot carries the completeness verdict, its findings and the media evidence") {
  Fixture f;
  Session& s = f.Start();  // INVITE at 0 ms, ACK at 10 ms
  const std::string id = s.id();
  f.manager.End(s, TimelineEventKind::kBye, "by SRC", At(5000));
  media::MediaEvent done{id, media::MediaEventKind::kFinished, 0, 0, "", "/rec/" + id + ".opus", 4.995};
  done.evidence = Evidence(5, 4995, {{30, 4990}, {-1, -1}});  // the second leg never sent
  f.manager.OnMediaEvents({done}, At(5100));
  const RecordingRecord& last = f.snapshots.back();
  CHECK(last.verdict == "one-way");
  REQUIRE(last.completeness.findings.size() == 1);
  CHECK(last.completeness.findings[0].kind == "no-packets");
  CHECK(last.completeness.findings[0].leg == 1);
  CHECK(last.completeness.media_start_ms_utc == 1764076131005);
  CHECK(last.completeness.duration_ms == 4995);
  REQUIRE(last.completeness.legs.size() == 2);
  CHECK(last.completeness.legs[0].packets_received == 248);
  CHECK(last.completeness.legs[0].codecs == std::vector<std::string>{"PCMA"});
  CHECK(last.completeness.legs[0].latched_source == "192.0.2.10:40000");
  CHECK(last.completeness.legs[1].first_packet_ms == -1);
  // Before the end nothing is judged.
  CHECK(f.snapshots.front().verdict.empty());
}

TEST_CASE("a pause the SRC signalled explains the silence it left; the same silence unsignalled is partial") {
  for (bool signalled : {true, false}) {
    INFO((signalled ? "paused by re-INVITE" : "no re-INVITE"));
    Fixture f;
    Session& s = f.Start();
    const std::string id = s.id();
    if (signalled) {
      REQUIRE(f.manager.OnReInvite(s, Request("INVITE", "application/sdp", Sdp("inactive", "inactive", "192.0.2.10", 2)),
                                   At(1000)).status == 200);
      REQUIRE(f.manager.OnReInvite(s, Request("INVITE", "application/sdp", Sdp("sendonly", "sendonly", "192.0.2.10", 3)),
                                   At(3000)).status == 200);
    }
    f.manager.End(s, TimelineEventKind::kBye, "by SRC", At(5000));
    media::MediaEvent done{id, media::MediaEventKind::kFinished, 0, 0, "", "/rec/" + id + ".opus", 4.995};
    // Both legs silent from 0.98 s to 3.01 s on the media timeline (which starts at 5 ms);
    // the engine's own pause spans are left out, as if only the SIP timeline knew.
    done.evidence = Evidence(5, 4995, {{30, 4990}, {30, 4990}}, media::TimeSpan{980, 3010});
    f.manager.OnMediaEvents({done}, At(5100));
    CHECK(f.snapshots.back().verdict == (signalled ? "complete" : "partial"));
  }
}

TEST_CASE("a recording the media engine never reported finished is interrupted; a failed one is cut short") {
  Fixture f;
  Session& s = f.Start();
  const std::string id = s.id();
  f.manager.End(s, TimelineEventKind::kBye, "by SRC", At(1000));
  f.manager.Tick(At(1000 + 31000));
  CHECK(f.snapshots.back().verdict == "interrupted");

  Fixture g;
  Session& t = g.Start();
  const std::string tid = t.id();
  media::MediaEvent failed{tid, media::MediaEventKind::kFailed, 0, 0, "", "disk full", 0};
  failed.evidence = Evidence(5, 2000, {{30, 2000}, {30, 2000}});  // the file stopped at 2 s
  g.manager.OnMediaEvents({failed}, At(2005));
  g.manager.End(t, TimelineEventKind::kBye, "by SRC", At(9000));  // the call went on to 9 s
  const RecordingRecord& last = g.snapshots.back();
  CHECK(last.state == RecordingState::kFailed);
  CHECK(last.verdict == "partial");
  REQUIRE_FALSE(last.completeness.findings.empty());
  CHECK(last.completeness.findings.back().kind == "cut-short");
}

TEST_CASE("a write error makes the record failed at once, pointing at the file closed up to it (issue 12 item 5)") {
  Fixture f;
  Session& s = f.Start();
  const std::string id = s.id();
  media::MediaEvent failed{id, media::MediaEventKind::kFailed, 2000, 0, "",
                           "media: write /rec/x.opus.part: No space left on device", 2.0};
  failed.file_bytes = 4321;
  failed.salvaged_file = "/rec/2026/" + id + ".opus";
  failed.evidence = Evidence(5, 2000, {{30, 2000}, {30, 2000}});
  f.manager.OnMediaEvents({failed}, At(2005));
  REQUIRE(f.manager.Find(id) != nullptr);  // the call goes on (SCOPE-4)
  CHECK(f.media.closed.empty());           // its ports too, until the BYE
  {
    const RecordingRecord& now = f.snapshots.back();
    CHECK(now.state == RecordingState::kFailed);
    CHECK(now.end_ms_utc == 1764076131000 + 2005);
    CHECK(now.file_path == "/rec/2026/" + id + ".opus");
    CHECK(now.file_bytes == 4321);
    CHECK(now.duration_s == Approx(2.0));
    CHECK_FALSE(now.verdict.empty());
    REQUIRE_FALSE(now.timeline.empty());
    CHECK(now.timeline.back().kind == "error");
    CHECK(now.timeline.back().detail.find("No space left on device") != std::string::npos);
  }
  f.manager.End(s, TimelineEventKind::kBye, "by SRC", At(9000));
  CHECK(f.media.closed == std::vector<std::string>{id});  // ports released
  CHECK(f.manager.Find(id) == nullptr);
  const RecordingRecord& last = f.snapshots.back();
  CHECK(last.state == RecordingState::kFailed);
  CHECK(last.end_ms_utc == 1764076131000 + 2005);  // the recording ended when it failed
  CHECK(last.file_bytes == 4321);
  CHECK(last.timeline.back().kind == "bye");

  Fixture g;  // nothing written before the error: no file to point at
  Session& t = g.Start();
  g.manager.OnMediaEvents({media::MediaEvent{t.id(), media::MediaEventKind::kFailed, 0, 0, "", "disk full", 0}},
                          At(50));
  CHECK(g.snapshots.back().state == RecordingState::kFailed);
  CHECK(g.snapshots.back().file_path.empty());
  CHECK(g.snapshots.back().file_bytes == 0);
}

TEST_CASE("the media spec names the SDP's address and port, also while paused (re-latch on a move)") {
  Fixture f;
  Session& s = f.Start();
  REQUIRE(f.media.opened.size() == 1);
  CHECK(f.media.opened[0].streams[0].remote_ip == "192.0.2.10");
  CHECK(f.media.opened[0].streams[0].remote_port == 40000);
  CHECK(f.media.opened[0].streams[1].remote_port == 40002);
  REQUIRE(f.manager.OnReInvite(s, Request("INVITE", "application/sdp", Sdp("inactive", "inactive", "192.0.2.10", 2)),
                               At(1000)).status == 200);
  REQUIRE_FALSE(f.media.updated.empty());
  CHECK(f.media.updated.back().streams[0].remote_ip == "192.0.2.10");
  CHECK(f.media.updated.back().streams[0].paused);
}

TEST_CASE("the store's verdict names are the media library's") {
  const media::Verdict all[] = {media::Verdict::kComplete, media::Verdict::kPartial, media::Verdict::kOneWay,
                                media::Verdict::kSilent,   media::Verdict::kNoMedia, media::Verdict::kInterrupted};
  CHECK(std::size(all) == kVerdictNames.size());
  for (media::Verdict v : all) CHECK(IsVerdictName(media::VerdictName(v)));
  CHECK(media::VerdictName(media::Verdict::kInterrupted) == kVerdictInterrupted);
}

TEST_CASE("shutdown ends every session as interrupted") {
  Fixture f;
  Session& a = f.Start();
  const std::string id = a.id();
  f.manager.EndAll(TimelineEventKind::kShutdown, "server stopping", At(100));
  CHECK(f.media.closed.size() == 1);
  f.manager.OnMediaEvents({media::MediaEvent{id, media::MediaEventKind::kFinished, 0, 0, "", "", 0.1}}, At(200));
  CHECK(f.snapshots.back().state == RecordingState::kInterrupted);
}

}  // namespace
}  // namespace kronika::srs

namespace kronika::srs {

// Issue 7, SCOPE-1/2/5, CONSENT-3: a site with not_recorded = "answer-and-drop". The SRC
// sees a normal recording session; nothing reaches the media engine or the store.
TEST_CASE("policy answer-and-drop: 200 on the discard port, re-INVITE and BYE answered, no media, nothing stored") {
  SessionManagerOptions options;
  int asked = 0;
  options.admit = [&asked](const RecordingRecord& r) {
    ++asked;
    CHECK(r.participants.size() == 2);  // the policy sees the metadata's numbers
    AdmitDecision d;
    d.action = AdmitDecision::Action::kAnswerAndDrop;
    d.discard_port = 41234;
    return d;
  };
  Fixture f(options);
  SessionManager::InviteOutcome out =
      f.manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(Sdp(), Metadata())), At(0));
  CHECK(asked == 1);
  REQUIRE(out.reply.status == 200);
  REQUIRE(out.session != nullptr);
  CHECK(out.reply.content_type == "application/sdp");
  CHECK(out.reply.body.find("m=audio 41234 RTP/AVP") != std::string::npos);
  CHECK(out.reply.body.find("a=recvonly") != std::string::npos);
  CHECK(out.reply.body.find("m=audio 0 ") == std::string::npos);
  f.manager.OnAck(*out.session, Request("ACK", "", ""), At(10));
  CHECK(f.manager.live_sessions() == 0);  // no recording capacity used

  const SipReply reinvite =
      f.manager.OnReInvite(*out.session, Request("INVITE", kBoundary, Multipart(Sdp("inactive", "inactive", "192.0.2.10", 2), Metadata())), At(20));
  CHECK(reinvite.status == 200);
  CHECK(reinvite.body.find("a=inactive") != std::string::npos);
  const SipReply update = f.manager.OnUpdate(*out.session, Request("UPDATE", kBoundary, Multipart(Sdp("sendonly", "sendonly", "192.0.2.10", 3), Metadata())), At(30));
  CHECK(update.status == 200);
  CHECK(update.body.find("m=audio 41234 ") != std::string::npos);

  const std::string id = out.session->id();
  f.manager.End(*out.session, TimelineEventKind::kBye, "by SRC", At(40));
  CHECK(f.manager.Find(id) == nullptr);
  CHECK(f.media.opened.empty());
  CHECK(f.media.updated.empty());
  CHECK(f.media.closed.empty());
  CHECK(f.snapshots.empty());
}

TEST_CASE("policy answer-and-drop without a discard socket answers a=inactive on port 9, a refusal answers nothing") {
  SessionManagerOptions options;
  AdmitDecision decision;
  decision.action = AdmitDecision::Action::kAnswerAndDrop;
  options.admit = [&decision](const RecordingRecord&) { return decision; };
  Fixture f(options);
  SessionManager::InviteOutcome out =
      f.manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(Sdp(), Metadata())), At(0));
  REQUIRE(out.reply.status == 200);
  CHECK(out.reply.body.find("m=audio 9 RTP/AVP") != std::string::npos);
  CHECK(out.reply.body.find("a=inactive") != std::string::npos);
  CHECK(out.reply.body.find("a=recvonly") == std::string::npos);
  f.manager.EndAll(TimelineEventKind::kShutdown, "stop", At(5));
  CHECK(f.manager.total_sessions() == 0);

  decision.action = AdmitDecision::Action::kRefuse;
  decision.refusal.status = 503;
  decision.refusal.retry_after_s = 300;
  decision.refusal.warning = "quota: site s storage full";
  out = f.manager.OnInitialInvite(Request("INVITE", kBoundary, Multipart(Sdp(), Metadata())), At(50));
  CHECK(out.session == nullptr);
  CHECK(out.reply.status == 503);
  CHECK(out.reply.retry_after_s == 300);
  CHECK(f.media.opened.empty());
  CHECK(f.snapshots.empty());
}

}  // namespace kronika::srs
