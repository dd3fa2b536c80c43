// SIPREC body handling cost per INVITE: ParseSiprecBody -> ParseSdpOffer -> Negotiate ->
// FormatAnswer, on every vendor body of the interop corpus (CRLF, as on the wire), and the
// metadata read on its own (ReadMetadataDocument: iconv decode to UTF-8 + parse), for the
// body as sent and for the same document declared ISO-8859-1 (the decode path of issue 14).
// Usage: sdp_bench [--out sdp_bench.json] [--iterations N]
// Reports, per body, the median over 5 repeats of the mean wall-clock microseconds per
// INVITE (single thread), and the share of the split (multipart) step.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kronika/sdp/metadata_document.h"
#include "kronika/sdp/sdp_answer.h"
#include "kronika/sdp/siprec_body.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using kronika::sdp::CodecPreferences;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Crlf(const std::string& lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

std::string ContentType(const std::string& body) {
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("--", 0) != 0) continue;
    std::string b = line.substr(2);
    while (!b.empty() && (b.back() == ' ' || b.back() == '\r')) b.pop_back();
    return "multipart/mixed;boundary=" + b;
  }
  return "application/sdp";
}

// Mean ns per call of `fn` over `iterations`, median of 5 repeats.
template <typename Fn>
double MedianNs(int iterations, Fn fn) {
  std::vector<double> runs;
  for (int r = 0; r < 5; ++r) {
    const auto start = Clock::now();
    for (int i = 0; i < iterations; ++i) fn();
    const auto ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    runs.push_back(ns / iterations);
  }
  std::sort(runs.begin(), runs.end());
  return runs[2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_path = "sdp_bench.json";
  int iterations = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--out") out_path = argv[i + 1];
    if (flag == "--iterations") iterations = std::stoi(argv[i + 1]);
  }
  const fs::path dir = fs::path(KRONIKA_SHARED_DIR) / "interop-corpus" / "vendor-bodies";
  if (!fs::is_directory(dir)) {
    std::fprintf(stderr, "sdp_bench: corpus not found at %s\n", dir.c_str());
    return 1;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());

  const CodecPreferences prefs;
  nlohmann::json results = nlohmann::json::array();
  for (const fs::path& f : files) {
    const std::string body = Crlf(Read(f));
    const std::string ct = ContentType(body);
    size_t sink = 0;
    const double split_ns = MedianNs(iterations, [&] {
      auto b = kronika::sdp::ParseSiprecBody(ct, body);
      sink += b.ok() ? b->sdp.size() : 0;
    });
    const double total_ns = MedianNs(iterations, [&] {
      auto b = kronika::sdp::ParseSiprecBody(ct, body);
      if (!b.ok()) return;
      auto offer = kronika::sdp::ParseSdpOffer(b->sdp);
      if (!offer.ok()) return;
      auto n = kronika::sdp::Negotiate(*offer, prefs);
      if (!n.ok()) return;
      uint16_t port = 30000;
      for (auto& s : n->streams) s.local_port = port += 2;
      sink += kronika::sdp::FormatAnswer(*n, "192.0.2.1", 1, 1).size();
    });
    // The metadata alone, as sent and re-declared ISO-8859-1 (every byte then goes through
    // iconv's Latin-1 table instead of the UTF-8 validation).
    auto split = kronika::sdp::ParseSiprecBody(ct, body);
    std::string xml = split.ok() && split->metadata_xml ? *split->metadata_xml : "";
    std::string latin1 = xml;
    if (const size_t decl = latin1.find("encoding="); decl != std::string::npos && decl < 80) {
      const size_t q = latin1.find_first_of("\"'", decl);
      const size_t end = latin1.find(latin1[q], q + 1);
      latin1.replace(q + 1, end - q - 1, "ISO-8859-1");
    } else {
      latin1 = "<?xml version='1.0' encoding='ISO-8859-1'?>" + latin1;
    }
    const double metadata_ns = MedianNs(iterations, [&] {
      sink += kronika::sdp::ReadMetadataDocument(xml).issues.size();
    });
    const double latin1_ns = MedianNs(iterations, [&] {
      sink += kronika::sdp::ReadMetadataDocument(latin1).issues.size();
    });
    const std::string name = fs::relative(f, dir).generic_string();
    std::printf("%-60s %7.1f us/INVITE (split %5.1f us)  metadata %5.1f us (as ISO-8859-1 %5.1f us)  [%zu]\n",
                name.c_str(), total_ns / 1000, split_ns / 1000, metadata_ns / 1000, latin1_ns / 1000,
                sink % 10);
    results.push_back({{"body", name},
                       {"bytes", body.size()},
                       {"metadata_bytes", xml.size()},
                       {"us_per_invite", total_ns / 1000},
                       {"us_split_only", split_ns / 1000},
                       {"us_metadata_read", metadata_ns / 1000},
                       {"us_metadata_read_latin1", latin1_ns / 1000}});
  }
  nlohmann::json doc = {{"benchmark", "sdp_bench"},
                        {"what", "ParseSiprecBody+ParseSdpOffer+Negotiate+FormatAnswer per INVITE body; "
                                 "ReadMetadataDocument of its metadata, as sent and declared ISO-8859-1"},
                        {"iterations", iterations},
                        {"results", results}};
  std::ofstream(out_path) << doc.dump(2) << "\n";
  return 0;
}
