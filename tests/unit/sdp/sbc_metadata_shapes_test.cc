// RFC 7865 metadata shapes SBCs send beyond the interop corpus (issue 14 item 5): namespaces,
// element order, references, partial updates, text forms, charsets. Each body is written here
// (no vendor's text copied) and read with ReadMetadataDocument / MapStreams as the daemon does.
#include <catch2/catch.hpp>
#include <string>

#include "kronika/sdp/metadata_document.h"
#include "kronika/sdp/phone_number.h"
#include "kronika/sdp/recording_metadata.h"
#include "kronika/sdp/siprec_body.h"
#include "kronika/sdp/stream_mapping.h"

namespace kronika::sdp {
namespace {

RecordingMetadata MustRead(const std::string& xml, std::string_view charset = "") {
  MetadataDocument doc = ReadMetadataDocument(xml, charset);
  INFO(xml);
  for (const MetadataIssue& i : doc.issues) INFO(DescribeIssue(i));
  REQUIRE(doc.metadata.has_value());
  CHECK(doc.issues.empty());
  return std::move(*doc.metadata);
}

std::string AorOf(const RecordingMetadata& md, std::string_view participant_id) {
  const Participant* p = FindParticipant(md, participant_id);
  return p == nullptr || p->names.empty() ? "" : p->names.front().aor;
}

TEST_CASE("every element under a prefix other than the usual, vendor data in its own default namespace",
          "[sbc_shapes][metadata]") {
  const RecordingMetadata md = MustRead(
      "<rs:recording xmlns:rs='urn:ietf:params:xml:ns:recording:1'>"
      "<rs:datamode>complete</rs:datamode>"
      "<rs:session session_id='S'><rs:sipSessionID>abc</rs:sipSessionID></rs:session>"
      "<rs:participant participant_id='P1'><rs:nameID aor='sip:+48221234567@sbc.example.pl'/>"
      "<rs:send>T1</rs:send><vendorData xmlns='http://example.net/sbc'><trunk>7</trunk></vendorData>"
      "</rs:participant>"
      "<rs:stream stream_id='T1' session_id='S'><rs:label>10</rs:label></rs:stream>"
      "</rs:recording>");
  CHECK(md.ns == "urn:ietf:params:xml:ns:recording:1");
  CHECK(AorOf(md, "P1") == "sip:+48221234567@sbc.example.pl");
  CHECK(SendersOf(md, "T1") == std::vector<std::string>{"P1"});
  CHECK(md.participants[0].extension_xml ==
        "<vendorData xmlns=\"http://example.net/sbc\"><trunk>7</trunk></vendorData>");
}

TEST_CASE("the namespace declared on each element instead of the root", "[sbc_shapes][metadata]") {
  const RecordingMetadata md = MustRead(
      "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
      "<participant xmlns='urn:ietf:params:xml:ns:recording:1' participant_id='P1'>"
      "<nameID xmlns='urn:ietf:params:xml:ns:recording:1' aor='tel:+48221234567'/></participant>"
      "</recording>");
  CHECK(AorOf(md, "P1") == "tel:+48221234567");
}

TEST_CASE("associations before the objects, datamode last", "[sbc_shapes][metadata]") {
  const RecordingMetadata md = MustRead(
      "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
      "<participantstreamassoc participant_id='P2'><send>T2</send><recv>T1</recv></participantstreamassoc>"
      "<participantstreamassoc participant_id='P1'><send>T1</send><recv>T2</recv></participantstreamassoc>"
      "<stream stream_id='T2' session_id='S'><label>2</label></stream>"
      "<stream stream_id='T1' session_id='S'><label>1</label></stream>"
      "<participant participant_id='P2'><nameID aor='sip:+48601000002@x'/></participant>"
      "<participant participant_id='P1'><nameID aor='sip:+48221000001@x'/></participant>"
      "<session session_id='S'/>"
      "<datamode>partial</datamode>"
      "</recording>");
  CHECK(md.mode == DataMode::kPartial);
  const StreamMapping mapping = MapStreams({"1", "2"}, &md);
  CHECK_FALSE(mapping.fallback_used);
  CHECK(mapping.streams[0].participant_ids == std::vector<std::string>{"P1"});
  CHECK(mapping.streams[1].participant_ids == std::vector<std::string>{"P2"});
}

TEST_CASE("ids and labels with whitespace around them are trimmed", "[sbc_shapes][metadata]") {
  const RecordingMetadata md = MustRead(
      "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
      "<stream stream_id='\n  T1 ' session_id='S'><label>\n 1 \n</label></stream>"
      "<participant participant_id=' P1 '><nameID aor=' sip:1@x '/><send>\n T1\n</send></participant>"
      "</recording>");
  CHECK(md.streams[0].id == "T1");
  CHECK(md.streams[0].label == "1");
  CHECK(SendersOf(md, "T1") == std::vector<std::string>{"P1"});
  CHECK(AorOf(md, "P1") == "sip:1@x");
}

TEST_CASE("names as CDATA, numeric character references and escaped quotes", "[sbc_shapes][metadata]") {
  const RecordingMetadata md = MustRead(
      "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
      "<participant participant_id='P1'><nameID aor='sip:1@x'><name><![CDATA[Urz\xC4\x85" "d & Co]]></name>"
      "</nameID></participant>"
      "<participant participant_id='P2'><nameID aor='sip:2@x'><name>&#x141;ukasz &amp; &#379;aneta</name>"
      "</nameID></participant>"
      "<participant participant_id='P3'><nameID aor='sip:3@x'><name xml:lang='pl'>&quot;Biuro&quot;</name>"
      "</nameID></participant>"
      "</recording>");
  CHECK(md.participants[0].names[0].name == "Urz\xC4\x85" "d & Co");
  CHECK(md.participants[1].names[0].name == "\xC5\x81ukasz & \xC5\xBB" "aneta");
  CHECK(md.participants[2].names[0].name == "Biuro");
  CHECK(md.participants[2].names[0].lang == "pl");
}

TEST_CASE("a DOCTYPE with an entity is not expanded (no entity tricks), comments and PIs skipped",
          "[sbc_shapes][metadata][hostile]") {
  const RecordingMetadata md = MustRead(
      "<?xml version='1.0'?><!DOCTYPE recording [<!ENTITY boom SYSTEM 'file:///etc/passwd'>]>"
      "<!-- SBC build 7.3 --><recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
      "<?sbc trace on?><participant participant_id='P1'><nameID aor='sip:1@x'><name>&boom;</name>"
      "</nameID><!-- caller --></participant></recording>");
  REQUIRE(md.participants.size() == 1);
  CHECK(md.participants[0].names[0].name.find("root:") == std::string::npos);
  CHECK(md.participants[0].names[0].name == "&boom;");
}

TEST_CASE("a charset parameter on the metadata part overrides the XML declaration (RFC 7303)",
          "[sbc_shapes][metadata][encoding]") {
  // The part says ISO-8859-2, the declaration (copied from a template) says UTF-8.
  const std::string body =
      "--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n"
      "m=audio 4000 RTP/AVP 0\r\n"
      "--b\r\nContent-Type: application/rs-metadata+xml; charset=ISO-8859-2\r\n\r\n"
      "<?xml version='1.0' encoding='UTF-8'?><recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
      "<participant participant_id='P1'><nameID aor='sip:1@x'><name>\xA3\xF3\x64\xBC</name></nameID>"
      "</participant></recording>\r\n--b--\r\n";
  const auto split = ParseSiprecBody("multipart/mixed;boundary=b", body);
  REQUIRE(split.ok());
  CHECK(split->metadata_charset == "ISO-8859-2");
  const RecordingMetadata md = MustRead(*split->metadata_xml, split->metadata_charset);
  CHECK(md.participants[0].names[0].name == "\xC5\x81\xC3\xB3" "d\xC5\xBA");
}

TEST_CASE("AOR forms SBCs put in nameID, and the numbers they index", "[sbc_shapes][metadata]") {
  struct Case {
    std::string aor;
    std::string e164;
  };
  const Case cases[] = {
      // IMS core: parameters after the host.
      {"sip:+48221234567@ims.mnc003.mcc260.3gppnetwork.org;user=phone;noa=international", "+48221234567"},
      {"sips:+48221234567@sbc.example.pl:5061;transport=tls", "+48221234567"},
      {"tel:+48-22-123-45-67", "+48221234567"},
      {"sip:0221234567@pbx.example.pl", "+48221234567"},         // national form, trunk prefix 0
      {"sip:0048221234567@pbx.example.pl", "+48221234567"},      // international prefix 00
      {"sip:@wellknown.example.pl", ""},                          // empty user part (gateway)
      {"sip:anonymous@anonymous.invalid", ""},                    // withheld number
      {"sip:1002@10.0.0.7", ""},                                  // an extension
  };
  for (const Case& c : cases) {
    INFO(c.aor);
    const RecordingMetadata md = MustRead(
        "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><participant participant_id='P'>"
        "<nameID aor='" + c.aor + "'/></participant></recording>");
    CHECK(md.participants[0].names[0].aor == c.aor);
    CHECK(NormalizePhoneNumber(c.aor, "48").e164 == c.e164);
  }
}

TEST_CASE("a partial update that adds a stream and moves a party onto it", "[sbc_shapes][metadata]") {
  MetadataView view;
  ApplyMetadataDocument(view, ReadMetadataDocument(
                                  "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
                                  "<stream stream_id='T1' session_id='S'><label>1</label></stream>"
                                  "<participant participant_id='P1'><nameID aor='sip:1@x'/><send>T1</send></participant>"
                                  "<participant participant_id='P2'><nameID aor='sip:2@x'/><send>T1</send></participant>"
                                  "</recording>"));
  const auto changes = ApplyMetadataDocument(
      view, ReadMetadataDocument("<recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
                                 "<datamode>partial</datamode>"
                                 "<stream stream_id='T2' session_id='S'><label>2</label></stream>"
                                 "<participant participant_id='P2'><send>T2</send></participant>"
                                 "</recording>"));
  CHECK(view.status() == MetadataStatus::kComplete);
  const StreamMapping mapping = MapStreams({"1", "2"}, &*view.metadata);
  CHECK(mapping.streams[0].participant_ids == std::vector<std::string>{"P1"});
  CHECK(mapping.streams[1].participant_ids == std::vector<std::string>{"P2"});
  std::string text;
  for (const auto& c : changes) text += c.what + "\n";
  CHECK(text == "stream T2 (label 2) added\nparticipant P2 (sip:2@x) stopped sending on label 1\n"
                "participant P2 (sip:2@x) started sending on label 2\n");
}

TEST_CASE("a conference of 40 participants on one mixed stream", "[sbc_shapes][metadata]") {
  std::string xml = "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
                    "<stream stream_id='M' session_id='S'><label>1</label></stream>";
  for (int i = 0; i < 40; ++i) {
    xml += "<participant participant_id='P" + std::to_string(i) + "'><nameID aor='sip:+4822100" +
           std::to_string(1000 + i) + "@x'/><send>M</send><recv>M</recv></participant>";
  }
  xml += "</recording>";
  const RecordingMetadata md = MustRead(xml);
  const StreamMapping mapping = MapStreams({"1"}, &md);
  CHECK(mapping.mixed_single_stream);
  CHECK(mapping.streams[0].participant_ids.size() == 40);
}

TEST_CASE("an empty complete snapshot (no parties known yet) reads as complete and empty", "[sbc_shapes][metadata]") {
  const RecordingMetadata md = MustRead("<recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
                                        "<datamode>complete</datamode></recording>");
  CHECK(md.participants.empty());
  CHECK(MapStreams({"1", "2"}, &md).fallback_used);
}

TEST_CASE("a transfer sent as a new complete snapshot keeps the departed party, off the streams",
          "[sbc_shapes][metadata]") {
  // CUBE-style mid-call re-INVITE: the far party P2 is replaced by P3 on the same stream.
  auto snapshot = [](const std::string& far_id, const std::string& far_number) {
    return "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><datamode>complete</datamode>"
           "<stream stream_id='S1' session_id='C'><label>1</label></stream>"
           "<stream stream_id='S2' session_id='C'><label>2</label></stream>"
           "<participant participant_id='P1'><nameID aor='sip:+48221000001@x'/><send>S1</send></participant>"
           "<participant participant_id='" + far_id + "'><nameID aor='sip:" + far_number + "@x'/>"
           "<send>S2</send></participant></recording>";
  };
  RecordingMetadata current = MustRead(snapshot("P2", "+48601000001"));
  const auto changes = MergeMetadata(current, MustRead(snapshot("P3", "+48601000002")));
  CHECK(changes.back().what == "participant P2 (sip:+48601000001@x) removed");
  // The current view is the new snapshot...
  REQUIRE(current.participants.size() == 2);
  CHECK(current.participants[1].id == "P3");
  CHECK(MapStreams({"1", "2"}, &current).streams[1].participant_ids == std::vector<std::string>{"P3"});
  // ...and P2 stays known (the recording is still found by its number), sending on nothing.
  REQUIRE(current.departed.size() == 1);
  CHECK(current.departed[0].id == "P2");
  CHECK(current.departed[0].names[0].aor == "sip:+48601000001@x");
  CHECK(current.departed[0].send_stream_ids.empty());
  // Transferred back: P2 is a participant again, no longer departed; P3 departed.
  MergeMetadata(current, MustRead(snapshot("P2", "+48601000001")));
  CHECK(current.participants[1].id == "P2");
  REQUIRE(current.departed.size() == 1);
  CHECK(current.departed[0].id == "P3");
}

TEST_CASE("a departed party does not shift the m-line-order guess of the next snapshot", "[sbc_shapes][metadata]") {
  // Snapshots without any stream association: senders are guessed in document order, which
  // must count only the parties of the current snapshot.
  auto parties = [](const std::string& a, const std::string& b) {
    return "<recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
           "<participant participant_id='" + a + "'><nameID aor='sip:" + a + "@x'/></participant>"
           "<participant participant_id='" + b + "'><nameID aor='sip:" + b + "@x'/></participant></recording>";
  };
  RecordingMetadata current = MustRead(parties("A", "B"));
  MergeMetadata(current, MustRead(parties("A", "C")));
  const StreamMapping mapping = MapStreams({"1", "2"}, &current);
  CHECK(mapping.senders_guessed);
  CHECK(mapping.streams[0].participant_ids == std::vector<std::string>{"A"});
  CHECK(mapping.streams[1].participant_ids == std::vector<std::string>{"C"});
}

TEST_CASE("an element under a prefix nobody declared (a vendor id tag) is kept aside, the rest read",
          "[sbc_shapes][metadata]") {
  // AudioCodes' manual shows the Avaya UCID as <ac:AvayaUCID xmlns="urn:...:Avaya">: the ac:
  // prefix is never declared. Not namespace-well-formed, but the SIPREC data is all there.
  const RecordingMetadata md = MustRead(
      "<?xml version='1.0' encoding='UTF-8'?><recording xmlns='urn:ietf:params:xml:ns:recording:1'>"
      "<datamode>complete</datamode><session session_id='C'/>"
      "<participant participant_id='P1'><nameID aor='sip:+48221000001@x'/><send>S1</send></participant>"
      "<ac:AvayaUCID xmlns='urn:ietf:params:xml:ns:Avaya'>00FA080019001038F725B3</ac:AvayaUCID>"
      "<stream stream_id='S1' session_id='C'><label>1</label></stream></recording>");
  CHECK(AorOf(md, "P1") == "sip:+48221000001@x");
  CHECK(md.streams.size() == 1);
  CHECK(md.unknown_xml.find("00FA080019001038F725B3") != std::string::npos);  // kept verbatim
}

TEST_CASE("base64 ids with + / = and the CUBE association elements", "[sbc_shapes][metadata]") {
  const RecordingMetadata md = MustRead(
      "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><datamode>complete</datamode>"
      "<group group_id='g+/A=='><associate-time>2026-12-07T05:00:00Z</associate-time></group>"
      "<session session_id='s+/B=='><group-ref>g+/A==</group-ref></session>"
      "<participant participant_id='p+/C=='><nameID aor='sip:+48221000001@x'/></participant>"
      "<participantsessionassoc participant_id='p+/C==' session_id='s+/B=='>"
      "<associate-time>2026-12-07T05:00:01Z</associate-time></participantsessionassoc>"
      "<stream stream_id='t+/D==' session_id='s+/B=='><label>0</label></stream>"
      "<sessionrecordingassoc session_id='s+/B=='><associate-time>2026-12-07T05:00:02Z</associate-time>"
      "</sessionrecordingassoc>"
      "<participantstreamassoc participant_id='p+/C=='><send>t+/D==</send></participantstreamassoc>"
      "</recording>");
  REQUIRE(md.sessions.size() == 1);
  CHECK(md.sessions[0].group_id == "g+/A==");
  CHECK(md.sessions[0].associate_time == "2026-12-07T05:00:02Z");
  const Participant* p = FindParticipant(md, "p+/C==");
  REQUIRE(p != nullptr);
  CHECK(p->associate_time == "2026-12-07T05:00:01Z");
  CHECK(p->session_ids == std::vector<std::string>{"s+/B=="});
  const StreamMapping mapping = MapStreams({"0"}, &md);
  CHECK(mapping.streams[0].participant_ids == std::vector<std::string>{"p+/C=="});
}

TEST_CASE("a Java-mail style body: quoted boundary with = . and _, a preamble, part headers folded",
          "[sbc_shapes][metadata]") {
  const std::string boundary = "----=_Part_17_1024.1796619600";
  const std::string body =
      "This is a multi-part message in MIME format.\r\n"
      "--" + boundary + "\r\nContent-Type: application/sdp\r\n\r\n"
      "v=0\r\no=- 1 1 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\n"
      "m=audio 40000 RTP/AVP 0\r\na=label:1\r\n"
      "--" + boundary + "\r\nContent-Type: application/rs-metadata+xml;\r\n charset=UTF-8\r\n"
      "Content-Disposition: recording-session\r\n\r\n"
      "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><participant participant_id='P'>"
      "<nameID aor='sip:+48221000001@x'/></participant></recording>\r\n"
      "--" + boundary + "--\r\nepilogue\r\n";
  const Result<SiprecBody> parsed =
      ParseSiprecBody("multipart/mixed; boundary=\"" + boundary + "\"", body);
  if (!parsed.ok()) FAIL(parsed.error().message);
  CHECK(parsed->sdp.find("a=label:1") != std::string::npos);
  REQUIRE(parsed->metadata_xml.has_value());
  CHECK(parsed->metadata_charset == "UTF-8");
  CHECK(AorOf(MustRead(*parsed->metadata_xml, parsed->metadata_charset), "P") == "sip:+48221000001@x");
}

}  // namespace
}  // namespace kronika::sdp
