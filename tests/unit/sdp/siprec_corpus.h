// Test helper (sdp unit tests only): loads SIPREC request bodies from the shared interop
// corpus (KRONIKA_SHARED_DIR/interop-corpus), as the SIP layer would hand them over.
//
// - Vendor bodies are stored without SIP headers, with LF line ends and a leading blank
//   line; the Content-Type boundary is derived from the body's first `--` line.
// - SIPp scenarios: every <send> is turned into the request SIPp would put on the wire
//   (leading/trailing whitespace of each line removed, CRLF line ends, keywords such as
//   [local_ip] and [auto_media_port+2] substituted), then split into method, Content-Type
//   and body.
#pragma once

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <pugixml.hpp>

namespace kronika::sdp::testing {

inline constexpr int kSippMediaPort = 6000;  // what [auto_media_port] / [media_port] become

inline std::filesystem::path CorpusDir() {
  return std::filesystem::path(KRONIKA_SHARED_DIR) / "interop-corpus";
}

inline bool HaveCorpus() { return std::filesystem::is_directory(CorpusDir() / "vendor-bodies"); }

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string LfToCrlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// Content-Type for a stored body: multipart/mixed with the boundary of its first `--` line,
// or application/sdp when it has none.
inline std::string ContentTypeForStoredBody(const std::string& body) {
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("--", 0) != 0) continue;
    std::string boundary = line.substr(2);
    while (!boundary.empty() && std::isspace(static_cast<unsigned char>(boundary.back()))) {
      boundary.pop_back();
    }
    return "multipart/mixed;boundary=" + boundary;
  }
  return "application/sdp";
}

struct CorpusBody {
  std::string name;  // e.g. "oracle-acme/acme-siprec-offer.txt (crlf)"
  std::string content_type;
  std::string body;
};

// Every file under vendor-bodies/, as stored (LF) and converted to CRLF.
inline std::vector<CorpusBody> VendorBodies() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(CorpusDir() / "vendor-bodies")) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<CorpusBody> out;
  for (const auto& path : files) {
    const std::string name =
        std::filesystem::relative(path, CorpusDir() / "vendor-bodies").generic_string();
    const std::string lf = ReadFile(path);
    out.push_back({name + " (lf)", ContentTypeForStoredBody(lf), lf});
    out.push_back({name + " (crlf)", ContentTypeForStoredBody(lf), LfToCrlf(lf)});
  }
  return out;
}

inline CorpusBody VendorBody(const std::string& relative_path, bool crlf) {
  const std::string lf = ReadFile(CorpusDir() / "vendor-bodies" / relative_path);
  return {relative_path, ContentTypeForStoredBody(lf), crlf ? LfToCrlf(lf) : lf};
}

struct SippMessage {
  std::string scenario;  // path relative to sipp/
  std::string method;    // "INVITE", "UPDATE", ... (request line's first token)
  std::string content_type;
  std::string body;      // CRLF
};

inline std::string SubstituteSippKeywords(std::string text) {
  static const std::regex kMediaPort(R"(\[(?:auto_)?media_port(?:\+(\d+))?\])");
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), kMediaPort);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out += text.substr(last, m.position(0) - last);
    const int offset = m[1].matched ? std::stoi(m[1].str()) : 0;
    out += std::to_string(kSippMediaPort + offset);
    last = m.position(0) + m.length(0);
  }
  out += text.substr(last);
  out = std::regex_replace(out, std::regex(R"(\[(local_ip|remote_ip)\])"), "127.0.0.1");
  out = std::regex_replace(out, std::regex(R"(\[local_ip_type\])"), "4");
  out = std::regex_replace(out, std::regex(R"(\[field\d+[^\]]*\])"), "5551000");
  out = std::regex_replace(out, std::regex(R"(\[(local_port|remote_port)\])"), "5060");
  out = std::regex_replace(out, std::regex(R"(\[call_id\])"), "1-1@127.0.0.1");
  return out;
}

// The request SipP would send for `cdata`, split into method / Content-Type / body.
inline std::optional<SippMessage> SippRequest(const std::string& cdata) {
  std::vector<std::string> lines;
  std::istringstream in(SubstituteSippKeywords(cdata));
  std::string line;
  while (std::getline(in, line)) {
    const size_t first = line.find_first_not_of(" \t\r");
    const size_t last = line.find_last_not_of(" \t\r");
    lines.push_back(first == std::string::npos ? "" : line.substr(first, last - first + 1));
  }
  size_t i = 0;
  while (i < lines.size() && lines[i].empty()) ++i;
  if (i == lines.size()) return std::nullopt;
  SippMessage msg;
  msg.method = lines[i].substr(0, lines[i].find(' '));
  for (++i; i < lines.size() && !lines[i].empty(); ++i) {
    const std::string& h = lines[i];
    const size_t colon = h.find(':');
    if (colon == std::string::npos) continue;
    std::string name = h.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "content-type" || name == "c") {
      const size_t v = h.find_first_not_of(' ', colon + 1);
      msg.content_type = v == std::string::npos ? "" : h.substr(v);
    }
  }
  for (++i; i < lines.size(); ++i) msg.body += lines[i] + "\r\n";
  // Trailing blank lines are not part of what SIPp counts as the body.
  while (msg.body.size() >= 4 && msg.body.compare(msg.body.size() - 4, 4, "\r\n\r\n") == 0) {
    msg.body.resize(msg.body.size() - 2);
  }
  return msg;
}

// Every <send> request with a body in every SIPp scenario of the corpus.
inline std::vector<SippMessage> SippMessagesWithBody() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(CorpusDir() / "sipp")) {
    if (e.is_regular_file() && e.path().extension() == ".xml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<SippMessage> out;
  for (const auto& path : files) {
    pugi::xml_document doc;
    if (!doc.load_file(path.c_str())) continue;
    for (const pugi::xpath_node& node : doc.select_nodes("//send")) {
      std::optional<SippMessage> msg = SippRequest(node.node().child_value());
      if (!msg || msg->body.empty() || msg->content_type.empty()) continue;
      msg->scenario = std::filesystem::relative(path, CorpusDir() / "sipp").generic_string();
      out.push_back(std::move(*msg));
    }
  }
  return out;
}

}  // namespace kronika::sdp::testing
