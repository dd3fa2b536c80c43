// Test-only access to ../shared/interop-corpus for the metadata tests: file reading, the
// XML part of a multipart body (a crude cut, the real splitter is siprec_body), and the
// metadata bodies inside SIPp scenarios with SIPp keywords substituted.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <pugixml.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace kronika::sdp::metadata_testing {

inline std::filesystem::path CorpusDir() {
  return std::filesystem::path(KRONIKA_SHARED_DIR) / "interop-corpus";
}

// False (and the caller WARNs and returns) when ../shared is not checked out.
inline bool HaveCorpus() { return std::filesystem::is_directory(CorpusDir()); }

inline constexpr const char* kNoCorpus =
    "SKIPPED: interop corpus not found at KRONIKA_SHARED_DIR/interop-corpus";

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Sorted regular files under `dir` (recursively) whose name ends in `suffix`.
inline std::vector<std::filesystem::path> FilesUnder(const std::filesystem::path& dir,
                                                     std::string_view suffix) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string name = entry.path().filename().string();
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string ToCrlf(std::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

// Every XML metadata document in `text`: from "<?xml" (or a <recording...> root when no
// declaration precedes it) up to the next line starting with "--" (a MIME boundary) or
// the end. An XML declaration followed by a non-metadata root is still returned.
inline std::vector<std::string> ExtractMetadataXmls(std::string_view text) {
  static const std::regex kStart(R"(<\?xml|<([A-Za-z0-9_]+:)?recording)");
  static const std::regex kBoundary(R"(\n[ \t]*--)");
  std::vector<std::string> out;
  std::string rest(text);
  std::smatch m;
  while (std::regex_search(rest, m, kStart)) {
    std::string from = rest.substr(static_cast<size_t>(m.position(0)));
    std::smatch end;
    size_t length = std::regex_search(from, end, kBoundary) ? static_cast<size_t>(end.position(0))
                                                            : from.size();
    out.push_back(from.substr(0, length));
    rest = from.substr(length);
  }
  return out;
}

inline std::string ExtractMetadataXml(std::string_view body) {
  std::vector<std::string> all = ExtractMetadataXmls(body);
  return all.empty() ? std::string() : all.front();
}

// Value of [fieldN file="x.csv"] for call 1: the first data line of the CSV next to the
// scenario, "%02d"-style PRINTF placeholders replaced by 1.
inline std::string CsvField(const std::filesystem::path& csv, int field) {
  std::istringstream in(ReadFile(csv));
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {  // SEQUENTIAL / RANDOM / USER line
      header = false;
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::stringstream split(line);
    std::string f;
    while (std::getline(split, f, ';')) fields.push_back(f);
    if (field >= static_cast<int>(fields.size())) return "";
    static const std::regex kPrintf(R"(%0(\d+)d)");
    std::smatch m;
    std::string value = fields[static_cast<size_t>(field)];
    while (std::regex_search(value, m, kPrintf)) {
      std::string one = std::string(static_cast<size_t>(std::stoi(m[1])) - 1, '0') + "1";
      value = m.prefix().str() + one + m.suffix().str();
    }
    return value;
  }
  return "";
}

// SIPp keywords -> fixed values: [fieldN file="..."] from the CSV, [call_id],
// [local_ip] etc. from a small table, anything else -> "x".
inline std::string SubstituteSippKeywords(const std::string& text,
                                          const std::filesystem::path& scenario_dir) {
  static const std::regex kKeyword(R"re(\[([a-z_]+)([0-9]*)( file="([^"]*)")?[^\]\n]*\])re");
  static const std::map<std::string, std::string> kValues = {{"call_id", "1-4242@192.0.2.1"},
                                                             {"local_ip", "192.0.2.1"},
                                                             {"local_port", "5062"},
                                                             {"remote_ip", "192.0.2.2"},
                                                             {"remote_port", "5060"},
                                                             {"media_ip", "192.0.2.1"},
                                                             {"local_ip_type", "4"},
                                                             {"media_port", "6000"},
                                                             {"auto_media_port", "6000"},
                                                             {"transport", "UDP"},
                                                             {"call_number", "1"},
                                                             {"pid", "4242"},
                                                             {"len", "0"},
                                                             {"cseq", "1"},
                                                             {"branch", "z9hG4bK-1"}};
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), kKeyword);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out += text.substr(last, static_cast<size_t>(m.position(0)) - last);
    std::string name = m[1];
    if (name == "field" && m[4].matched) {
      out += CsvField(scenario_dir / m[4].str(), std::stoi(m[2]));
    } else if (auto value = kValues.find(name + m[2].str()); value != kValues.end()) {
      out += value->second;
    } else {
      out += "x";
    }
    last = static_cast<size_t>(m.position(0) + m.length(0));
  }
  return out + text.substr(last);
}

// Metadata documents of every <send> message of a SIPp scenario, in scenario order.
inline std::vector<std::string> ScenarioMetadataBodies(const std::filesystem::path& scenario) {
  std::vector<std::string> out;
  pugi::xml_document doc;
  if (!doc.load_file(scenario.c_str())) return out;
  for (const pugi::xpath_node& send : doc.select_nodes("//send")) {
    std::string message = SubstituteSippKeywords(send.node().text().get(), scenario.parent_path());
    for (std::string& xml : ExtractMetadataXmls(message)) out.push_back(std::move(xml));
  }
  return out;
}

}  // namespace kronika::sdp::metadata_testing
