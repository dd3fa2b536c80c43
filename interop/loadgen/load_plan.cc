// kronika-loadgen's command line, parsed by CLI11 (strict: unknown options, missing and bad
// values are usage errors naming the option).
#include "load_plan.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <string_view>
#include <vector>

namespace kronika::loadgen {
namespace {

// What the options hold as given; the forms CLI11 cannot check alone are read afterwards.
struct RawPlan {
  std::string target = "127.0.0.1:5060";
  std::string local = "127.0.0.1:5070";
  std::string duration = "10";
  std::string codec = "pcmu";
};

void DefineOptions(CLI::App& app, LoadPlan& plan, RawPlan& raw) {
  app.add_option("--target", raw.target, "the recording server's SIP address (kronika serve --sip)")
      ->type_name("ADDR:PORT")
      ->capture_default_str();
  app.add_option("--local", raw.local, "our SIP UAC address (UDP)")->type_name("ADDR:PORT")->capture_default_str();
  app.add_option("--rtp-port-base", plan.rtp_port_base, "one RTP socket per sender thread from this port")
      ->check(CLI::Range(1025, 64999))
      ->capture_default_str();
  app.add_option("--calls", plan.concurrent, "sessions held open at once")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--total", plan.total, "sessions in all (0 = --calls)")->check(CLI::NonNegativeNumber);
  app.add_option("--rate", plan.setup_rate_per_s, "new INVITEs per second while below --calls")
      ->type_name("CALLS_PER_S")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--duration", raw.duration, "call length in seconds, or a uniform range MIN-MAX")
      ->type_name("S|MIN-MAX")
      ->capture_default_str();
  app.add_option("--hold", plan.hold_fraction, "share of calls that pause and resume once (re-INVITE)")
      ->type_name("FRACTION")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--update", plan.update_fraction, "share of calls that send a metadata UPDATE once")
      ->type_name("FRACTION")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--threads", plan.sender_threads, "RTP sender threads")->check(CLI::Range(1, 64));
  app.add_option("--json", plan.json_path, "also write the report to FILE")->type_name("FILE");
  app.add_option("--seed", plan.seed, "random seed (call lengths, hold/update choice)");
  app.add_option("--codec", raw.codec, "every stream sends this codec: pcmu, pcma, g722, g729 or opus")
      ->capture_default_str();
  app.add_flag("--srtp", plan.srtp,
               "RTP/SAVP with a=crypto AES_CM_128_HMAC_SHA1_80 (calls up to " +
                   std::to_string(static_cast<int>(kMaxSrtpCallSeconds)) + " s)");
  app.add_option("--audio", plan.audio_path,
                 "a recording (any format libsndfile reads, e.g. WAV) encoded once at start and looped, each "
                 "leg from another point; without it every leg sends a 440 Hz tone")
      ->type_name("FILE");
}

bool ParseSeconds(std::string_view text, double& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

Status ParseHostPort(std::string_view text, std::string& host, int& port, const char* option) {
  const size_t colon = text.rfind(':');
  const std::string_view digits = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (colon == std::string_view::npos || colon == 0 || ec != std::errc() || end != digits.data() + digits.size() ||
      port <= 0 || port > 65535) {
    return MakeError(ErrorCode::kUsage, std::string(option) + ": expected ADDR:PORT, got '" + std::string(text) + "'");
  }
  host = std::string(text.substr(0, colon));
  return OkStatus();
}

}  // namespace

std::string LoadPlanUsage() {
  LoadPlan plan;
  RawPlan raw;
  CLI::App app{"SIPREC load: concurrent sessions with two paced RTP legs each.", "kronika-loadgen"};
  DefineOptions(app, plan, raw);
  return app.help();
}

Result<LoadPlan> ParseLoadPlan(int argc, char** argv) {
  LoadPlan plan;
  RawPlan raw;
  CLI::App app{"SIPREC load: concurrent sessions with two paced RTP legs each.", "kronika-loadgen"};
  DefineOptions(app, plan, raw);
  std::vector<std::string> args(argv, argv + argc);
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp&) {
    return MakeError(ErrorCode::kInternal, app.help());  // not a usage error: exit 0
  } catch (const CLI::ParseError& e) {
    return MakeError(ErrorCode::kUsage, std::string(e.what()) + "\nrun 'kronika-loadgen --help' for the options");
  }
  if (auto s = ParseHostPort(raw.target, plan.target_host, plan.target_port, "--target"); !s) return s.error();
  if (auto s = ParseHostPort(raw.local, plan.local_ip, plan.sip_port, "--local"); !s) return s.error();
  const size_t dash = raw.duration.find('-');
  bool ok = dash == std::string::npos
                ? ParseSeconds(raw.duration, plan.duration_min_s)
                : ParseSeconds(std::string_view(raw.duration).substr(0, dash), plan.duration_min_s) &&
                      ParseSeconds(std::string_view(raw.duration).substr(dash + 1), plan.duration_max_s);
  if (dash == std::string::npos) plan.duration_max_s = plan.duration_min_s;
  if (!ok || plan.duration_min_s <= 0 || plan.duration_max_s < plan.duration_min_s) {
    return MakeError(ErrorCode::kUsage, "--duration: invalid value '" + raw.duration + "' (S or MIN-MAX seconds)");
  }
  Result<LoadCodec> codec = ParseCodec(raw.codec);
  if (!codec) return codec.error();
  plan.codec = *codec;
  if (plan.srtp && plan.duration_max_s > kMaxSrtpCallSeconds) {
    return MakeError(ErrorCode::kUsage, "--srtp: calls longer than " +
                                            std::to_string(static_cast<int>(kMaxSrtpCallSeconds)) +
                                            " s are not supported (SRTP packets are prepared for one "
                                            "sequence-number cycle)");
  }
  if (plan.total == 0) plan.total = plan.concurrent;
  return plan;
}

}  // namespace kronika::loadgen
