#include "seed_shapes.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <map>
#include <pugixml.hpp>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include "kronika/sdp/siprec_body.h"
#include "pcap_packets.h"
#include "rtp_leg_script.h"

namespace kronika::fuzz {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxSipMessagesPerPcap = 300;
constexpr size_t kMaxRtpStreamsPerPcap = 4;
constexpr size_t kMinRtpStreamPackets = 10;
constexpr size_t kRtpWindowPackets = 24;

std::string ReadAll(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Regular files under `dir` whose name ends in `suffix`, sorted.
std::vector<fs::path> FilesUnder(const fs::path &dir, std::string_view suffix) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return files;
  for (const auto &entry : fs::recursive_directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Name(const fs::path &path, const fs::path &corpus, size_t n) {
  return fs::relative(path, corpus).generic_string() + "#" + std::to_string(n);
}

std::string LfToCrlf(std::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// multipart/mixed with the boundary of the body's first "--" line, else
// application/sdp (the vendor bodies are stored without their SIP headers).
std::string ContentTypeOfStoredBody(const std::string &body) {
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("--", 0) != 0) continue;
    std::string boundary = line.substr(2);
    while (!boundary.empty() && std::isspace(static_cast<unsigned char>(boundary.back())))
      boundary.pop_back();
    return "multipart/mixed;boundary=" + boundary;
  }
  return "application/sdp";
}

std::string Invite(const std::string &content_type, const std::string &body, size_t n) {
  const std::string id = std::to_string(n);
  return "INVITE sip:srs@127.0.0.1:5060 SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-seed-" +
         id +
         ";rport\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:+48221234567@127.0.0.1>;tag=seed" +
         id +
         "\r\n"
         "To: <sip:srs@127.0.0.1>\r\n"
         "Call-ID: seed-" +
         id +
         "@127.0.0.1\r\n"
         "CSeq: 1 INVITE\r\n"
         "Contact: <sip:src@127.0.0.1:5070>;+sip.src\r\n"
         "Require: siprec\r\n"
         "Content-Type: " +
         content_type +
         "\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// --- SIPp scenarios ---

// What SIPp puts in place of a keyword ([local_ip], [media_port+2] ...); [len]
// is done after the body is known.
std::string SippKeyword(std::string_view keyword, size_t n) {
  const std::string_view name = keyword.substr(0, keyword.find_first_of("+-:"));
  if (name == "local_ip" || name == "remote_ip" || name == "media_ip" || name == "server_ip")
    return "127.0.0.1";
  if (name == "local_ip_type" || name == "media_ip_type") return "4";
  if (name == "local_port" || name == "remote_port" || name == "server_port") return "5060";
  if (name == "media_port" || name == "auto_media_port") return "6000";
  if (name == "transport") return "UDP";
  if (name == "call_id") return "sipp-" + std::to_string(n) + "@127.0.0.1";
  if (name == "branch") return "z9hG4bK-sipp-" + std::to_string(n);
  if (name == "pid") return "4242";
  if (name == "service") return "srs";
  if (name == "peer_tag_param") return ";tag=peer" + std::to_string(n);
  if (name.rfind("last_", 0) == 0) return "";
  return "1";
}

std::string SubstituteSippKeywords(std::string_view text, size_t n) {
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    const size_t open = text.find('[', at);
    const size_t close = open == std::string_view::npos ? open : text.find(']', open);
    if (close == std::string_view::npos) {
      out += text.substr(at);
      break;
    }
    out += text.substr(at, open - at);
    const std::string_view keyword = text.substr(open + 1, close - open - 1);
    const bool is_keyword = !keyword.empty() && std::all_of(keyword.begin(), keyword.end(), [](char c) {
      return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
             c == '_' || c == '+' || c == '-' || c == ':';
    });
    out += is_keyword && keyword != "len" ? SippKeyword(keyword, n)
                                          : std::string(text.substr(open, close - open + 1));
    at = close + 1;
  }
  return out;
}

// The request SIPp sends for a <send> element's text; nullopt for responses and
// empties.
std::optional<std::string> SippRequest(const std::string &cdata, size_t n) {
  std::vector<std::string> lines;
  std::istringstream in(SubstituteSippKeywords(cdata, n));
  std::string line;
  while (std::getline(in, line)) {
    const size_t first = line.find_first_not_of(" \t\r");
    const size_t last = line.find_last_not_of(" \t\r");
    lines.push_back(first == std::string::npos ? "" : line.substr(first, last - first + 1));
  }
  size_t i = 0;
  while (i < lines.size() && lines[i].empty()) ++i;
  if (i == lines.size() || lines[i].rfind("SIP/2.0", 0) == 0) return std::nullopt;
  std::string head;
  for (; i < lines.size() && !lines[i].empty(); ++i) head += lines[i] + "\r\n";
  std::string body;
  for (++i; i < lines.size(); ++i) body += lines[i] + "\r\n";
  while (body.size() >= 4 && body.compare(body.size() - 4, 4, "\r\n\r\n") == 0) body.resize(body.size() - 2);
  const std::string len = std::to_string(body.size());
  for (size_t at = head.find("[len]"); at != std::string::npos; at = head.find("[len]", at)) {
    head.replace(at, 5, len);
  }
  return head + "\r\n" + body;
}

std::vector<std::pair<fs::path, std::string>> SippRequests(const fs::path &corpus) {
  std::vector<std::pair<fs::path, std::string>> out;
  size_t n = 0;
  for (const fs::path &file : FilesUnder(corpus / "sipp", ".xml")) {
    pugi::xml_document doc;
    if (!doc.load_file(file.c_str())) continue;
    for (const pugi::xpath_node &send : doc.select_nodes("//send")) {
      if (std::optional<std::string> request = SippRequest(send.node().child_value(), ++n)) {
        out.emplace_back(file, std::move(*request));
      }
    }
  }
  return out;
}

// Content-Type and body of a whole message ("" when it has no Content-Type).
std::pair<std::string, std::string> ContentOf(const std::string &message) {
  const size_t end = message.find("\r\n\r\n");
  if (end == std::string::npos) return {};
  std::istringstream head(message.substr(0, end));
  std::string line;
  std::string type;
  while (std::getline(head, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char &c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (name == "content-type" || name == "c") {
      type = line.substr(colon + 1);
      while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.erase(0, 1);
      while (!type.empty() && (type.back() == '\r' || type.back() == ' ')) type.pop_back();
    }
  }
  return {type, message.substr(end + 4)};
}

// Every SIPREC body of the corpus (vendor bodies in LF and CRLF, SIPp requests)
// with its source file, as Content-Type + body.
struct CorpusBody {
  fs::path file;
  std::string content_type;
  std::string body;
};

std::vector<CorpusBody> CorpusBodies(const fs::path &corpus) {
  std::vector<CorpusBody> out;
  for (const fs::path &file : FilesUnder(corpus / "vendor-bodies", "")) {
    const std::string lf = ReadAll(file);
    out.push_back({file, ContentTypeOfStoredBody(lf), lf});
    out.push_back({file, ContentTypeOfStoredBody(lf), LfToCrlf(lf)});
  }
  for (auto &[file, request] : SippRequests(corpus)) {
    auto [type, body] = ContentOf(request);
    if (!type.empty() && !body.empty()) out.push_back({file, type, body});
  }
  return out;
}

// --- pcaps ---

bool LooksLikeSipRequest(const std::string &payload) {
  const size_t line_end = payload.find("\r\n");
  if (line_end == std::string::npos || line_end < 12) return false;
  const std::string_view line(payload.data(), line_end);
  return std::isupper(static_cast<unsigned char>(line[0])) && line.find(' ') != std::string_view::npos &&
         line.substr(line.size() - 7) == "SIP/2.0";
}

bool LooksLikeRtp(const std::string &payload) {
  if (payload.size() < 12) return false;
  const uint8_t b0 = static_cast<uint8_t>(payload[0]);
  const uint8_t pt = static_cast<uint8_t>(payload[1]) & 0x7f;
  return (b0 >> 6) == 2 && (pt < 72 || pt > 76);
}

std::vector<SeedInput> PcapSipMessages(const fs::path &corpus) {
  std::vector<SeedInput> out;
  for (const fs::path &pcap : FilesUnder(corpus, ".pcap")) {
    std::set<std::string> seen;
    for (const UdpDatagram &d : ReadUdpDatagrams(pcap)) {
      if (seen.size() >= kMaxSipMessagesPerPcap) break;
      if (LooksLikeSipRequest(d.payload) && seen.insert(d.payload).second) {
        out.push_back({Name(pcap, corpus, seen.size()), d.payload});
      }
    }
  }
  return out;
}

// FuzzRtpLeg scripts from the RTP streams (by destination port) of each pcap:
// windows of kRtpWindowPackets packets, the first of each stream and one where
// its payload type changes (DTMF, comfort noise, a codec switch), each plain
// with all codecs accepted and again as SRTP the harness protects. Short
// windows keep a fuzz run fast (the decoders run under the sanitizers) while
// the mutations still meet real codec payloads.
std::vector<SeedInput> PcapRtpStreams(const fs::path &corpus) {
  namespace script = rtp_script;
  std::vector<SeedInput> out;
  for (const fs::path &pcap : FilesUnder(corpus, ".pcap")) {
    std::map<uint16_t, std::vector<const UdpDatagram *>> streams;
    const std::vector<UdpDatagram> datagrams = ReadUdpDatagrams(pcap);
    for (const UdpDatagram &d : datagrams) {
      if (LooksLikeRtp(d.payload) && !LooksLikeSipRequest(d.payload))
        streams[d.destination_port].push_back(&d);
    }
    size_t taken = 0;
    for (const auto &[port, packets] : streams) {
      if (packets.size() < kMinRtpStreamPackets || taken == kMaxRtpStreamsPerPcap) continue;
      ++taken;
      std::vector<size_t> starts = {0};
      for (size_t i = 1; i < packets.size(); ++i) {
        if ((packets[i]->payload[1] & 0x7f) != (packets[i - 1]->payload[1] & 0x7f)) {
          starts.push_back(i > 4 ? i - 4 : 0);
          break;
        }
      }
      for (size_t start : starts) {
        std::string plain(1, static_cast<char>(script::kCodecSetAll));
        std::string srtp(1, static_cast<char>(script::kCodecSetAll | (1 << script::kSrtpShift)));
        int64_t previous_us = packets[start]->time_us;
        for (size_t i = start; i < packets.size() && i < start + kRtpWindowPackets; ++i) {
          const int delta_ms = static_cast<int>((packets[i]->time_us - previous_us) / 1000);
          previous_us = packets[i]->time_us;
          script::AppendDatagram(plain, script::kOpDatagram, delta_ms, packets[i]->payload);
          script::AppendDatagram(srtp, script::kOpProtected, delta_ms, packets[i]->payload);
          if (i % 5 == 4) {
            script::AppendDrain(plain, 0);
            script::AppendDrain(srtp, 0);
          }
        }
        const std::string name = Name(pcap, corpus, port) + "@" + std::to_string(start);
        out.push_back({name, std::move(plain)});
        out.push_back({name + "-srtp", std::move(srtp)});
      }
    }
  }
  return out;
}

}  // namespace

std::vector<SeedInput> ShapeSeeds(SeedShape shape, const fs::path &source_dir, const fs::path &corpus) {
  std::vector<SeedInput> out;
  switch (shape) {
    case SeedShape::kRepositoryConfigs:
      for (const fs::path &file : FilesUnder(source_dir / "config", "kronika.toml")) {
        out.push_back({Name(file, source_dir, 0), ReadAll(file)});
      }
      break;
    case SeedShape::kRepositorySites:
      for (const fs::path &file : FilesUnder(source_dir / "config" / "sites", ".toml")) {
        out.push_back({Name(file, source_dir, 0), ReadAll(file)});
      }
      break;
    case SeedShape::kRfc4475Messages:
      for (const fs::path &file : FilesUnder(corpus / "rfc4475-torture", ".dat")) {
        out.push_back({Name(file, corpus, 0), ReadAll(file)});
      }
      break;
    case SeedShape::kSippRequests: {
      size_t n = 0;
      for (auto &[file, request] : SippRequests(corpus))
        out.push_back({Name(file, corpus, ++n), std::move(request)});
      break;
    }
    case SeedShape::kPcapSipMessages:
      out = PcapSipMessages(corpus);
      break;
    case SeedShape::kVendorInvites: {
      size_t n = 0;
      for (const fs::path &file : FilesUnder(corpus / "vendor-bodies", "")) {
        const std::string lf = ReadAll(file);
        out.push_back({Name(file, corpus, ++n), Invite(ContentTypeOfStoredBody(lf), lf, n)});
        out.push_back({Name(file, corpus, ++n), Invite(ContentTypeOfStoredBody(lf), LfToCrlf(lf), n)});
      }
      break;
    }
    case SeedShape::kVendorSdpParts:
    case SeedShape::kVendorMetadataParts: {
      size_t n = 0;
      std::set<std::string> seen;
      for (const CorpusBody &b : CorpusBodies(corpus)) {
        Result<sdp::SiprecBody> split = sdp::ParseSiprecBody(b.content_type, b.body, sdp::SdpPart::kOptional);
        if (!split.ok()) continue;
        const std::string part =
            shape == SeedShape::kVendorSdpParts ? split->sdp : split->metadata_xml.value_or("");
        if (!part.empty() && seen.insert(part).second) out.push_back({Name(b.file, corpus, ++n), part});
      }
      break;
    }
    case SeedShape::kRfcMetadataExamples:
      for (const fs::path &file : FilesUnder(corpus / "rfc" / "extracted", ".xml")) {
        out.push_back({Name(file, corpus, 0), ReadAll(file)});
      }
      break;
    case SeedShape::kPcapRtpStreams:
      out = PcapRtpStreams(corpus);
      break;
  }
  return out;
}

}  // namespace kronika::fuzz
