// ParseRecordingMetadata against synthetic dialect cases, every RFC 7865/7866/8068 example
// and every vendor body in the interop corpus (SIPp scenarios: metadata_sipp_test.cc).
#include "kronika/sdp/metadata_parser.h"

#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>

#include "metadata_corpus.h"

namespace kronika::sdp {
namespace {

using metadata_testing::CorpusDir;
using metadata_testing::ExtractMetadataXml;
using metadata_testing::HaveCorpus;
using metadata_testing::ReadFile;
using metadata_testing::ToCrlf;

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// The participant whose first nameID/aor is `aor`; fails the test when absent.
const Participant& ByAor(const RecordingMetadata& md, std::string_view aor) {
  for (const Participant& p : md.participants) {
    for (const NameId& n : p.names) {
      if (n.aor == aor) return p;
    }
  }
  FAIL("no participant with AOR " << aor);
  static Participant none;
  return none;
}

const Stream& ByLabel(const RecordingMetadata& md, std::string_view label) {
  const Stream* s = FindStreamByLabel(md, label);
  if (s == nullptr) FAIL("no stream with label " << label);
  return *s;
}

// AOR of the participant(s) sending on the stream labelled `label`, '|'-joined.
std::string SenderAors(const RecordingMetadata& md, std::string_view label) {
  std::string out;
  for (const std::string& id : SendersOf(md, ByLabel(md, label).id)) {
    const Participant* p = FindParticipant(md, id);
    if (!out.empty()) out += "|";
    out += p->names.empty() ? "?" : p->names.front().aor;
  }
  return out;
}

RecordingMetadata MustParse(const std::string& xml) {
  Result<RecordingMetadata> parsed = ParseRecordingMetadata(xml);
  INFO(xml.substr(0, 400));
  REQUIRE(parsed.ok());
  // Wire traffic is CRLF; the corpus is LF. Both must read the same.
  Result<RecordingMetadata> crlf = ParseRecordingMetadata(ToCrlf(xml));
  REQUIRE(crlf.ok());
  REQUIRE(crlf->participants.size() == parsed->participants.size());
  REQUIRE(crlf->streams.size() == parsed->streams.size());
  for (size_t i = 0; i < parsed->participants.size(); ++i) {
    CHECK(crlf->participants[i].id == parsed->participants[i].id);
    CHECK(crlf->participants[i].send_stream_ids == parsed->participants[i].send_stream_ids);
  }
  return std::move(parsed).value();
}

// ---------------------------------------------------------------- synthetic dialects

TEST_CASE("Damaged XML is a 400 naming the byte offset", "[metadata]") {
  Result<RecordingMetadata> r = ParseRecordingMetadata(
      "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><participant participant_id='a'>"
      "</recording>");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kInvalidInput);
  // Offset 88 is the name in "</recording>" that does not close <participant>.
  CHECK(r.error().message == "metadata: XML parse error at offset 88: Start-end tags mismatch");

  Result<RecordingMetadata> empty = ParseRecordingMetadata("");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == ErrorCode::kInvalidInput);
  CHECK(Contains(empty.error().message, "metadata: XML parse error at offset 0"));
}

TEST_CASE("Objects without ids are kept and reported, unknown roots are refused", "[metadata]") {
  std::vector<MetadataIssue> issues;
  Result<RecordingMetadata> r = ParseRecordingMetadata(
      "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><participant>"
      "<nameID aor='sip:a@b'/></participant></recording>",
      &issues);
  REQUIRE(r.ok());
  REQUIRE(r->participants.size() == 1);
  CHECK(r->participants[0].id.empty());
  CHECK(r->participants[0].names.at(0).aor == "sip:a@b");
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].defect == MetadataDefect::kEmptyId);
  CHECK(issues[0].detail == "the 1st <participant> has no participant_id (sip:a@b)");

  Result<RecordingMetadata> html = ParseRecordingMetadata("<html><body/></html>");
  REQUIRE_FALSE(html.ok());
  CHECK(html.error().code == ErrorCode::kInvalidInput);
  CHECK(html.error().message == "metadata: root element <html> is not <recording>");
}

TEST_CASE("Names are compared by local name, case-insensitively, in any order", "[metadata]") {
  // Association before the participant it names, prefixed elements, dataMode spelling.
  RecordingMetadata md = MustParse(R"(<?xml version="1.0"?>
<x:recording xmlns:x="urn:ietf:params:xml:ns:recording:1">
  <x:participantstreamassoc participant_id="P1"><x:send>S1</x:send></x:participantstreamassoc>
  <x:dataMode>Partial</x:dataMode>
  <x:stream stream_id="S1" session_id="X"><x:label>7</x:label></x:stream>
  <x:participant participant_id="P1"><x:nameID aor="tel:+48221234567">
    <x:name xml:lang="pl">  Jan Kowalski </x:name></x:nameID></x:participant>
</x:recording>)");
  CHECK(md.mode == DataMode::kPartial);
  CHECK(md.ns == "urn:ietf:params:xml:ns:recording:1");
  REQUIRE(md.participants.size() == 1);
  const Participant& p = md.participants[0];
  CHECK(p.id == "P1");
  REQUIRE(p.names.size() == 1);
  CHECK(p.names[0].aor == "tel:+48221234567");
  CHECK(p.names[0].name == "Jan Kowalski");
  CHECK(p.names[0].lang == "pl");
  CHECK(p.send_stream_ids == std::vector<std::string>{"S1"});
  CHECK(p.has_stream_assoc);
  CHECK(SenderAors(md, "7") == "tel:+48221234567");
}

TEST_CASE("Unknown elements are kept verbatim, never dropped", "[metadata]") {
  RecordingMetadata md = MustParse(R"(<recording xmlns="urn:ietf:params:xml:ns:recording:1">
  <datamode>complete</datamode>
  <vendorThing a="1"><deep>x &amp; y</deep></vendorThing>
  <participant participant_id="P"><nameID aor="sip:a@b"/><color>blue</color></participant>
  <stream stream_id="S" session_id="X"><label>1</label><codec>opus</codec></stream>
</recording>)");
  CHECK(md.unknown_xml == R"(<vendorThing a="1"><deep>x &amp; y</deep></vendorThing>)");
  CHECK(md.participants[0].extension_xml == "<color>blue</color>");
  CHECK(md.streams[0].extension_xml == "<codec>opus</codec>");
}

TEST_CASE("Prefixes declared on the root are re-declared in kept extension XML", "[metadata]") {
  RecordingMetadata md =
      MustParse(R"(<recording xmlns="urn:ietf:params:xml:ns:recording:1" xmlns:v="urn:v">)"
                R"(<participant participant_id="P"><v:flag>1</v:flag></participant></recording>)");
  CHECK(md.participants[0].extension_xml == R"(<v:flag xmlns:v="urn:v">1</v:flag>)");
}

// ---------------------------------------------------------------- RFC examples

using Check = std::function<void(const std::string& xml)>;

const std::map<std::string, Check>& RfcExpectations() {
  static const std::map<std::string, Check> kChecks = {
      {"rfc7865-sec7-recording-metadata-snapshot-request-format-1.xml",
       [](const std::string& xml) {
         // A snapshot request goes SRS->SRC; receiving one as metadata is an error.
         Result<RecordingMetadata> r = ParseRecordingMetadata(xml);
         REQUIRE_FALSE(r.ok());
         CHECK(r.error().message == "metadata: root element <requestsnapshot> is not <recording>");
       }},
      {"rfc7866-sec9.2-procedures-at-the-srs-1.xml",
       [](const std::string& xml) {
         Result<RecordingMetadata> r = ParseRecordingMetadata(xml);
         REQUIRE_FALSE(r.ok());
         CHECK(r.error().code == ErrorCode::kInvalidInput);
       }},
      {"rfc7865-sec8.1-complete-sip-recording-metadata-example-1.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(md.mode == DataMode::kComplete);
         CHECK(md.ns == "urn:ietf:params:xml:ns:recording:1");
         REQUIRE(md.groups.size() == 1);
         CHECK(md.groups[0].id == "7+OTCyoxTmqmqyA/1weDAg==");
         CHECK(md.groups[0].associate_time == "2010-12-16T23:41:07Z");
         CHECK(Contains(md.groups[0].extension_xml,
                        "<supervisor>sip:alice@atlanta.com</supervisor>"));
         CHECK(Contains(md.groups[0].extension_xml, "<structure>FOO!</structure>"));
         REQUIRE(md.sessions.size() == 1);
         CHECK(md.sessions[0].sip_session_ids ==
               std::vector<std::string>{
                   "ab30317f1a784dc48ff824d0d3715d86;remote=47755a9de7794ba387653f2099600ef2"});
         CHECK(md.sessions[0].group_id == "7+OTCyoxTmqmqyA/1weDAg==");
         CHECK(md.sessions[0].associate_time == "2010-12-16T23:41:07Z");
         REQUIRE(md.participants.size() == 2);
         const Participant& bob = ByAor(md, "sip:bob@biloxi.com");
         CHECK(bob.names[0].name == "Bob");
         CHECK(bob.names[0].lang == "it");
         CHECK(bob.associate_time == "2010-12-16T23:41:07Z");
         CHECK(bob.session_ids == std::vector<std::string>{"hVpd7YQgRW2nD22h7q60JQ=="});
         CHECK(ByAor(md, "sip:Paul@biloxi.com").names[0].name == "Paul");
         REQUIRE(md.streams.size() == 4);
         CHECK(SenderAors(md, "96") == "sip:bob@biloxi.com");
         CHECK(SenderAors(md, "97") == "sip:bob@biloxi.com");
         CHECK(SenderAors(md, "98") == "sip:Paul@biloxi.com");
         CHECK(SenderAors(md, "99") == "sip:Paul@biloxi.com");
         CHECK(bob.recv_stream_ids ==
               std::vector<std::string>{"8zc6e0lYTlWIINA6GR+3ag==", "EiXGlc+4TruqqoDaNE76ag=="});
       }},
      {"rfc7865-sec8.2-partial-update-of-recording-metadata-xml-body-1.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(md.mode == DataMode::kPartial);
         REQUIRE(md.participants.size() == 1);
         const Participant& bob = md.participants[0];
         CHECK(bob.names[0].aor == "sip:bob@biloxi.com");
         CHECK(bob.disassociate_time == "2010-12-16T23:41:07Z");
         CHECK_FALSE(bob.has_stream_assoc);
       }},
      {"rfc8068-sec3.2.1-example-1-basic-call-1.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         REQUIRE(md.participants.size() == 2);
         CHECK(ByAor(md, "sip:alice@atlanta.com").names[0].name == "Alice");
         CHECK(ByAor(md, "sip:bob@biloxy.com").names[0].name == "Bob");
         CHECK(SenderAors(md, "96") == "sip:alice@atlanta.com");
         CHECK(SenderAors(md, "98") == "sip:bob@biloxy.com");
         // <group-ref> wrapped over two lines in the RFC.
         CHECK(md.sessions[0].group_id == "7+OTCyoxTmqmqyA/1weDAg==");
       }},
      {"rfc8068-sec3.2.2-example-2-hold-resume-1.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(md.mode == DataMode::kPartial);
         REQUIRE(md.participants.size() == 2);
         const Participant* alice = FindParticipant(md, "srfBElmCRp2QB23b7Mpk0w==");
         REQUIRE(alice != nullptr);
         CHECK(alice->has_stream_assoc);
         CHECK(alice->send_stream_ids.empty());  // on hold: Alice sends nothing
         CHECK(alice->recv_stream_ids.size() == 2);
         CHECK(FindParticipant(md, "zSfPoSvdSDCmU3A3TRDxAw==")->send_stream_ids.size() == 2);
       }},
      {"rfc8068-sec3.2.2-example-2-hold-resume-2.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         const Participant* alice = FindParticipant(md, "srfBElmCRp2QB23b7Mpk0w==");
         REQUIRE(alice != nullptr);
         CHECK(alice->send_stream_ids ==
               std::vector<std::string>{"i1Pz3to5hGk8fuXl+PbwCw==", "UAAMm5GRQKSCMVvLyl4rFw=="});
       }},
      {"rfc8068-sec3.2.3-example-3-call-transfer-re-invite-and-refer-based-1.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(md.mode == DataMode::kPartial);
         CHECK(md.sessions[0].sip_session_ids ==
               std::vector<std::string>{
                   "3363127f0d084c10876dddd4f8e5eeb9;remote=2272bb7e70fe41dba0025ae9a26d54cf"});
         REQUIRE(md.participants.size() == 3);  // Carol joins, Alice leaves, Bob re-associated
         const Participant& carol = ByAor(md, "sip:carol@example.com");
         CHECK(carol.associate_time == "2013-12-16T23:41:07Z");
         CHECK(carol.send_stream_ids.size() == 2);
         CHECK(FindParticipant(md, "srfBElmCRp2QB23b7Mpk0w==")->disassociate_time ==
               "2013-12-16T23:41:07Z");
       }},
      {"rfc8068-sec3.2.3-example-3-call-transfer-re-invite-and-refer-based-2.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(md.sessions[0].stop_time == "2010-12-16T23:41:07Z");
         REQUIRE(md.participants.size() == 2);
         for (const Participant& p : md.participants) {
           CHECK(p.disassociate_time == "2010-12-16T23:41:07Z");
         }
       }},
      {"rfc8068-sec3.2.3-example-3-call-transfer-re-invite-and-refer-based-3.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(md.mode == DataMode::kComplete);
         CHECK(md.sessions[0].id == "bfLZ+NTFEeCNxQTuRyQBmw==");
         CHECK(md.sessions[0].start_time == "2010-12-16T23:41:07Z");
         REQUIRE(md.participants.size() == 2);
         CHECK(ByAor(md, "sip:Bob@biloxy.com").names[0].name.empty());
         CHECK(SenderAors(md, "96") == "sip:carol@example.com");
         CHECK(SenderAors(md, "98") == "sip:Bob@biloxy.com");
       }},
      {"rfc8068-sec3.2.4-example-4-call-disconnect-1.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(md.sessions[0].stop_time == "2010-12-16T23:41:07Z");
         CHECK(md.participants.size() == 2);
       }},
      {"rfc8068-sec3.3.1-example-1-basic-call-with-src-mixing-streams-1.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(md.sessions[0].sip_session_ids.size() == 2);
         REQUIRE(md.streams.size() == 1);
         CHECK(SenderAors(md, "96") == "sip:alice@atlanta.com|sip:bob@biloxy.com");
       }},
      {"rfc8068-sec3.3.2-example-2-hold-resume-with-src-recording-by-mixing-1.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(SendersOf(md, "i1Pz3to5hGk8fuXl+PbwCw==") ==
               std::vector<std::string>{"zSfPoSvdSDCmU3A3TRDxAw=="});
       }},
      {"rfc8068-sec3.3.2-example-2-hold-resume-with-src-recording-by-mixing-2.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(SendersOf(md, "i1Pz3to5hGk8fuXl+PbwCw==").size() == 2);
       }},
      {"rfc8068-sec3.3.3-example-3-metadata-snapshot-of-joining-dropping-of-1.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(md.sessions[0].sip_session_ids.size() == 3);
         CHECK(ByAor(md, "sip:carol@example.com").names[0].name == "Carol");
       }},
      {"rfc8068-sec3.3.3-example-3-metadata-snapshot-of-joining-dropping-of-2.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(md.sessions[0].sip_session_ids.size() == 2);
         CHECK(md.participants[0].disassociate_time == "2010-12-16T23:41:07Z");
       }},
      {"rfc8068-sec3.4.1-example-1-metadata-snapshot-during-cs-disconnect-w-1.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(md.sessions[0].stop_time == "2010-12-16T23:41:07Z");
         CHECK(md.participants.size() == 2);
       }},
      {"rfc8068-sec3.5-turret-case-multiple-cs-into-single-rs-with-mixed--1.xml",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         REQUIRE(md.sessions.size() == 2);
         CHECK(md.sessions[1].start_time == "2010-12-16T23:43:07Z");
         REQUIRE(md.participants.size() == 3);
         CHECK(ByAor(md, "sip:Bob@biloxy.com").session_ids.size() == 2);
         CHECK(SenderAors(md, "96") ==
               "sip:alice@atlanta.com|sip:Bob@biloxy.com|sip:Carol@example.com");
       }},
  };
  return kChecks;
}

TEST_CASE("Every RFC 7865/7866/8068 XML example reads as the RFC text says", "[metadata][needs-corpus]") {
  if (!HaveCorpus()) {
    WARN(metadata_testing::kNoCorpus);
    return;
  }
  const auto& checks = RfcExpectations();
  size_t seen = 0;
  for (const auto& path : metadata_testing::FilesUnder(CorpusDir() / "rfc" / "extracted", ".xml")) {
    std::string name = path.filename().string();
    SECTION(name) {
      auto check = checks.find(name);
      INFO("no expectation written for " << name);
      REQUIRE(check != checks.end());
      check->second(ReadFile(path));
    }
    ++seen;
  }
  CHECK(seen == checks.size());
}

// ---------------------------------------------------------------- vendor bodies

const std::map<std::string, Check>& VendorExpectations() {
  static const std::map<std::string, Check> kChecks = {
      {"oracle-acme/acme-siprec-offer.txt",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(md.ns == "urn:ietf:params:xml:ns:recording");  // pre-RFC, no ":1"
         CHECK(md.mode == DataMode::kComplete);
         REQUIRE(md.sessions.size() == 1);
         CHECK(md.sessions[0].id == "AavRXwIIQj1Q39eJulTipQ==");
         CHECK(md.sessions[0].associate_time == "2019-03-09T16:50:20");
         REQUIRE(md.participants.size() == 2);
         const Participant& caller = ByAor(md, "sip:9000@192.168.50.102");
         CHECK(caller.id == "fSD3PFErSjNTHLDiXCELjw==");
         CHECK(caller.names[0].name == "9000");
         CHECK(caller.session_ids == std::vector<std::string>{"AavRXwIIQj1Q39eJulTipQ=="});
         CHECK(caller.associate_time == "2019-03-09T16:50:20");
         CHECK(Contains(caller.extension_xml, "<apkt:callingParty>true</apkt:callingParty>"));
         CHECK(Contains(caller.extension_xml,
                        R"(xmlns:apkt="http://acmepacket.com/siprec/extensiondata")"));
         const Participant& callee = ByAor(md, "sip:1002@192.168.50.10");
         CHECK(callee.names[0].name == "1002");
         CHECK(Contains(callee.extension_xml, "<apkt:callingParty>false</apkt:callingParty>"));
         REQUIRE(md.streams.size() == 2);
         CHECK(ByLabel(md, "16777227").mode == "separate");
         CHECK(ByLabel(md, "16777228").associate_time == "2019-03-09T16:50:31");
         CHECK(SenderAors(md, "16777227") == "sip:9000@192.168.50.102");
         CHECK(SenderAors(md, "16777228") == "sip:1002@192.168.50.10");
       }},
      {"oracle-acme/acme-in-avaya-env-siprec-offer.txt",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(Contains(md.sessions[0].extension_xml,
                        "<apkt:ucid>00FA081003B9CF5E7DF7E5;encoding=hex</apkt:ucid>"));
         REQUIRE(md.participants.size() == 2);
         const Participant& caller = ByAor(md, "sip:31624895902@10.10.128.62");
         CHECK(Contains(caller.extension_xml, "<apkt:realm>Avaya-GR-REC</apkt:realm>"));
         CHECK(Contains(
             caller.extension_xml,
             R"(<apkt:header label="Call-ID"><value>134485702_44821128@10.10.128.62</value></apkt:header>)"));
         CHECK(SenderAors(md, "201835599") == "sip:31624895902@10.10.128.62");
         CHECK(SenderAors(md, "201835600") == "sip:33187164021@sip.webhelpgroupe.lan");
       }},
      {"oracle-acme/acme-siprec-offer-quoted-name.txt",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(ByAor(md, "sip:22938884455@216.128.192.36").names[0].name == "ECG Tester");
         const Participant& callee = ByAor(md, "sip:+12298558585@216.128.192.137");
         CHECK(callee.id == "+AVUYgpTSQlpIhZ+ZUwerQ==");
         CHECK(callee.names[0].name == "+12298558585");
         CHECK(SenderAors(md, "33675086") == "sip:22938884455@216.128.192.36");
         CHECK(SenderAors(md, "33675087") == "sip:+12298558585@216.128.192.137");
       }},
      {"broadworks/broadworks-recording-metadata-offer.txt",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(md.ns == "urn:ietf:params:xml:ns:siprec");  // draft <recording_metadata>
         CHECK(md.mode == DataMode::kComplete);
         CHECK(Contains(md.unknown_xml,
                        R"(<recording id="urn:uuid:74796fcb-6055-4995-a980-58873db804ff">)"));
         CHECK(Contains(md.unknown_xml, "<requestor>SRC</requestor>"));
         REQUIRE(md.groups.size() == 1);
         CHECK(Contains(md.groups[0].extension_xml,
                        "<initiator>sip:user1001@example.test</initiator>"));
         REQUIRE(md.sessions.size() == 1);
         CHECK(md.sessions[0].group_id == "urn:uuid:c661b207-7f79-4df1-a1e8-8e4ef8430f08");
         CHECK(md.sessions[0].start_time == "2026-04-09T21:10:49+00:00");
         REQUIRE(md.participants.size() == 2);
         CHECK(ByAor(md, "sip:user1001@example.test").send_stream_ids ==
               std::vector<std::string>{"urn:uuid:f043e5b0-7899-4eda-845e-c3a8ec017972"});
         CHECK(SenderAors(md, "1") == "sip:user1001@example.test");
         CHECK(SenderAors(md, "2") == "sip:15550001002@192.0.2.10;user=phone");
         REQUIRE(md.extensions.size() == 1);
         CHECK(md.extensions[0].parent == md.sessions[0].id);
         CHECK(Contains(md.extensions[0].xml,
                        "<dialedDigits>sip:15550001002@192.0.2.10</dialedDigits>"));
         CHECK(Contains(md.extensions[0].xml,
                        R"(xmlns="http://schema.broadsoft.com/broadworksCallRecording")"));
       }},
      {"broadworks/broadworks-termcall-recording-metadata-offer.txt",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(SenderAors(md, "2") == "sip:+15550001002@192.0.2.10;user=phone");
         REQUIRE(md.extensions.size() == 1);
         CHECK(Contains(md.extensions[0].xml, "<termCall>"));
       }},
      {"broadworks/broadworks-lineport-recording-metadata-offer.txt",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(SenderAors(md, "1") == "sip:fred@vwave.net");
         CHECK(SenderAors(md, "2") == "sip:+12295556666@vwave.net");
         CHECK(Contains(md.extensions[0].xml, "<userID>admin@vwave.net</userID>"));
       }},
      {"broadworks/broadworks-offer.txt",
       [](const std::string& xml) {
         // Tags stripped by the reporter's logging: well-formed, but nothing to read.
         RecordingMetadata md = MustParse(xml);
         CHECK(md.ns == "urn:ietf:params:xml:ns:siprec");
         CHECK(md.participants.empty());
         CHECK(md.streams.empty());
       }},
      {"cisco-cube/cisco-siprec-offer.txt",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);  // interleaved element order
         CHECK(md.sessions[0].sip_session_ids ==
               std::vector<std::string>{
                   "e9fffff2020a598b86962867715db0cf;remote=cd0f7093d62c5f0697098fd69a4aa57b"});
         CHECK(md.sessions[0].start_time == "2017-06-23T12:16:06.040Z");
         REQUIRE(md.participants.size() == 2);
         CHECK(ByAor(md, "sip:7301@35.162.237.204").names[0].name.empty());
         CHECK(ByAor(md, "sip:7300@35.162.237.204").names[0].name == "7300");
         CHECK(ByAor(md, "sip:7300@35.162.237.204").names[0].lang == "en");
         CHECK(SenderAors(md, "1") == "sip:7301@35.162.237.204");
         CHECK(SenderAors(md, "2") == "sip:7300@35.162.237.204");
       }},
      {"cisco-cube/inactive-sdp-offer.txt",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         REQUIRE(md.participants.size() == 2);
         const Participant& a = ByAor(md, "sip:0733165805@192.168.40.34");
         CHECK(a.has_stream_assoc);  // an empty <participantstreamassoc>
         CHECK(a.send_stream_ids.empty());
         CHECK(ByAor(md, "sip:+972546136443@192.168.10.140").send_stream_ids.empty());
         CHECK(md.streams.size() == 2);
       }},
      {"cisco-cube/non-siprec-payload.txt",
       [](const std::string& xml) { CHECK(xml.empty()); }},  // plain SDP, no metadata
      {"opensips-connectel/connectel-offer.txt",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(md.sessions[0].sip_session_ids ==
               std::vector<std::string>{"2d8abbf0769c66e15bb349f509693d60@52.57.92.239"});
         CHECK(ByAor(md, "sip:0771121212@52.57.92.239").names[0].name ==
               "test_user;lang=en-US;id=22");
         CHECK(ByAor(md, "sip:0760516936@sip-cust1.connectel.io").names[0].name.empty());
         CHECK(ByLabel(md, "1").id == "EkG6jSRhQqCupqs53tna1w==");
         CHECK(SendersOf(md, ByLabel(md, "1").id).empty());  // no stream association sent
       }},
      {"opensips-connectel/connectel-offer2.txt",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(ByAor(md, "sip:0771121212@52.57.92.239").names[0].name == "test_user;lang=en-US");
       }},
      {"opensips-connectel/connectel-offer3.txt",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(ByAor(md, "sip:0771121212@52.57.92.239").names[0].name == "test_user");
       }},
      {"sems-procomm/procomm-siprec-offer.txt",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);
         CHECK(md.sessions[0].start_time == "2017-12-11T14:44:23Z");
         CHECK(ByAor(md, "Extension-016190619@speechpath.ie").names[0].name ==
               "Speechpath-Main-Line 016190619");
         CHECK(SenderAors(md, "a_leg") == "sip:016190200@87.252.209.116");
         CHECK(SenderAors(md, "b_leg") == "Extension-016190619@speechpath.ie");
       }},
      {"sonus-ribbon/sonus-siprec-offer.txt",
       [](const std::string& xml) {
         RecordingMetadata md = MustParse(xml);  // tns: prefix, old namespace
         CHECK(md.ns == "urn:ietf:params:xml:ns:recording");
         REQUIRE(md.groups.size() == 1);
         CHECK(md.groups[0].associate_time == "1970-05-13T03:29:05Z");
         CHECK(Contains(md.groups[0].extension_xml, "<gcid>241205267</gcid>"));
         CHECK(Contains(md.groups[0].extension_xml,
                        "<callid>2da553f7-a48b-1235-d6a2-5254003a4988</callid>"));
         CHECK(md.sessions[0].group_id == "MTQ3YzA3YzAtNjdkNy0xMA==");
         CHECK(md.sessions[0].associate_time == "1970-05-13T03:29:05Z");
         REQUIRE(md.participants.size() == 2);
         CHECK(ByAor(md, "2249888500@172.16.198.55").names[0].name == "Extension 8500");
         CHECK(ByAor(md, "2249888012@172.16.195.72").names[0].name.empty());  // " "
         // Sonus crosses them: the extension sends on label 2.
         CHECK(SenderAors(md, "1") == "2249888012@172.16.195.72");
         CHECK(SenderAors(md, "2") == "2249888500@172.16.198.55");
       }},
  };
  return kChecks;
}

TEST_CASE("Every vendor body's metadata reads as a human reads it", "[metadata][needs-corpus]") {
  if (!HaveCorpus()) {
    WARN(metadata_testing::kNoCorpus);
    return;
  }
  const auto& checks = VendorExpectations();
  size_t seen = 0;
  std::filesystem::path root = CorpusDir() / "vendor-bodies";
  for (const auto& path : metadata_testing::FilesUnder(root, "")) {
    std::string name = std::filesystem::relative(path, root).generic_string();
    SECTION(name) {
      auto check = checks.find(name);
      INFO("no expectation written for " << name);
      REQUIRE(check != checks.end());
      check->second(ExtractMetadataXml(ReadFile(path)));
    }
    ++seen;
  }
  CHECK(seen == checks.size());
}

}  // namespace
}  // namespace kronika::sdp
