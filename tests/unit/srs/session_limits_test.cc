// Bounds one peer cannot push the SIP thread past (issue 12, docs/operations.md "Limits"):
// streams per session and live sessions per source address. Each refusal is what the SRC
// sees (status, Warning) and opens nothing in the media engine.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "kronika/media/media_engine.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/session/session_manager.h"

namespace kronika::srs {
namespace {

Clock::time_point At(int64_t ms) { return Clock::time_point{std::chrono::milliseconds(1764076131000 + ms)}; }

// Hands out two ports per stream; remembers what was opened.
class PortsOnlyMedia final : public media::MediaEngine {
 public:
  Result<media::OpenedRecording> Open(const media::RecordingSpec& spec) override {
    opened.push_back(spec);
    return Ports(spec);
  }
  Result<media::OpenedRecording> Update(const media::RecordingSpec& spec) override {
    updated.push_back(spec);
    return Ports(spec);
  }
  void Close(const std::string& id) override { closed.push_back(id); }
  std::vector<media::MediaEvent> TakeEvents() override { return {}; }
  int event_fd() const override { return -1; }
  media::MediaStats Stats() const override { return {}; }

  std::vector<media::RecordingSpec> opened, updated;
  std::vector<std::string> closed;

 private:
  media::OpenedRecording Ports(const media::RecordingSpec& spec) {
    media::OpenedRecording r;
    for (size_t i = 0; i < spec.streams.size(); ++i) r.local_ports.push_back(static_cast<uint16_t>(30000 + 2 * i));
    r.file = "/rec/" + spec.recording_id + ".opus";
    return r;
  }
};

std::string Sdp(int audio_mlines, int version = 1) {
  std::string sdp = "v=0\r\no=SRC 1000 " + std::to_string(version) +
                    " IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n";
  for (int i = 0; i < audio_mlines; ++i) {
    sdp += "m=audio " + std::to_string(40000 + 2 * i) + " RTP/AVP 0\r\na=label:" + std::to_string(i + 1) +
           "\r\na=sendonly\r\n";
  }
  return sdp;
}

SipRequestInfo Invite(const std::string& sdp, const std::string& source, const std::string& call_id = "c1") {
  SipRequestInfo r;
  r.method = "INVITE";
  r.content_type = "multipart/mixed;boundary=b1";
  r.body = "--b1\r\nContent-Type: application/sdp\r\n\r\n" + sdp +
           "--b1\r\nContent-Type: application/rs-metadata+xml\r\n\r\n"
           "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><datamode>complete</datamode></recording>\r\n"
           "--b1--\r\n";
  r.call_id = call_id;
  r.src_host = source;
  r.source_address = source;
  return r;
}

struct Fixture {
  explicit Fixture(SessionManagerOptions options) : manager(std::move(options), &media, nullptr, nullptr, nullptr) {
    SetLogLevel(LogLevel::kError);
  }
  PortsOnlyMedia media;
  SessionManager manager;
};

TEST_CASE("an offer with more streams than sip.max_streams is refused 488 and takes no port", "[limits]") {
  SessionManagerOptions options;
  options.max_streams = 8;
  Fixture f(options);
  // The INVITE: 101 m-lines took 101 RTP ports.
  SessionManager::InviteOutcome out = f.manager.OnInitialInvite(Invite(Sdp(101), "192.0.2.10"), At(0));
  CHECK(out.session == nullptr);
  CHECK(out.reply.status == 488);
  CHECK(out.reply.warning == "sdp: 101 audio streams offered, more than the 8 a session may record (sip.max_streams)");
  CHECK(out.reply.reason_key == "too_many_streams");
  CHECK(f.media.opened.empty());
  CHECK(f.manager.live_sessions() == 0);

  // Exactly the limit is recorded.
  out = f.manager.OnInitialInvite(Invite(Sdp(8), "192.0.2.10"), At(0));
  REQUIRE(out.reply.status == 200);
  REQUIRE(f.media.opened.size() == 1);
  CHECK(f.media.opened[0].streams.size() == 8);

  // A re-INVITE growing the session past the limit is refused; the session keeps its 8.
  Session& session = *out.session;
  SipReply reinvite = f.manager.OnReInvite(session, Invite(Sdp(9, 2), "192.0.2.10"), At(1000));
  CHECK(reinvite.status == 488);
  CHECK(reinvite.warning == "sdp: 9 audio streams offered, more than the 8 a session may record (sip.max_streams)");
  CHECK(f.media.updated.empty());
  CHECK(session.negotiation.streams.size() == 8);
}

TEST_CASE("the next INVITE from a source at sip.max_sessions_per_source gets 503; other sources do not",
          "[limits]") {
  SessionManagerOptions options;
  options.max_sessions_per_source = 2;
  options.retry_after_s = 30;
  Fixture f(options);
  SessionManager::InviteOutcome first = f.manager.OnInitialInvite(Invite(Sdp(2), "192.0.2.10", "c1"), At(0));
  REQUIRE(first.reply.status == 200);
  REQUIRE(f.manager.OnInitialInvite(Invite(Sdp(2), "192.0.2.10", "c2"), At(0)).reply.status == 200);

  SipReply third = f.manager.OnInitialInvite(Invite(Sdp(2), "192.0.2.10", "c3"), At(0)).reply;
  CHECK(third.status == 503);
  CHECK(third.retry_after_s == 30);
  CHECK(third.warning == "overload: 2 sessions active from 192.0.2.10 (sip.max_sessions_per_source)");
  CHECK(third.reason_key == "source_limit");
  CHECK(f.media.opened.size() == 2);
  CHECK(f.manager.live_sessions_from("192.0.2.10") == 2);

  // Another SBC is not affected.
  CHECK(f.manager.OnInitialInvite(Invite(Sdp(2), "192.0.2.20", "c4"), At(0)).reply.status == 200);

  // A session that ends frees its place.
  f.manager.End(*first.session, TimelineEventKind::kBye, "by SRC", At(5000));
  CHECK(f.manager.live_sessions_from("192.0.2.10") == 1);
  CHECK(f.manager.OnInitialInvite(Invite(Sdp(2), "192.0.2.10", "c5"), At(6000)).reply.status == 200);
}

}  // namespace
}  // namespace kronika::srs
