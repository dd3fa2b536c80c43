#include "siprec_offer.h"

#include <cstdio>

namespace kronika::loadgen {
namespace {

std::string CallerNumber(int call_index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+4822%07d", call_index % 10'000'000);
  return buf;
}

std::string Metadata(int call_index) {
  const std::string caller = CallerNumber(call_index);
  const std::string office = "sip:" + std::to_string(100 + call_index % 900) + "@office.example.pl";
  const std::string n = std::to_string(call_index);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
         "<recording xmlns=\"urn:ietf:params:xml:ns:recording:1\">\r\n"
         "  <datamode>complete</datamode>\r\n"
         "  <session session_id=\"sess" + n + "\"><sipSessionID>call-" + n + "@sbc</sipSessionID></session>\r\n"
         "  <participant participant_id=\"caller" + n + "\"><nameID aor=\"sip:" + caller +
         "@pstn.example.pl;user=phone\"><name>Caller " + n + "</name></nameID></participant>\r\n"
         "  <participant participant_id=\"office" + n + "\"><nameID aor=\"" + office +
         "\"><name>Urzednik " + n + "</name></nameID></participant>\r\n"
         "  <stream stream_id=\"s1-" + n + "\" session_id=\"sess" + n + "\"><label>1</label></stream>\r\n"
         "  <stream stream_id=\"s2-" + n + "\" session_id=\"sess" + n + "\"><label>2</label></stream>\r\n"
         "  <participantstreamassoc participant_id=\"caller" + n + "\"><send>s1-" + n +
         "</send><recv>s2-" + n + "</recv></participantstreamassoc>\r\n"
         "  <participantstreamassoc participant_id=\"office" + n + "\"><send>s2-" + n +
         "</send><recv>s1-" + n + "</recv></participantstreamassoc>\r\n"
         "</recording>\r\n";
}

}  // namespace

std::string MultipartContentType() { return std::string("multipart/mixed;boundary=") + kBoundary; }

std::string SiprecOfferBody(const OfferParams& p) {
  const std::string direction = p.paused ? "a=inactive\r\n" : "a=sendonly\r\n";
  const std::string port = std::to_string(p.rtp_port);
  std::string sdp = "v=0\r\no=loadgen " + std::to_string(p.call_index) + " 1 IN IP4 " + p.local_ip +
                    "\r\ns=-\r\nc=IN IP4 " + p.local_ip + "\r\nt=0 0\r\n";
  const CodecSpec& codec = CodecSpecOf(p.codec);
  const std::string pt = std::to_string(codec.payload_type);
  const std::string protocol = p.srtp_key.empty() ? "RTP/AVP" : "RTP/SAVP";
  for (int label = 1; label <= 2; ++label) {
    sdp += "m=audio " + port + " " + protocol + " " + pt + " 101\r\na=rtpmap:" + pt + " " + std::string(codec.rtpmap) + "\r\n";
    if (!codec.fmtp.empty()) sdp += "a=fmtp:" + pt + " " + std::string(codec.fmtp) + "\r\n";
    sdp += "a=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n";
    if (!p.srtp_key.empty()) sdp += "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + p.srtp_key + "\r\n";
    sdp += "a=label:" + std::to_string(label) + "\r\n" + direction;
  }
  std::string body = std::string("--") + kBoundary + "\r\nContent-Type: application/sdp\r\n\r\n" + sdp;
  if (p.include_metadata) {
    body += std::string("--") + kBoundary +
            "\r\nContent-Type: application/rs-metadata+xml\r\nContent-Disposition: recording-session\r\n\r\n" +
            Metadata(p.call_index);
  }
  body += std::string("--") + kBoundary + "--\r\n";
  return body;
}

std::string MetadataUpdateBody(int call_index) {
  const std::string n = std::to_string(call_index);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
         "<recording xmlns=\"urn:ietf:params:xml:ns:recording:1\">\r\n"
         "  <datamode>partial</datamode>\r\n"
         "  <participant participant_id=\"transfer" + n + "\"><nameID aor=\"sip:+48601" +
         std::to_string(100000 + call_index % 900000) + "@pstn.example.pl;user=phone\"><name>Transfer " + n +
         "</name></nameID></participant>\r\n"
         "</recording>\r\n";
}

}  // namespace kronika::loadgen
