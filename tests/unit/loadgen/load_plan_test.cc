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

}  // namespace
}  // namespace kronika::loadgen
