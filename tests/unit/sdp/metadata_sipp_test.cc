// Every metadata body inside the SIPp scenarios of the interop corpus (157 bodies in 92
// scenarios, Metaswitch, BroadWorks, Webex, Oracle and drachtio SRCs) parses, with the
// participant count, AORs and stream labels a person reads in the scenario text.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "kronika/sdp/metadata_parser.h"
#include "metadata_corpus.h"

namespace kronika::sdp {
namespace {

using metadata_testing::CorpusDir;
using metadata_testing::HaveCorpus;
using metadata_testing::ScenarioMetadataBodies;

struct BodyExpectation {
  const char* mode;    // "complete" / "partial"
  size_t participants;
  const char* aors;    // every nameID aor / <aor>, sorted, '|'-joined
  const char* labels;  // <stream><label> in document order, '|'-joined
};

struct ScenarioExpectation {
  const char* path;  // under interop-corpus/sipp/
  std::vector<BodyExpectation> bodies;
};

// The table was produced by an independent regex scan of the scenario text (not by the
// parser under test) and spot-checked by hand against the scenarios.
// SIPp keywords were substituted as metadata_corpus.h does: [field0 file="tenant-users.csv"]
// -> 1000000001, [field0 file="callee.csv"] -> 1200000001.
const std::vector<ScenarioExpectation>& Expectations() {
  static const std::vector<ScenarioExpectation> kExpectations = {
    {"drachtio/uac_siprec_pcap.xml", {
        {"complete", 2, "sip:101@localhost|sip:6001@localhost", "1|2"},
        {"complete", 2, "sip:101@localhost|sip:6001@localhost", "1|2"},
    }},
    {"drachtio/uac_siprec_pcap2.xml", {
        {"complete", 2, "+16177232500@216.110.2.220|daveh@216.110.2.220", "1|2"},
    }},
    {"drachtio/uac_siprec_pcap_deny.xml", {
        {"complete", 2, "sip:101@localhost|sip:deny@localhost", "1|2"},
    }},
    {"miarecdev/branch-20240801-webex-kamailio/scenarios/cisco_webex_calling/kamailio/inbound_01_proxy.xml", {
        {"complete", 2, "sip:7711@10.155.7.148;user=phone|sip:kculs9klre@44936045.int10.bcld.webex.com", "1|2"},
    }},
    {"miarecdev/branch-20240801-webex-kamailio/scenarios/cisco_webex_calling/kamailio/outbound_01_proxy.xml", {
        {"complete", 2, "sip:7733@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
    }},
    {"miarecdev/branch-20240801-webex-kamailio/scenarios/cisco_webex_calling/kamailio/outbound_blind_xfer_01_proxy.xml", {
        {"complete", 2, "sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 2, "sip:7733@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
    }},
    {"miarecdev/branch-20240801-webex-kamailio/scenarios/cisco_webex_calling/kamailio/outbound_conference_01_proxy.xml", {
        {"complete", 2, "sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 3, "gosrs4isif@44936045.int10.bcld.webex.com|sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 3, "gosrs4isif@44936045.int10.bcld.webex.com|sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 3, "gosrs4isif@44936045.int10.bcld.webex.com|sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 3, "gosrs4isif@44936045.int10.bcld.webex.com|sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 4, "alb25bceji@44936045.int10.bcld.webex.com|gosrs4isif@44936045.int10.bcld.webex.com|sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 4, "alb25bceji@44936045.int10.bcld.webex.com|gosrs4isif@44936045.int10.bcld.webex.com|sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 4, "alb25bceji@44936045.int10.bcld.webex.com|gosrs4isif@44936045.int10.bcld.webex.com|sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
    }},
    {"miarecdev/scenarios/01a_3way_call_initiator_recorded_1.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/01a_3way_call_initiator_recorded_2.xml", {
        {"complete", 2, "7602922410|7602922416", "1"},
    }},
    {"miarecdev/scenarios/01a_3way_call_initiator_recorded_ext_1.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/01a_3way_call_initiator_recorded_ext_2.xml", {
        {"complete", 2, "7602922410|7602922416", "1"},
    }},
    {"miarecdev/scenarios/04c_blind_call_transfer_1.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/04c_blind_call_transfer_2.xml", {
        {"complete", 2, "7602922411|7602922412", "1"},
    }},
    {"miarecdev/scenarios/16_basic_call_inbound.xml", {
        {"complete", 2, "7602922410|7602922416", "1"},
    }},
    {"miarecdev/scenarios/16_basic_call_outbound.xml", {
        {"complete", 2, "7602922410|7602922416", "1"},
    }},
    {"miarecdev/scenarios/16b_basic_calls_outbound.xml", {
        {"complete", 2, "1000000001|1200000001", "1"},
    }},
    {"miarecdev/scenarios/broadworks_3way_call_1.xml", {
        {"complete", 2, "sip:8101@10.21.0.216;user=phone|sip:86074075017412@cloudcalling-e.onestreamnetworks.com", "1"},
        {"complete", 2, "sip:8101@10.21.0.216;user=phone|sip:86074075017412@cloudcalling-e.onestreamnetworks.com", "1"},
        {"complete", 3, "86074075017701@cloudcalling-e.onestreamnetworks.com|sip:8101@10.21.0.216;user=phone|sip:86074075017412@cloudcalling-e.onestreamnetworks.com", "1"},
    }},
    {"miarecdev/scenarios/broadworks_3way_call_2.xml", {
        {"complete", 2, "sip:8101@10.21.0.216;user=phone|sip:86074075017412@cloudcalling-e.onestreamnetworks.com", "1"},
        {"complete", 2, "sip:8101@10.21.0.216;user=phone|sip:86074075017412@cloudcalling-e.onestreamnetworks.com", "1"},
        {"complete", 3, "86074075017701@cloudcalling-e.onestreamnetworks.com|sip:8101@10.21.0.216;user=phone|sip:86074075017412@cloudcalling-e.onestreamnetworks.com", "1"},
        {"complete", 3, "86074075017701@cloudcalling-e.onestreamnetworks.com|sip:8101@10.21.0.216;user=phone|sip:86074075017412@cloudcalling-e.onestreamnetworks.com", "1"},
        {"complete", 2, "86074075017701@cloudcalling-e.onestreamnetworks.com|sip:86074075017412@cloudcalling-e.onestreamnetworks.com", "1"},
    }},
    {"miarecdev/scenarios/broadworks_3way_call_3.xml", {
        {"complete", 2, "sip:3000@10.21.0.216;user=phone|sip:86085911415207@cloudcalling-e.onestreamnetworks.com", "1"},
        {"complete", 2, "sip:3000@10.21.0.216;user=phone|sip:86085911415207@cloudcalling-e.onestreamnetworks.com", "1"},
        {"partial", 3, "sip:3000@10.21.0.216;user=phone|sip:7824@10.21.0.216;user=phone|sip:86085911415207@cloudcalling-e.onestreamnetworks.com", ""},
    }},
    {"miarecdev/scenarios/broadworks_acd.xml", {
        {"complete", 2, "sip:+19015783200@broadcore.com;user=phone|sip:8638254725", "1"},
    }},
    {"miarecdev/scenarios/broadworks_pause_resume.xml", {
        {"complete", 2, "sip:+19015783200@broadcore.com;user=phone|sip:8638254725", "1"},
    }},
    {"miarecdev/scenarios/broadworks_redirect.xml", {
        {"complete", 2, "sip:7202@10.21.0.216;user=phone|sip:86074075008105@cloudcalling-e.onestreamnetworks.com", "1"},
        {"complete", 2, "sip:+12033066424@10.21.0.216;user=phone|sip:86074075008105@cloudcalling-e.onestreamnetworks.com", "1"},
    }},
    {"miarecdev/scenarios/cisco_bib_call_master.xml", {
    }},
    {"miarecdev/scenarios/cisco_bib_call_slave1.xml", {
    }},
    {"miarecdev/scenarios/cisco_cube_network_based_normal_1.xml", {
    }},
    {"miarecdev/scenarios/cisco_cube_network_based_transferred_1.xml", {
    }},
    {"miarecdev/scenarios/cisco_webex_calling/inbound_01.xml", {
        {"complete", 2, "sip:7711@10.155.7.148;user=phone|sip:kculs9klre@44936045.int10.bcld.webex.com", "1|2"},
    }},
    {"miarecdev/scenarios/cisco_webex_calling/outbound_01.xml", {
        {"complete", 2, "sip:7733@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
    }},
    {"miarecdev/scenarios/cisco_webex_calling/outbound_blind_xfer_01.xml", {
        {"complete", 2, "sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 2, "sip:7733@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
    }},
    {"miarecdev/scenarios/cisco_webex_calling/outbound_conference_01.xml", {
        {"complete", 2, "sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 3, "gosrs4isif@44936045.int10.bcld.webex.com|sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 3, "gosrs4isif@44936045.int10.bcld.webex.com|sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 3, "gosrs4isif@44936045.int10.bcld.webex.com|sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 3, "gosrs4isif@44936045.int10.bcld.webex.com|sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 4, "alb25bceji@44936045.int10.bcld.webex.com|gosrs4isif@44936045.int10.bcld.webex.com|sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 4, "alb25bceji@44936045.int10.bcld.webex.com|gosrs4isif@44936045.int10.bcld.webex.com|sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
        {"complete", 4, "alb25bceji@44936045.int10.bcld.webex.com|gosrs4isif@44936045.int10.bcld.webex.com|sip:7722@10.155.7.148;user=phone|sip:yztpfzzvkq@44936045.int10.bcld.webex.com", "1|2"},
    }},
    {"miarecdev/scenarios/metaswitch_01_3way_call/01a_3way_call_callA.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_01_3way_call/01a_3way_call_callB.xml", {
        {"complete", 2, "7602922410|7602922416", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_01_3way_call/01b_3way_call.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_01_3way_call/3pcc_01a_3way_call_callA.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_01_3way_call/3pcc_01a_3way_call_callB.xml", {
        {"complete", 2, "7602922410|7602922416", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_02_attended_xfer/02a_attended_xfer.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_02_attended_xfer/02b_attended_xfer_callA.xml", {
        {"complete", 2, "7602922410|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_02_attended_xfer/02b_attended_xfer_callB.xml", {
        {"complete", 2, "7602922410|7602922412", "1"},
        {"complete", 2, "7602922410|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_02_attended_xfer/02b_attended_xfer_callC.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_02_attended_xfer/3pcc_02b_attended_xfer_master.xml", {
        {"complete", 2, "7602922410|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_02_attended_xfer/3pcc_02b_attended_xfer_slave1.xml", {
        {"complete", 2, "7602922410|7602922412", "1"},
        {"complete", 2, "7602922410|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_02_attended_xfer/3pcc_02b_attended_xfer_slave2.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_04_blind_xfer/04c_blind_xfer_callA.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_04_blind_xfer/04c_blind_xfer_callB.xml", {
        {"complete", 2, "7602922411|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_04_blind_xfer/3pcc_04c_blind_xfer_callA.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_04_blind_xfer/3pcc_04c_blind_xfer_callB.xml", {
        {"complete", 2, "7602922411|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_05_call_park/05a_call_park_callA.xml", {
        {"complete", 2, "7602922410|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_05_call_park/05a_call_park_callB.xml", {
        {"complete", 2, "7602922410|7602922412", "1"},
        {"complete", 2, "7602922410|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_05_call_park/05a_call_park_callC.xml", {
        {"complete", 2, "7602922410|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_05_call_park/05b_call_park.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_05_call_park/05c_call_park.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_05_call_park/3pcc_05a_call_park_master.xml", {
        {"complete", 2, "7602922410|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_05_call_park/3pcc_05a_call_park_slave1.xml", {
        {"complete", 2, "7602922410|7602922412", "1"},
        {"complete", 2, "7602922410|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_05_call_park/3pcc_05a_call_park_slave2.xml", {
        {"complete", 2, "7602922410|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_06_blf_pickup/06a_blf_pickup.xml", {
        {"complete", 2, "7602922410|7602922416", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_07_call_waiting/07a_call_waiting_callA.xml", {
        {"complete", 2, "7602922414|7602922416", "1"},
        {"complete", 2, "7602922414|7602922416", "1"},
        {"complete", 2, "7602922414|7602922416", "1"},
        {"complete", 2, "7602922414|7602922416", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_07_call_waiting/07a_call_waiting_callB.xml", {
        {"complete", 2, "7602922411|7602922414", "1"},
        {"complete", 2, "7602922411|7602922414", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_07_call_waiting/3pcc_07a_call_waiting_callA.xml", {
        {"complete", 2, "7602922414|7602922416", "1"},
        {"complete", 2, "7602922414|7602922416", "1"},
        {"complete", 2, "7602922414|7602922416", "1"},
        {"complete", 2, "7602922414|7602922416", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_07_call_waiting/3pcc_07a_call_waiting_callB.xml", {
        {"complete", 2, "7602922411|7602922414", "1"},
        {"complete", 2, "7602922411|7602922414", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_09_DTMF/09a_DTMF.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_10_g722/10a_g722.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_11_g721/11a_g721.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_12_g729/12a_g729.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_14_nseries_conf/14a_nseries_conf.xml", {
        {"complete", 2, "7602922410|9703060298", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_16_basic_call_recording/16a_basic_call_inbound.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_16_basic_call_recording/16b_basic_call_outbound.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_16_basic_call_recording/16c_basic_call_callA.xml", {
        {"complete", 2, "7602922410|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_16_basic_call_recording/16c_basic_call_callB.xml", {
        {"complete", 2, "7602922410|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_16_basic_call_recording/16g_basic_call_hold.xml", {
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
        {"complete", 2, "7602922410|7602922411", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_16_basic_call_recording/3pcc_16c_basic_call_callA.xml", {
        {"complete", 2, "7602922410|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_16_basic_call_recording/3pcc_16c_basic_call_callB.xml", {
        {"complete", 2, "7602922410|7602922412", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_19_shared_line/19a_shared_line_callA.xml", {
        {"complete", 2, "7602922414|7602922416", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_19_shared_line/19a_shared_line_callB.xml", {
        {"complete", 2, "7602922411|7602922414", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_19_shared_line/19b_shared_line_callA.xml", {
        {"complete", 2, "7602922411|7602922414", "1"},
        {"complete", 2, "7602922411|7602922414", "1"},
        {"complete", 2, "7602922411|7602922414", "1"},
        {"complete", 2, "7602922411|7602922414", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_19_shared_line/19b_shared_line_callB.xml", {
        {"complete", 2, "7602922411|7602922414", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_19_shared_line/19c_shared_line.xml", {
        {"complete", 2, "7602922410|7602922417", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_19_shared_line/3pcc_19a_shared_line_callA.xml", {
        {"complete", 2, "7602922414|7602922416", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_19_shared_line/3pcc_19a_shared_line_callB.xml", {
        {"complete", 2, "7602922411|7602922414", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_19_shared_line/3pcc_19b_shared_line_callA.xml", {
        {"complete", 2, "7602922411|7602922414", "1"},
        {"complete", 2, "7602922411|7602922414", "1"},
        {"complete", 2, "7602922411|7602922414", "1"},
        {"complete", 2, "7602922411|7602922414", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_19_shared_line/3pcc_19b_shared_line_callB.xml", {
        {"complete", 2, "7602922411|7602922414", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_22_voicemail/22a_voicemail.xml", {
        {"complete", 2, "7602922411|7603213210", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_22_voicemail/22b_voicemail.xml", {
        {"complete", 2, "7602922410]|7603213210", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_23_mlhg/23a_mlhg.xml", {
        {"complete", 2, "7602922410|7602922416", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_23_mlhg/23b_mlhg.xml", {
        {"complete", 2, "7602922416|7603213210", "1"},
    }},
    {"miarecdev/scenarios/metaswitch_24_call_pickup/24a_call_pickup.xml", {
        {"complete", 2, "7602922410|7602922416", "1"},
    }},
    {"miarecdev/scenarios/mlhg_blind_call_transfer_1.xml", {
        {"complete", 2, "6127679107|6517897688", "1"},
        {"complete", 2, "6127679107|6517897688", "1"},
    }},
    {"miarecdev/scenarios/mlhg_blind_call_transfer_2.xml", {
        {"complete", 2, "6127673990|7632869237", "1"},
    }},
    {"miarecdev/scenarios/mlhg_inbound_call.xml", {
        {"complete", 2, "3122659612|9999999992", "1"},
    }},
    {"miarecdev/scenarios/oracle_sbc_basic_calls_outbound.xml", {
        {"complete", 2, "sip:1000000001@192.168.50.102|sip:1200000001@192.168.50.10", "16777227"},
    }},
    {"miarecdev/scenarios/rmtop_blind_call_transfer_1.xml", {
        {"complete", 2, "6127679107|7632869237", "1"},
        {"complete", 2, "6127679107|7632869237", "1"},
    }},
    {"miarecdev/scenarios/rmtop_blind_call_transfer_2.xml", {
        {"complete", 2, "6517897677|7632869237", "1"},
    }},
    {"miarecdev/scenarios/voicemail_call.xml", {
        {"complete", 2, "3122659612|9999999992", "1"},
    }},
  };
  return kExpectations;
}

std::string Join(std::vector<std::string> parts, bool sort) {
  if (sort) std::sort(parts.begin(), parts.end());
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += "|";
    out += p;
  }
  return out;
}

TEST_CASE("Every SIPp scenario's metadata body parses to what the scenario says",
          "[metadata][sipp][needs-corpus]") {
  if (!HaveCorpus()) {
    WARN(metadata_testing::kNoCorpus);
    return;
  }
  std::filesystem::path root = CorpusDir() / "sipp";
  std::map<std::string, const ScenarioExpectation*> by_path;
  for (const ScenarioExpectation& e : Expectations()) by_path[e.path] = &e;

  size_t scenarios = 0;
  size_t bodies = 0;
  for (const auto& path : metadata_testing::FilesUnder(root, ".xml")) {
    std::string name = std::filesystem::relative(path, root).generic_string();
    INFO("scenario " << name);
    auto expected = by_path.find(name);
    REQUIRE(expected != by_path.end());
    std::vector<std::string> xmls = ScenarioMetadataBodies(path);
    REQUIRE(xmls.size() == expected->second->bodies.size());
    for (size_t i = 0; i < xmls.size(); ++i) {
      INFO("metadata body " << i + 1);
      const BodyExpectation& want = expected->second->bodies[i];
      Result<RecordingMetadata> md = ParseRecordingMetadata(xmls[i]);
      if (!md.ok()) FAIL(md.error().message << "\n" << xmls[i]);
      CHECK((md->mode == DataMode::kPartial ? "partial" : "complete") ==
            std::string(want.mode));
      CHECK(md->participants.size() == want.participants);
      std::vector<std::string> aors;
      for (const Participant& p : md->participants) {
        for (const NameId& n : p.names) aors.push_back(n.aor);
      }
      CHECK(Join(aors, true) == want.aors);
      std::vector<std::string> labels;
      for (const Stream& s : md->streams) labels.push_back(s.label);
      CHECK(Join(labels, false) == want.labels);
      ++bodies;
    }
    ++scenarios;
  }
  CHECK(scenarios == Expectations().size());
  CHECK(bodies == 157);
}

// A few scenarios read in full: who sends on which stream.
const Participant* ByAor(const RecordingMetadata& md, std::string_view aor) {
  for (const Participant& p : md.participants) {
    for (const NameId& n : p.names) {
      if (n.aor == aor) return &p;
    }
  }
  return nullptr;
}

TEST_CASE("SIPp Oracle SBC scenario: caller from the CSV sends on label 16777227",
          "[metadata][sipp][needs-corpus]") {
  if (!HaveCorpus()) {
    WARN(metadata_testing::kNoCorpus);
    return;
  }
  auto xmls = ScenarioMetadataBodies(CorpusDir() /
                                     "sipp/miarecdev/scenarios/oracle_sbc_basic_calls_outbound.xml");
  REQUIRE(xmls.size() == 1);
  Result<RecordingMetadata> md = ParseRecordingMetadata(xmls[0]);
  REQUIRE(md.ok());
  const Participant* caller = ByAor(*md, "sip:1000000001@192.168.50.102");
  REQUIRE(caller != nullptr);
  CHECK(caller->names[0].name == "1000000001");
  CHECK(caller->extension_xml.find("<apkt:realm>peer-clients</apkt:realm>") != std::string::npos);
  REQUIRE(md->streams.size() == 1);
  CHECK(md->streams[0].label == "16777227");
  CHECK(SendersOf(*md, md->streams[0].id) == std::vector<std::string>{caller->id});
  // The callee sends on a stream the metadata never describes.
  const Participant* callee = ByAor(*md, "sip:1200000001@192.168.50.10");
  REQUIRE(callee != nullptr);
  CHECK(callee->send_stream_ids == std::vector<std::string>{"lSdEQtpcQkpX8s6RZAnC6A=="});
  CHECK(FindStream(*md, "lSdEQtpcQkpX8s6RZAnC6A==") == nullptr);
}

TEST_CASE("SIPp Metaswitch scenario: both parties send and receive the one mixed stream",
          "[metadata][sipp][needs-corpus]") {
  if (!HaveCorpus()) {
    WARN(metadata_testing::kNoCorpus);
    return;
  }
  auto xmls = ScenarioMetadataBodies(
      CorpusDir() / "sipp/miarecdev/scenarios/metaswitch_16_basic_call_recording/16a_basic_call_inbound.xml");
  REQUIRE(xmls.size() == 1);
  Result<RecordingMetadata> md = ParseRecordingMetadata(xmls[0]);
  REQUIRE(md.ok());
  CHECK(md->ns == "urn:ietf:params:xml:ns:recording");
  REQUIRE(md->streams.size() == 1);
  CHECK(md->streams[0].id == "1cgfauKKEeajkuyezQV3BA==");  // id= beside session_id=
  CHECK(SendersOf(*md, md->streams[0].id).size() == 2);
  CHECK(ByAor(*md, "7602922411")->names[0].name == "7602922411");
  REQUIRE(md->extensions.size() == 1);
  CHECK(md->extensions[0].parent.empty());
  CHECK(md->extensions[0].xml.find("<recordedParty>+17602922410</recordedParty>") !=
        std::string::npos);
}

}  // namespace
}  // namespace kronika::sdp
