// Media engine configuration and the per-recording description the SIP layer hands in.
//
// Plain value types, no behaviour (but for one callback, at_rest_key_stored). MediaConfig is validated once by MediaEngine::Start;
// RecordingSpec is built by the SIP thread from the negotiated SDP (one StreamSpec per
// accepted m-line) and passed to MediaEngine::Open/Update.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "kronika/result.h"
#include "kronika/sdp/sdp_offer.h"

namespace kronika::media {

// Which senders a stream takes RTP from (source_latch.h has the rules).
enum class SourceCheck : uint8_t {
  kLatch,   // symmetric latching: the first source that sends valid RTP, whatever the SDP says
  kStrict,  // as kLatch, but only from the SDP's host (the c= address)
};

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
  SourceCheck source_check = SourceCheck::kLatch;
  int latch_source_silence_ms = 1000; // another source takes a stream over after the latched
                                      // one sent nothing this long (SBC fail-over, NAT rebinding)
  int ssrc_silence_ms = 250;          // another SSRC from the latched source is refused until the
                                      // latched SSRC sent nothing this long (0 = no SSRC lock)
  int gap_min_ms = 1000;              // evidence lists a leg's silences at least this long
  int no_rtp_warning_ms = 5000;       // no RTP on a stream this long after it was due ->
                                      // one kNoRtp event (0 = off)
  int worker_queue_capacity = 1024;   // commands per worker; a full queue fails the call
  std::filesystem::path recordings_dir = "recordings";  // <dir>/YYYY/MM/DD/<id>.opus
  uint64_t min_free_disk_bytes = 256ull << 20;  // Open refuses (503) below this free space
  // SEC-1, issue 13 item 4: whether the data key of sealed recording `recording_id` is
  // durable yet (true), not yet (false), or will not be (an error; the recording fails).
  // No byte of a sealed file is written before it says true (sealed_file.h SealedWriter).
  // Called on the media workers at each flush until true; must not block. Empty: every key
  // is durable before OpenSealed (tests, tools).
  std::function<Result<bool>(const std::string& recording_id)> at_rest_key_stored;
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
  std::string remote_ip;               // the SDP's address (c= line); "" or 0.0.0.0 = none.
                                       // Enforced only with SourceCheck::kStrict (host only);
                                       // otherwise reported when the latched source differs
  uint16_t remote_port = 0;            // the SDP's m= port (0 = unknown); never enforced (SRCs
                                       // may send from another port than their m= port). A
                                       // change of address or port in an Update re-latches
};

struct RecordingSpec {
  std::string recording_id;          // unique; becomes the file name
  std::vector<StreamSpec> streams;   // in m-line order
};

}  // namespace kronika::media
