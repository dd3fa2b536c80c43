#include "load_plan.h"

#include <charconv>
#include <cstring>
#include <string_view>

namespace kronika::loadgen {
namespace {

template <typename T>
bool ParseNumber(std::string_view text, T& out) {
  if constexpr (std::is_floating_point_v<T>) {
    try {
      size_t used = 0;
      out = static_cast<T>(std::stod(std::string(text), &used));
      return used == text.size();
    } catch (...) {
      return false;
    }
  } else {
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && ptr == text.data() + text.size();
  }
}

Status ParseHostPort(std::string_view text, std::string& host, int& port, const char* option) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || !ParseNumber(text.substr(colon + 1), port) || port <= 0 ||
      port > 65535) {
    return MakeError(ErrorCode::kUsage, std::string(option) + ": expected ADDR:PORT, got '" + std::string(text) + "'");
  }
  host = std::string(text.substr(0, colon));
  return OkStatus();
}

}  // namespace

std::string LoadPlanUsage() {
  return "usage: kronika-loadgen --target ADDR:PORT [--local ADDR:PORT] [--rtp-port-base N]\n"
         "  [--calls N concurrent] [--total N] [--rate CALLS_PER_S] [--duration S | MIN-MAX]\n"
         "  [--hold FRACTION] [--update FRACTION] [--threads N] [--json FILE] [--seed N]\n"
         "  [--codec pcmu|pcma|g722|g729|opus] [--srtp] [--audio FILE]\n"
         "--audio: a recording (any format libsndfile reads, e.g. WAV) encoded once at start and\n"
         "  looped, each leg from another point; without it every leg sends a 440 Hz tone.\n"
         "--srtp: RTP/SAVP with a=crypto AES_CM_128_HMAC_SHA1_80 (calls up to " +
         std::to_string(static_cast<int>(kMaxSrtpCallSeconds)) + " s).\n";
}

Result<LoadPlan> ParseLoadPlan(int argc, char** argv) {
  LoadPlan plan;
  for (int i = 0; i < argc; ++i) {
    const std::string_view option = argv[i];
    if (option == "--help") return MakeError(ErrorCode::kInternal, LoadPlanUsage());  // not a usage error: exit 0
    if (option == "--srtp") {  // the one option without a value
      plan.srtp = true;
      continue;
    }
    if (i + 1 >= argc) return MakeError(ErrorCode::kUsage, std::string(option) + ": missing value");
    const std::string_view value = argv[++i];
    bool ok = true;
    if (option == "--target") {
      if (auto s = ParseHostPort(value, plan.target_host, plan.target_port, "--target"); !s) return s.error();
    } else if (option == "--local") {
      if (auto s = ParseHostPort(value, plan.local_ip, plan.sip_port, "--local"); !s) return s.error();
    } else if (option == "--rtp-port-base") {
      ok = ParseNumber(value, plan.rtp_port_base) && plan.rtp_port_base > 1024 && plan.rtp_port_base < 65000;
    } else if (option == "--calls") {
      ok = ParseNumber(value, plan.concurrent) && plan.concurrent > 0;
    } else if (option == "--total") {
      ok = ParseNumber(value, plan.total) && plan.total >= 0;
    } else if (option == "--rate") {
      ok = ParseNumber(value, plan.setup_rate_per_s) && plan.setup_rate_per_s > 0;
    } else if (option == "--duration") {
      const size_t dash = value.find('-');
      if (dash == std::string_view::npos) {
        ok = ParseNumber(value, plan.duration_min_s);
        plan.duration_max_s = plan.duration_min_s;
      } else {
        ok = ParseNumber(value.substr(0, dash), plan.duration_min_s) &&
             ParseNumber(value.substr(dash + 1), plan.duration_max_s);
      }
      ok = ok && plan.duration_min_s > 0 && plan.duration_max_s >= plan.duration_min_s;
    } else if (option == "--hold") {
      ok = ParseNumber(value, plan.hold_fraction) && plan.hold_fraction >= 0 && plan.hold_fraction <= 1;
    } else if (option == "--update") {
      ok = ParseNumber(value, plan.update_fraction) && plan.update_fraction >= 0 &&
           plan.update_fraction <= 1;
    } else if (option == "--threads") {
      ok = ParseNumber(value, plan.sender_threads) && plan.sender_threads > 0 && plan.sender_threads <= 64;
    } else if (option == "--json") {
      plan.json_path = std::string(value);
    } else if (option == "--codec") {
      auto codec = ParseCodec(value);
      if (!codec) return codec.error();
      plan.codec = *codec;
    } else if (option == "--audio") {
      plan.audio_path = std::string(value);
      ok = !plan.audio_path.empty();
    } else if (option == "--seed") {
      ok = ParseNumber(value, plan.seed);
    } else {
      return MakeError(ErrorCode::kUsage, "unknown option " + std::string(option) + "\n" + LoadPlanUsage());
    }
    if (!ok) return MakeError(ErrorCode::kUsage, std::string(option) + ": invalid value '" + std::string(value) + "'");
  }
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
