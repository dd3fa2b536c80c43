// LoadPlan: what kronika-loadgen sends, from its command line.
#pragma once

#include <cstdint>
#include <string>

#include "codec_encoder.h"
#include "kronika/result.h"

namespace kronika::loadgen {

// With --srtp every packet of a stream is prepared at start for one 16-bit sequence cycle
// (65536 packets = 1310 s at 20 ms, less slack): the longest call it can send.
inline constexpr double kMaxSrtpCallSeconds = 1300;

struct LoadPlan {
  std::string target_host = "127.0.0.1";  // the SRS (kronika serve --sip)
  int target_port = 5060;
  std::string local_ip = "127.0.0.1";
  int sip_port = 5070;             // our SIP UAC port (UDP)
  int rtp_port_base = 40000;       // one RTP socket per sender thread from here
  int concurrent = 10;             // sessions held open at once
  int total = 0;                   // sessions in all (0 = concurrent)
  double setup_rate_per_s = 50;    // new INVITEs per second while below `concurrent`
  double duration_min_s = 10;      // call length, uniform in [min, max]
  double duration_max_s = 10;
  double hold_fraction = 0;        // share of calls that pause and resume once (re-INVITE)
  double update_fraction = 0;      // share of calls that send a metadata UPDATE once
  int sender_threads = 1;          // RTP sender threads (one socket each)
  LoadCodec codec = LoadCodec::kPcmu;  // every stream sends this codec
  bool srtp = false;               // RTP/SAVP with an SDES key (AES_CM_128_HMAC_SHA1_80)
  std::string audio_path;          // speech sent on every leg ("" = a 440 Hz test tone)
  std::string json_path;           // report file ("" = stdout only)
  uint32_t seed = 1;
};

// Parses argv (after the program name). Errors name the option.
Result<LoadPlan> ParseLoadPlan(int argc, char** argv);
std::string LoadPlanUsage();

}  // namespace kronika::loadgen
