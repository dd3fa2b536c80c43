// SEC-1 at session start: with encryption at rest on, the SIP thread creates the recording's
// data key before any media is opened and hands it to the media engine, which seals the
// file; without a key nothing is recorded in plaintext. A fake media engine records what it
// was given; the key store is the real one (RecordingKeys + KeyFileSyncer) in a temp dir.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "kronika/srs/atrest/key_file_syncer.h"
#include "kronika/srs/atrest/recording_keys.h"
#include "kronika/media/media_engine.h"
#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/session/session_manager.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

Clock::time_point At(int64_t ms) { return Clock::time_point{std::chrono::milliseconds(1764076131000 + ms)}; }

class SealingMedia final : public media::MediaEngine {
 public:
  Result<media::OpenedRecording> Open(const media::RecordingSpec& spec) override { return OpenSealed(spec, ""); }
  Result<media::OpenedRecording> OpenSealed(const media::RecordingSpec& spec, const std::string& key) override {
    keys.push_back(key);
    if (!fail_with.message.empty()) return fail_with;
    return Ports(spec);
  }
  Result<media::OpenedRecording> Update(const media::RecordingSpec& spec) override { return Ports(spec); }
  void Close(const std::string&) override {}
  std::vector<media::MediaEvent> TakeEvents() override { return {}; }
  int event_fd() const override { return -1; }
  media::MediaStats Stats() const override { return {}; }

  std::vector<std::string> keys;  // one per Open/OpenSealed, "" = plaintext
  Error fail_with;

 private:
  static media::OpenedRecording Ports(const media::RecordingSpec& spec) {
    media::OpenedRecording r;
    uint16_t port = 30000;
    for (size_t i = 0; i < spec.streams.size(); ++i, port += 2) r.local_ports.push_back(port);
    r.file = "/rec/" + spec.recording_id + ".opus";
    return r;
  }
};

std::string Invite() {
  const std::string sdp =
      "v=0\r\no=SRC 1000 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
      "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=label:1\r\na=sendonly\r\n"
      "m=audio 40002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=label:2\r\na=sendonly\r\n";
  const std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<recording xmlns=\"urn:ietf:params:xml:ns:recording:1\">\n"
      " <datamode>complete</datamode>\n"
      " <session session_id=\"s1\"><sipSessionID>abc</sipSessionID></session>\n"
      " <participant participant_id=\"pA\"><nameID aor=\"sip:+48221234567@example.com\"/></participant>\n"
      " <stream stream_id=\"st1\" session_id=\"s1\"><label>1</label></stream>\n"
      " <stream stream_id=\"st2\" session_id=\"s1\"><label>2</label></stream>\n"
      "</recording>\n";
  return "--b1\r\nContent-Type: application/sdp\r\n\r\n" + sdp +
         "--b1\r\nContent-Type: application/rs-metadata+xml\r\nContent-Disposition: recording-session\r\n\r\n" + xml +
         "--b1--\r\n";
}

SipRequestInfo Request() {
  SipRequestInfo r;
  r.method = "INVITE";
  r.content_type = "multipart/mixed;boundary=b1";
  r.body = Invite();
  r.call_id = "call-1@src";
  r.src_host = "192.0.2.10";
  return r;
}

TEST_CASE("SEC-1 a new recording's data key is made at session start and sealed into the media",
          "[session][SEC-1]") {
  SetLogLevel(LogLevel::kError);
  testing::TempDir dir;
  RecordingKeys keys(RecordingKeys::DefaultDir(dir.path()), RandomBytes(kAesKeyBytes));
  SealingMedia media;
  std::string made_for;
  std::vector<std::string> dropped;
  {
    KeyFileSyncer syncer(keys);
    SessionManagerOptions options;
    options.create_recording_key = [&](const std::string& id) {
      made_for = id;
      return syncer.Create(id);
    };
    options.drop_recording_key = [&](const std::string& id) {
      dropped.push_back(id);
      syncer.Discard(id);
    };
    SessionManager manager(options, &media, nullptr, nullptr, nullptr);

    SECTION("the media engine gets the key stored (wrapped) for that recording") {
      auto out = manager.OnInitialInvite(Request(), At(0));
      REQUIRE(out.reply.status == 200);
      REQUIRE(media.keys.size() == 1);
      CHECK(made_for == out.session->id());
      CHECK(media.keys[0].size() == kAesKeyBytes);
      syncer.Drain();  // kr-keysync writes the key file, not the SIP thread
      auto stored = keys.Get(out.session->id());
      REQUIRE(stored.ok());
      CHECK(*stored == media.keys[0]);
      CHECK(dropped.empty());
    }
    SECTION("media refusing the recording discards its key") {
      media.fail_with = Error{ErrorCode::kUnavailable, "media: no free RTP port"};
      auto out = manager.OnInitialInvite(Request(), At(0));
      CHECK(out.reply.status == 503);
      REQUIRE(dropped.size() == 1);
      CHECK(dropped[0] == made_for);
    }
  }  // the syncer has synced / shredded everything queued
  if (!dropped.empty()) CHECK_FALSE(keys.Has(dropped[0]));
}

TEST_CASE("SEC-1 no data key, no recording: the INVITE is refused, nothing recorded in plaintext",
          "[session][SEC-1]") {
  SetLogLevel(LogLevel::kError);
  SealingMedia media;
  SessionManagerOptions options;
  options.create_recording_key = [](const std::string&) -> Result<std::string> {
    return MakeError(ErrorCode::kIo,
                     "keys: write /data/access/keys/x.dek: No space left on device");
  };
  SessionManager manager(options, &media, nullptr, nullptr, nullptr);
  auto out = manager.OnInitialInvite(Request(), At(0));
  CHECK(out.reply.status == 500);
  CHECK(out.reply.warning.find("No space left") != std::string::npos);
  CHECK(media.keys.empty());  // the media engine was never asked
}

TEST_CASE("SEC-1 without encryption at rest the media is opened in plaintext", "[session][SEC-1]") {
  SetLogLevel(LogLevel::kError);
  SealingMedia media;
  SessionManager manager(SessionManagerOptions{}, &media, nullptr, nullptr, nullptr);
  auto out = manager.OnInitialInvite(Request(), At(0));
  REQUIRE(out.reply.status == 200);
  REQUIRE(media.keys.size() == 1);
  CHECK(media.keys[0].empty());
}

}  // namespace
}  // namespace kronika::srs
