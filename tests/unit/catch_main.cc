// main() of every unit-test binary: Catch2's, plus one rule (issue 13 item 8) - a test that
// cannot run here is reported as skipped, never as passed.
//
// A test case declares what it needs with a tag; its body may then simply REQUIRE it:
//   [needs-corpus]     the interop corpus, KRONIKA_SHARED_DIR/interop-corpus (vendor-bodies/, sipp/)
//   [needs-pdftotext]  pdftotext (poppler-utils) on PATH
//   [needs-tzdata]     /usr/share/zoneinfo/Europe/Warsaw
// ctest runs one test case per process (catch_discover_tests). When every test case the
// command line selects needs something missing, the binary names it and exits 77, which
// ctest reports as skipped (SKIP_RETURN_CODE 77, tests/CMakeLists.txt); `./dev test` fails
// on any skip. When only some of the selected cases need it (the binary run by hand), those
// are left out and named on stderr. A test that needs a resource but lacks the tag fails
// when it is missing - it never passes silently.
//
// KRONIKA_TEST_HIDE=corpus,pdftotext,tzdata makes the named resources count as missing
// (the structure:skip-not-pass test uses it to check this mechanism).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Need {
  const char* tag;   // without brackets, as Catch stores it
  const char* name;  // in KRONIKA_TEST_HIDE
  const char* what;  // for the skip message
  bool (*available)();
};

bool HaveCorpus() {
  const std::filesystem::path corpus = std::filesystem::path(KRONIKA_SHARED_DIR) / "interop-corpus";
  return std::filesystem::is_directory(corpus / "vendor-bodies") && std::filesystem::is_directory(corpus / "sipp");
}

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path == nullptr ? "" : path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

bool HavePdfToText() { return OnPath("pdftotext"); }
bool HaveTzdata() { return std::filesystem::is_regular_file("/usr/share/zoneinfo/Europe/Warsaw"); }

const Need kNeeds[] = {
    {"needs-corpus", "corpus", "the interop corpus (" KRONIKA_SHARED_DIR "/interop-corpus)", HaveCorpus},
    {"needs-pdftotext", "pdftotext", "pdftotext (Debian package poppler-utils)", HavePdfToText},
    {"needs-tzdata", "tzdata", "tzdata (/usr/share/zoneinfo/Europe/Warsaw)", HaveTzdata},
};

std::set<std::string> Hidden() {
  std::set<std::string> out;
  const char* env = std::getenv("KRONIKA_TEST_HIDE");
  std::stringstream names(env == nullptr ? "" : env);
  for (std::string name; std::getline(names, name, ',');) out.insert(name);
  return out;
}

// The needs of `tc` that are missing here.
std::vector<const Need*> MissingNeeds(const Catch::TestCase& tc, const std::vector<const Need*>& missing) {
  std::vector<const Need*> out;
  for (const Need* need : missing) {
    for (const std::string& tag : tc.getTestCaseInfo().tags) {
      if (tag == need->tag) out.push_back(need);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char* argv[]) {
  Catch::Session session;
  if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  const Catch::ConfigData& data = session.configData();
  if (data.showHelp || data.listTests || data.listTestNamesOnly || data.listTags || data.listReporters) {
    return session.run();
  }

  const std::set<std::string> hidden = Hidden();
  std::vector<const Need*> missing;
  for (const Need& need : kNeeds) {
    if (hidden.count(need.name) != 0 || !need.available()) missing.push_back(&need);
  }
  if (missing.empty()) return session.run();

  const Catch::Config& config = session.config();
  const std::vector<Catch::TestCase> selected =
      Catch::filterTests(Catch::getAllTestCasesSorted(config), config.testSpec(), config);
  std::vector<std::string> skipped;
  std::set<const Need*> used;
  for (const Catch::TestCase& tc : selected) {
    const std::vector<const Need*> needs = MissingNeeds(tc, missing);
    if (needs.empty()) continue;
    std::string line = "SKIPPED: \"" + tc.getTestCaseInfo().name + "\" needs";
    for (const Need* need : needs) {
      line += std::string(" ") + need->what;
      used.insert(need);
    }
    skipped.push_back(line + ", missing here");
  }
  for (const std::string& line : skipped) std::cerr << line << "\n";
  if (skipped.empty()) return session.run();
  if (skipped.size() == selected.size()) return 77;  // ctest: SKIP_RETURN_CODE

  // Some of the selection can run: leave the others out (a filter with ',' alternatives
  // cannot be narrowed safely; those tests then run and fail on what they miss).
  Catch::ConfigData narrowed = data;
  for (const std::string& filter : narrowed.testsOrTags) {
    if (filter.find(',') != std::string::npos) return session.run();
  }
  for (const Need* need : used) narrowed.testsOrTags.push_back(std::string("~[") + need->tag + "]");
  session.useConfigData(narrowed);
  const int rc = session.run();
  std::cerr << skipped.size() << " test case(s) skipped: see SKIPPED above\n";
  return rc;
}
