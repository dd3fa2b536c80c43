// MapStreams: which participant ends up on which channel, for synthetic cases, for every
// vendor body (through the real body splitter and SDP parser) and for the SIPp scenarios
// whose labels disagree with their metadata.
#include "kronika/sdp/stream_mapping.h"

#include <catch2/catch.hpp>

#include "kronika/sdp/metadata_parser.h"
#include "kronika/sdp/sdp_offer.h"
#include "kronika/sdp/siprec_body.h"
#include "metadata_corpus.h"

namespace kronika::sdp {
namespace {

using metadata_testing::CorpusDir;
using metadata_testing::HaveCorpus;
using metadata_testing::ReadFile;
using metadata_testing::ScenarioMetadataBodies;

#define REQUIRE_CORPUS()               \
  if (!HaveCorpus()) {                 \
    WARN(metadata_testing::kNoCorpus); \
    return;                            \
  }

// "aor" of each participant id, '|'-joined: what a person sees on a channel.
std::string Who(const RecordingMetadata& md, const StreamAssignment& a) {
  std::string out;
  for (const std::string& id : a.participant_ids) {
    const Participant* p = FindParticipant(md, id);
    if (!out.empty()) out += "|";
    out += (p == nullptr || p->names.empty()) ? id : p->names.front().aor;
  }
  return out;
}

RecordingMetadata Parse(const std::string& xml) {
  Result<RecordingMetadata> md = ParseRecordingMetadata(xml);
  REQUIRE(md.ok());
  return std::move(md).value();
}

// Splits a stored vendor body the way the SIP layer will: Content-Type from its boundary.
struct VendorCall {
  std::vector<std::string> labels;
  RecordingMetadata metadata;
};

VendorCall LoadVendor(const std::string& relative) {
  std::string body = ReadFile(CorpusDir() / "vendor-bodies" / relative);
  size_t dashes = body.find("--");
  REQUIRE(dashes != std::string::npos);
  size_t eol = body.find_first_of(" \r\n", dashes);
  std::string content_type =
      "multipart/mixed;boundary=" + body.substr(dashes + 2, eol - dashes - 2);
  Result<SiprecBody> split = ParseSiprecBody(content_type, body);
  INFO(relative << ": " << (split.ok() ? "" : split.error().message));
  REQUIRE(split.ok());
  REQUIRE(split->metadata_xml.has_value());
  Result<SdpOffer> offer = ParseSdpOffer(split->sdp);
  REQUIRE(offer.ok());
  VendorCall call;
  for (const OfferedStream& s : offer->streams) call.labels.push_back(s.label);
  call.metadata = Parse(*split->metadata_xml);
  return call;
}

// ---------------------------------------------------------------- synthetic

constexpr const char* kTwoLegs = R"(<recording xmlns="urn:ietf:params:xml:ns:recording:1">
  <participant participant_id="A"><nameID aor="sip:alice@a"/></participant>
  <participant participant_id="B"><nameID aor="sip:bob@b"/></participant>
  <stream stream_id="SA" session_id="X"><label>10</label></stream>
  <stream stream_id="SB" session_id="X"><label>20</label></stream>
  <participantstreamassoc participant_id="A"><send>SA</send><recv>SB</recv></participantstreamassoc>
  <participantstreamassoc participant_id="B"><send>SB</send><recv>SA</recv></participantstreamassoc>
</recording>)";

TEST_CASE("Labels decide the channel, not the m-line order", "[stream_mapping]") {
  RecordingMetadata md = Parse(kTwoLegs);
  StreamMapping m = MapStreams({"20", "10"}, &md);
  CHECK_FALSE(m.fallback_used);
  CHECK(m.fallback_reason.empty());
  REQUIRE(m.streams.size() == 2);
  CHECK(m.streams[0].stream_id == "SB");
  CHECK(Who(md, m.streams[0]) == "sip:bob@b");
  CHECK(m.streams[0].channel == kChannelLeft);
  CHECK(Who(md, m.streams[1]) == "sip:alice@a");
  CHECK(m.streams[1].channel == kChannelRight);
}

TEST_CASE("Missing or repeated labels fall back to m-line order and say so", "[stream_mapping]") {
  RecordingMetadata md = Parse(kTwoLegs);
  StreamMapping missing = MapStreams({"", ""}, &md);
  CHECK(missing.fallback_used);
  CHECK(missing.fallback_reason == "m-line 1 has no a=label; m-line 2 has no a=label");
  CHECK(Who(md, missing.streams[0]) == "sip:alice@a");
  CHECK(Who(md, missing.streams[1]) == "sip:bob@b");

  StreamMapping repeated = MapStreams({"10", "10"}, &md);
  CHECK(repeated.fallback_used);
  CHECK(repeated.fallback_reason ==
        "SDP label 10 (m-line 1) is repeated; SDP label 10 (m-line 2) is repeated");
}

TEST_CASE("Without metadata the m-line order is all there is", "[stream_mapping]") {
  StreamMapping m = MapStreams({"1", "2", "3"}, nullptr);
  CHECK(m.fallback_used);
  CHECK(m.fallback_reason == "no metadata: streams taken in m-line order");
  REQUIRE(m.streams.size() == 3);
  CHECK(m.streams[0].channel == kChannelLeft);
  CHECK(m.streams[1].channel == kChannelRight);
  CHECK(m.streams[2].channel == kChannelMixedMono);  // a third leg goes into both
  CHECK(m.streams[2].label == "3");
  CHECK(MapStreams({}, nullptr).streams.empty());
}

// ---------------------------------------------------------------- vendor bodies

TEST_CASE("Acme: 16777227 is the caller 9000 on the left, 16777228 callee 1002 right",
          "[stream_mapping][needs-corpus]") {
  REQUIRE_CORPUS();
  VendorCall call = LoadVendor("oracle-acme/acme-siprec-offer.txt");
  CHECK(call.labels == std::vector<std::string>{"16777227", "16777228"});
  StreamMapping m = MapStreams(call.labels, &call.metadata);
  CHECK_FALSE(m.fallback_used);
  CHECK_FALSE(m.mixed_single_stream);
  CHECK(Who(call.metadata, m.streams[0]) == "sip:9000@192.168.50.102");
  CHECK(m.streams[0].channel == kChannelLeft);
  CHECK(Who(call.metadata, m.streams[1]) == "sip:1002@192.168.50.10");
  CHECK(m.streams[1].channel == kChannelRight);
}

TEST_CASE("Every vendor body maps each m-line to the sender a person reads", "[stream_mapping][needs-corpus]") {
  REQUIRE_CORPUS();
  struct Case {
    const char* body;
    const char* left;
    const char* right;
    bool guessed;
  };
  const Case kCases[] = {
      {"oracle-acme/acme-in-avaya-env-siprec-offer.txt", "sip:31624895902@10.10.128.62",
       "sip:33187164021@sip.webhelpgroupe.lan", false},
      {"oracle-acme/acme-siprec-offer-quoted-name.txt", "sip:22938884455@216.128.192.36",
       "sip:+12298558585@216.128.192.137", false},
      {"broadworks/broadworks-recording-metadata-offer.txt", "sip:user1001@example.test",
       "sip:15550001002@192.0.2.10;user=phone", false},
      {"broadworks/broadworks-termcall-recording-metadata-offer.txt", "sip:user1001@example.test",
       "sip:+15550001002@192.0.2.10;user=phone", false},
      {"broadworks/broadworks-lineport-recording-metadata-offer.txt", "sip:fred@vwave.net",
       "sip:+12295556666@vwave.net", false},
      {"cisco-cube/cisco-siprec-offer.txt", "sip:7301@35.162.237.204", "sip:7300@35.162.237.204",
       false},
      // a=inactive from the start, empty <participantstreamassoc>: nobody sends yet.
      {"cisco-cube/inactive-sdp-offer.txt", "", "", false},
      // No stream association at all: participants in document order, flagged.
      {"opensips-connectel/connectel-offer.txt", "sip:0771121212@52.57.92.239",
       "sip:0760516936@sip-cust1.connectel.io", true},
      {"opensips-connectel/connectel-offer2.txt", "sip:0771121212@52.57.92.239",
       "sip:0760516936@sip-cust1.connectel.io", true},
      {"opensips-connectel/connectel-offer3.txt", "sip:0771121212@52.57.92.239",
       "sip:0760516936@sip-cust1.connectel.io", true},
      // Non-numeric labels that agree with the metadata are not a fallback.
      {"sems-procomm/procomm-siprec-offer.txt", "sip:016190200@87.252.209.116",
       "Extension-016190619@speechpath.ie", false},
      // Sonus: the first m-line (label 1) carries the far end, not "Extension 8500".
      {"sonus-ribbon/sonus-siprec-offer.txt", "2249888012@172.16.195.72",
       "2249888500@172.16.198.55", false},
  };
  for (const Case& c : kCases) {
    SECTION(c.body) {
      VendorCall call = LoadVendor(c.body);
      StreamMapping m = MapStreams(call.labels, &call.metadata);
      INFO(m.fallback_reason);
      CHECK_FALSE(m.fallback_used);
      REQUIRE(m.streams.size() == 2);
      CHECK(Who(call.metadata, m.streams[0]) == c.left);
      CHECK(Who(call.metadata, m.streams[1]) == c.right);
      CHECK(m.senders_guessed == c.guessed);
    }
  }
}

// ---------------------------------------------------------------- SIPp scenarios

RecordingMetadata FirstScenarioMetadata(const std::string& relative) {
  auto xmls = ScenarioMetadataBodies(CorpusDir() / "sipp" / relative);
  REQUIRE_FALSE(xmls.empty());
  return Parse(xmls.front());
}

TEST_CASE("Oracle SIPp scenario: second m-line unknown to the metadata is reported",
          "[stream_mapping][needs-corpus]") {
  REQUIRE_CORPUS();
  RecordingMetadata md =
      FirstScenarioMetadata("miarecdev/scenarios/oracle_sbc_basic_calls_outbound.xml");
  // The scenario's SDP carries a=label:16777227 and (in a stray second SDP) a=label:1.
  StreamMapping m = MapStreams({"16777227", "1"}, &md);
  CHECK(m.fallback_used);
  CHECK(m.fallback_reason ==
        "SDP label 1 (m-line 2) not in metadata; metadata describes 1 stream for 2 m-lines");
  CHECK(Who(md, m.streams[0]) == "sip:1000000001@192.168.50.102");
  CHECK(m.streams[0].stream_id == "asxhG1ffR6NMHhsVijr/yg==");
  // The callee sends on a stream id no <stream> describes: it must be the other m-line.
  CHECK(m.streams[1].stream_id.empty());
  CHECK(Who(md, m.streams[1]) == "sip:1200000001@192.168.50.10");
  CHECK(m.streams[1].channel == kChannelRight);
}

TEST_CASE("drachtio SIPp UAC: a_leg/b_leg against metadata labels 1/2 falls back",
          "[stream_mapping][needs-corpus]") {
  REQUIRE_CORPUS();
  RecordingMetadata md = FirstScenarioMetadata("drachtio/uac_siprec_pcap.xml");
  StreamMapping m = MapStreams({"a_leg", "b_leg"}, &md);
  CHECK(m.fallback_used);
  CHECK(m.fallback_reason ==
        "SDP label a_leg (m-line 1) not in metadata; SDP label b_leg (m-line 2) not in "
        "metadata");
  CHECK(m.streams[0].stream_id == "1LiAtnDVR9m469/0L4bwCA==");  // metadata label 1
  CHECK(m.streams[1].stream_id == "WJgj5uxeRH+nwUah02dWqg==");  // metadata label 2
  CHECK(m.senders_guessed);
  CHECK(Who(md, m.streams[0]) == "sip:6001@localhost");
  CHECK(Who(md, m.streams[1]) == "sip:101@localhost");
}

TEST_CASE("Metaswitch SIPp: one mixed m-line carries both parties in mono", "[stream_mapping][needs-corpus]") {
  REQUIRE_CORPUS();
  RecordingMetadata md = FirstScenarioMetadata(
      "miarecdev/scenarios/metaswitch_16_basic_call_recording/16a_basic_call_inbound.xml");
  StreamMapping m = MapStreams({"1"}, &md);
  CHECK(m.mixed_single_stream);
  CHECK_FALSE(m.fallback_used);
  REQUIRE(m.streams.size() == 1);
  CHECK(m.streams[0].channel == kChannelMixedMono);
  CHECK(Who(md, m.streams[0]) == "7602922411|7602922410");
  CHECK_FALSE(m.senders_guessed);
}

TEST_CASE("Webex SIPp: one m-line, metadata describing two streams, is a mono mix of both",
          "[stream_mapping][needs-corpus]") {
  REQUIRE_CORPUS();
  RecordingMetadata md =
      FirstScenarioMetadata("miarecdev/scenarios/cisco_webex_calling/inbound_01.xml");
  StreamMapping m = MapStreams({"1"}, &md);
  CHECK(m.mixed_single_stream);
  CHECK(m.fallback_used);
  CHECK(m.fallback_reason == "metadata describes 2 streams for 1 m-line");
  CHECK(Who(md, m.streams[0]) ==
        "sip:kculs9klre@44936045.int10.bcld.webex.com|sip:7711@10.155.7.148;user=phone");
}

}  // namespace
}  // namespace kronika::sdp
