// kronika-loadgen's command line: codec, SRTP and audio options, and errors naming the option.
#include "load_plan.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace kronika::loadgen {
namespace {

Result<LoadPlan> Parse(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return ParseLoadPlan(static_cast<int>(argv.size()), argv.data());
}

TEST_CASE("Load plan: --codec, --srtp (a flag) and --audio") {
  auto plan = Parse({"--codec", "g729", "--srtp", "--audio", "/tmp/speech.wav", "--calls", "3"});
  REQUIRE(plan.ok());
  CHECK(plan->codec == LoadCodec::kG729);
  CHECK(plan->srtp);
  CHECK(plan->audio_path == "/tmp/speech.wav");
  CHECK(plan->concurrent == 3);
  auto defaults = Parse({});
  REQUIRE(defaults.ok());
  CHECK(defaults->codec == LoadCodec::kPcmu);
  CHECK_FALSE(defaults->srtp);
  CHECK(defaults->audio_path.empty());
}

TEST_CASE("Load plan: an unknown codec and an SRTP call too long to prepare are usage errors") {
  auto codec = Parse({"--codec", "ilbc"});
  REQUIRE_FALSE(codec.ok());
  CHECK(codec.error().code == ErrorCode::kUsage);
  CHECK(codec.error().message.find("--codec: unknown codec 'ilbc'") == 0);
  auto long_srtp = Parse({"--srtp", "--duration", "60-1400"});
  REQUIRE_FALSE(long_srtp.ok());
  CHECK(long_srtp.error().code == ErrorCode::kUsage);
  CHECK(long_srtp.error().message.find("--srtp: calls longer than 1300 s") == 0);
  CHECK(Parse({"--duration", "60-1400"}).ok());  // without SRTP nothing is prepared per packet
}

TEST_CASE("Load plan: unknown options, missing and bad values are usage errors naming the option") {
  struct Case {
    std::vector<std::string> args;
    std::string named;
  };
  for (const Case& c : std::vector<Case>{{{"--calsl", "3"}, "--calsl"},
                                         {{"--calls"}, "--calls"},
                                         {{"--calls", "three"}, "--calls"},
                                         {{"--calls", "0"}, "--calls"},
                                         {{"--hold", "1.5"}, "--hold"},
                                         {{"--threads", "65"}, "--threads"},
                                         {{"--target", "127.0.0.1"}, "--target"},
                                         {{"--local", "127.0.0.1:99999"}, "--local"},
                                         {{"--duration", "10-5"}, "--duration"},
                                         {{"--duration", "ten"}, "--duration"},
                                         {{"--calls", "1", "--calls", "2"}, "--calls"},
                                         {{"stray"}, "stray"}}) {
    auto plan = Parse(c.args);
    INFO(c.named);
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().code == ErrorCode::kUsage);
    CHECK_THAT(plan.error().message, Catch::Contains(c.named));
  }
  auto ok = Parse({"--target", "[::1]:5080", "--duration", "2.5-4", "--hold", "0.5"});
  REQUIRE(ok.ok());
  CHECK(ok->target_host == "[::1]");
  CHECK(ok->target_port == 5080);
  CHECK(ok->duration_min_s == 2.5);
  CHECK(ok->duration_max_s == 4);
  auto help = Parse({"--help"});
  REQUIRE_FALSE(help.ok());
  CHECK(help.error().code != ErrorCode::kUsage);  // --help exits 0
  CHECK_THAT(help.error().message, Catch::Contains("--codec"));
}

}  // namespace
}  // namespace kronika::loadgen
