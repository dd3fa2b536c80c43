// MergeMetadata with the RFC 7865 §8 and RFC 8068 §3 sequences: what the merged view says
// and which timeline lines a user sees.
#include <catch2/catch.hpp>

#include "kronika/sdp/metadata_parser.h"
#include "metadata_corpus.h"

namespace kronika::sdp {
namespace {

using metadata_testing::CorpusDir;
using metadata_testing::HaveCorpus;
using metadata_testing::ReadFile;

constexpr const char* kAlice = "srfBElmCRp2QB23b7Mpk0w==";
constexpr const char* kBob = "zSfPoSvdSDCmU3A3TRDxAw==";

RecordingMetadata Rfc(const std::string& file) {
  Result<RecordingMetadata> md =
      ParseRecordingMetadata(ReadFile(CorpusDir() / "rfc" / "extracted" / file));
  INFO(file);
  REQUIRE(md.ok());
  return std::move(md).value();
}

std::vector<std::string> Lines(const std::vector<MetadataChange>& changes) {
  std::vector<std::string> out;
  for (const MetadataChange& c : changes) out.push_back(c.what);
  return out;
}

std::vector<std::string> SenderIds(const RecordingMetadata& md, const std::string& label) {
  const Stream* s = FindStreamByLabel(md, label);
  REQUIRE(s != nullptr);
  return SendersOf(md, s->id);
}

#define REQUIRE_CORPUS()               \
  if (!HaveCorpus()) {                 \
    WARN(metadata_testing::kNoCorpus); \
    return;                            \
  }

TEST_CASE("First complete snapshot lists everyone and every stream as added", "[metadata][needs-corpus]") {
  REQUIRE_CORPUS();
  RecordingMetadata current;
  auto changes = Lines(MergeMetadata(
      current, Rfc("rfc8068-sec3.3.1-example-1-basic-call-with-src-mixing-streams-1.xml")));
  CHECK(changes ==
        std::vector<std::string>{
            "stream i1Pz3to5hGk8fuXl+PbwCw== (label 96) added",
            "session hVpd7YQgRW2nD22h7q60JQ== added",
            "participant srfBElmCRp2QB23b7Mpk0w== (sip:alice@atlanta.com) added",
            "participant srfBElmCRp2QB23b7Mpk0w== (sip:alice@atlanta.com) sends on label 96",
            "participant zSfPoSvdSDCmU3A3TRDxAw== (sip:bob@biloxy.com) added",
            "participant zSfPoSvdSDCmU3A3TRDxAw== (sip:bob@biloxy.com) sends on label 96",
        });
  CHECK(current.participants.size() == 2);
  CHECK(current.mode == DataMode::kComplete);
}

TEST_CASE("RFC 7865 §8.2: a partial update disassociates Bob and keeps the rest", "[metadata][needs-corpus]") {
  REQUIRE_CORPUS();
  RecordingMetadata current = Rfc("rfc7865-sec8.1-complete-sip-recording-metadata-example-1.xml");
  auto changes = Lines(MergeMetadata(
      current, Rfc("rfc7865-sec8.2-partial-update-of-recording-metadata-xml-body-1.xml")));
  CHECK(changes ==
        std::vector<std::string>{"participant srfBElmCRp2QB23b7Mpk0w== (sip:bob@biloxi.com) "
                                 "disassociated at 2010-12-16T23:41:07Z"});
  REQUIRE(current.participants.size() == 2);                  // partial updates never remove
  const Participant* bob = FindParticipant(current, kAlice);  // Bob carries this id in §8
  REQUIRE(bob != nullptr);
  CHECK(bob->disassociate_time == "2010-12-16T23:41:07Z");
  CHECK(bob->associate_time == "2010-12-16T23:41:07Z");
  CHECK(bob->names.size() == 1);            // same nameID not duplicated
  CHECK(bob->send_stream_ids.size() == 2);  // no stream association in the update
  CHECK(current.streams.size() == 4);
  CHECK(current.groups.size() == 1);
}

TEST_CASE("RFC 8068 §3.2.2: hold stops Alice's streams, resume restores them", "[metadata][needs-corpus]") {
  REQUIRE_CORPUS();
  RecordingMetadata current = Rfc("rfc8068-sec3.2.1-example-1-basic-call-1.xml");
  CHECK(SenderIds(current, "96") == std::vector<std::string>{kAlice});

  auto hold = Lines(MergeMetadata(current, Rfc("rfc8068-sec3.2.2-example-2-hold-resume-1.xml")));
  CHECK(hold == std::vector<std::string>{
                    "participant srfBElmCRp2QB23b7Mpk0w== (sip:alice@atlanta.com) stopped "
                    "sending on label 97, label 96"});
  CHECK(SenderIds(current, "96").empty());
  CHECK(SenderIds(current, "97").empty());
  CHECK(SenderIds(current, "98") == std::vector<std::string>{kBob});
  CHECK(FindParticipant(current, kBob)->recv_stream_ids.empty());  // Bob hears nothing

  auto resume = Lines(MergeMetadata(current, Rfc("rfc8068-sec3.2.2-example-2-hold-resume-2.xml")));
  CHECK(resume == std::vector<std::string>{
                      "participant srfBElmCRp2QB23b7Mpk0w== (sip:alice@atlanta.com) started "
                      "sending on label 97, label 96"});
  CHECK(SenderIds(current, "96") == std::vector<std::string>{kAlice});
  CHECK(FindParticipant(current, kBob)->recv_stream_ids.size() == 2);
}

TEST_CASE("RFC 8068 §3.3.2: hold in a mixed stream drops Alice from its senders", "[metadata][needs-corpus]") {
  REQUIRE_CORPUS();
  RecordingMetadata current =
      Rfc("rfc8068-sec3.3.1-example-1-basic-call-with-src-mixing-streams-1.xml");
  auto hold = Lines(MergeMetadata(
      current, Rfc("rfc8068-sec3.3.2-example-2-hold-resume-with-src-recording-by-mixing-1.xml")));
  CHECK(hold == std::vector<std::string>{
                    "participant srfBElmCRp2QB23b7Mpk0w== (sip:alice@atlanta.com) stopped "
                    "sending on label 96"});
  CHECK(SenderIds(current, "96") == std::vector<std::string>{kBob});
  MergeMetadata(current,
                Rfc("rfc8068-sec3.3.2-example-2-hold-resume-with-src-recording-by-mixing-2.xml"));
  CHECK(SenderIds(current, "96") == std::vector<std::string>{kAlice, kBob});
}

TEST_CASE("RFC 8068 §3.2.3: transfer adds Carol, disassociates Alice", "[metadata][needs-corpus]") {
  REQUIRE_CORPUS();
  RecordingMetadata current = Rfc("rfc8068-sec3.2.1-example-1-basic-call-1.xml");
  auto changes = Lines(MergeMetadata(
      current, Rfc("rfc8068-sec3.2.3-example-3-call-transfer-re-invite-and-refer-based-1.xml")));
  CHECK(changes ==
        std::vector<std::string>{
            "session hVpd7YQgRW2nD22h7q60JQ== now has 1 SIP session(s)",
            "participant Atnm1ZRnOC6Pm5MApkrDzQ== (sip:carol@example.com) added",
            "participant Atnm1ZRnOC6Pm5MApkrDzQ== (sip:carol@example.com) sends on stream "
            "60JAJm9UTvik0Ltlih/Gzw==, stream AcR5FUd3Edi8cACQJy/3JQ==",
            "participant srfBElmCRp2QB23b7Mpk0w== (sip:alice@atlanta.com) disassociated at "
            "2013-12-16T23:41:07Z",
        });
  CHECK(current.participants.size() == 3);
  CHECK(current.sessions[0].sip_session_ids ==
        std::vector<std::string>{
            "3363127f0d084c10876dddd4f8e5eeb9;remote=2272bb7e70fe41dba0025ae9a26d54cf"});

  // The old recording session ends (second body of §3.2.3)...
  auto ended = Lines(MergeMetadata(
      current, Rfc("rfc8068-sec3.2.3-example-3-call-transfer-re-invite-and-refer-based-2.xml")));
  CHECK(ended.front() == "session hVpd7YQgRW2nD22h7q60JQ== stopped at 2010-12-16T23:41:07Z");
  CHECK(ended.back() ==
        "participant zSfPoSvdSDCmU3A3TRDxAw== (sip:bob@biloxy.com) "
        "disassociated at 2010-12-16T23:41:07Z");

  // ...and a complete snapshot of the new one replaces everything.
  auto snapshot = Lines(MergeMetadata(
      current, Rfc("rfc8068-sec3.2.3-example-3-call-transfer-re-invite-and-refer-based-3.xml")));
  CHECK(current.participants.size() == 2);
  CHECK(current.sessions.size() == 1);
  CHECK(current.sessions[0].id == "bfLZ+NTFEeCNxQTuRyQBmw==");
  auto has = [&](const std::string& line) {
    return std::find(snapshot.begin(), snapshot.end(), line) != snapshot.end();
  };
  CHECK(has("stream UAAMm5GRQKSCMVvLyl4rFw== (label 96) removed"));
  CHECK(has("stream 60JAJm9UTvik0Ltlih/Gzw== (label 96) added"));
  CHECK(has("session bfLZ+NTFEeCNxQTuRyQBmw== added"));
  CHECK(has("participant srfBElmCRp2QB23b7Mpk0w== (sip:alice@atlanta.com) removed"));
}

TEST_CASE("RFC 8068 §3.2.4: disconnect stops the session and both parties", "[metadata][needs-corpus]") {
  REQUIRE_CORPUS();
  RecordingMetadata current = Rfc("rfc8068-sec3.2.1-example-1-basic-call-1.xml");
  auto changes =
      Lines(MergeMetadata(current, Rfc("rfc8068-sec3.2.4-example-4-call-disconnect-1.xml")));
  CHECK(changes == std::vector<std::string>{
                       "session hVpd7YQgRW2nD22h7q60JQ== stopped at 2010-12-16T23:41:07Z",
                       "participant srfBElmCRp2QB23b7Mpk0w== (sip:alice@atlanta.com) "
                       "disassociated at 2010-12-16T23:41:07Z",
                       "participant zSfPoSvdSDCmU3A3TRDxAw== (sip:bob@biloxy.com) "
                       "disassociated at 2010-12-16T23:41:07Z",
                   });
  CHECK(current.sessions[0].stop_time == "2010-12-16T23:41:07Z");
}

TEST_CASE("Merging the same partial update twice reports nothing the second time", "[metadata][needs-corpus]") {
  REQUIRE_CORPUS();
  RecordingMetadata current = Rfc("rfc8068-sec3.2.1-example-1-basic-call-1.xml");
  RecordingMetadata hold = Rfc("rfc8068-sec3.2.2-example-2-hold-resume-1.xml");
  CHECK(MergeMetadata(current, hold).size() == 1);
  CHECK(MergeMetadata(current, hold).empty());
}

}  // namespace
}  // namespace kronika::sdp
