// Media engine configuration and the per-recording description the SIP layer hands in.
//
// Plain value types, no behaviour. MediaConfig is validated once by MediaEngine::Start;
// RecordingSpec is built by the SIP thread from the negotiated SDP (one StreamSpec per
// accepted m-line) and passed to MediaEngine::Open/Update.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kronika/sdp/sdp_offer.h"

namespace kronika::media {

struct MediaConfig {
  std::string bind_ip = "127.0.0.1";  // local address the RTP sockets bind to
  uint16_t rtp_port_min = 20000;      // first port of the RTP range (rounded up to even)
  uint16_t rtp_port_max = 39999;      // last port of the range (inclusive; RTCP = RTP+1)
  int workers = 0;                    // media worker threads; 0 = one per core
  int opus_bitrate_bps = 16000;       // Opus target bitrate of a whole file (both channels)
  int opus_complexity = 0;            // 0..10; 0 measured as the cheapest (docs/benchmarks.md)
  int opus_packet_ms = 20;            // 20, 40 or 60 ms per Opus packet (same CPU; 60: ~9 % smaller file)
  bool opus_dual_mono = true;         // two mono Opus streams (mapping family 1), else coupled
                                      // stereo (mid/side: correlated legs can lose level)
  bool stereo = true;                 // false: every recording is written as a mono mix
  int rtp_timeout_ms = 5000;          // no RTP on a stream this long -> pause marked (event)
  int worker_queue_capacity = 1024;   // commands per worker; a full queue fails the call
  std::filesystem::path recordings_dir = "recordings";  // <dir>/YYYY/MM/DD/<id>.opus
  uint64_t min_free_disk_bytes = 256ull << 20;  // Open refuses (503) below this free space
};

// One recorded stream (one SDP m-line of the SIPREC offer).
struct StreamSpec {
  size_t mline_index = 0;              // m-line position in the offer
  std::string label;                   // a=label value (ties the stream to metadata)
  int channel = -1;                    // 0 left, 1 right, -1 mixed into both / mono
  // Accepted formats (the SDP library's type), telephone-event included.
  std::vector<kronika::sdp::PayloadFormat> formats;
  bool paused = false;                 // a=inactive / a=sendonly-from-us: record silence
  std::string srtp_suite;              // "" = plain RTP, else e.g. "AES_CM_128_HMAC_SHA1_80"
  std::string srtp_remote_key_b64;     // inline key from the offer's a=crypto
  std::string remote_ip;               // expected source (c= line); "" = latch first source
  uint16_t remote_port = 0;            // informational: not enforced (SRCs may send from
                                       // another port than their m= port); the first
                                       // source port seen is latched instead
};

struct RecordingSpec {
  std::string recording_id;          // unique; becomes the file name
  std::vector<StreamSpec> streams;   // in m-line order
};

}  // namespace kronika::media
