// LegPipeline: one received RTP leg -> decoded PCM placed on the recording timeline.
//
// Per datagram: [SRTP unprotect] -> RTP parse -> timeline placement -> reorder buffer.
// Per Drain(): due packets are decoded in order (PLC for losses), resampled to the
// recording rate and handed to a LegSink as PcmChunks; RFC 4733 key presses as DtmfEvents.
//
// Timeline: sample positions at output_rate_hz, 0 = the recording's t0. The first packet of
// an SSRC is placed at its arrival time; later packets by RTP timestamp, so network jitter
// does not move audio. Re-anchored on SSRC change, on a timestamp jump (> 1 s away from
// the arrival-derived position) and on clock drift (the fastest packets of a 0.5 s window
// more than 10 ms off, two windows in a row), which keeps a leg within the 20 ms alignment
// budget for sender clocks up to 0.5 % off. A drift correction inserts silence or drops
// the overlapping samples (~10 ms every 100 s for a clock 100 ppm off).
//
// Losses: the codec's PLC (spandsp waveform repeat for G.711/G.722, bcg729, Opus PLC/FEC)
// fills a gap, from the end of the last audio and for up to 80 ms, when a later packet is
// already buffered at the gap's playout time (so losses up to ~60 ms are concealed; longer
// bursts, and pauses without packets, are silence). The marker bit (talkspurt start) and
// comfort noise (CN, PT 13) mean silence, not loss. The 8<->16 kHz resampler adds ~1 ms.
//
// Output contract for the aligner:
//   - chunks come in timeline order and never overlap;
//   - gaps between chunks are silence (no packets: before the first one, DTX/CN, hold,
//     loss bursts longer than the reorder window);
//   - after Drain(now_ns), watermark() >= now - kReorderDelay (in samples), and no later
//     chunk starts before watermark().
//
// Threading: one instance belongs to one media worker thread; nothing here is thread-safe.
// No call throws; malformed input is counted in stats() and dropped.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kronika/media/leg_stats.h"
#include "kronika/result.h"

namespace kronika::media {

// How long a packet waits in the reorder buffer after its timeline slot (arrival-anchored).
inline constexpr std::chrono::milliseconds kReorderDelay{60};

struct PayloadFormat {
  int payload_type = -1;  // 0..127
  std::string encoding;   // PCMU PCMA G722 G729 OPUS TELEPHONE-EVENT CN (case-insensitive)
  int clock_rate = 8000;  // RTP clock in Hz (G722: 8000 although audio is 16 kHz)
  int channels = 1;       // OPUS/48000/2 is decoded to mono
};

struct LegConfig {
  std::vector<PayloadFormat> formats;  // accepted payload types (codecs + telephone-event + CN)
  int output_rate_hz = 8000;           // 8000 or 16000: the recording's PCM rate
  // Empty suite = plain RTP. Suites: AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32.
  // Key: the REMOTE side's SDES key (base64 of 16-byte key + 14-byte salt; an "inline:"
  // prefix and a "|lifetime|MKI" suffix are accepted and ignored).
  std::string srtp_suite;
  std::string srtp_key_b64;
};

// Borrowed view: samples stay valid only during the OnAudio call.
struct PcmChunk {
  int64_t start_sample = 0;  // timeline position at output_rate_hz; 0 = recording t0
  const int16_t* samples = nullptr;
  size_t count = 0;
};

struct DtmfEvent {
  int64_t start_sample = 0;  // timeline position of the key press at output_rate_hz
  char digit = 0;            // '0'-'9', '*', '#', 'A'-'D' (REQUIREMENTS CONSENT-2 keeps '*')
  int duration_ms = 0;
};

class LegSink {
 public:
  virtual ~LegSink() = default;
  virtual void OnAudio(const PcmChunk& chunk) = 0;
  virtual void OnDtmf(const DtmfEvent& event) = 0;
};

class LegPipeline {
 public:
  // Checks a config without building anything: known encodings, rate 8000/16000, SRTP
  // suite and key. Error messages fit a SIP Warning ("media: unsupported codec FOO/8000").
  static Status Validate(const LegConfig& config);

  // An invalid config yields a pipeline that drops everything (counted in `bad` or
  // `srtp_failures`); call Validate() first to reject it at SDP time.
  explicit LegPipeline(LegConfig config);
  ~LegPipeline();
  LegPipeline(const LegPipeline&) = delete;
  LegPipeline& operator=(const LegPipeline&) = delete;

  // One UDP payload. arrival_ns: monotonic nanoseconds relative to the recording's t0.
  // The bytes are copied if needed; the buffer may be reused after the call.
  // Returns true when it was RTP of this stream (authenticated under SRTP, a negotiated
  // payload type), even if then dropped as late or duplicate; false when it was refused
  // as malformed, unknown, an SRTP replay or failed authentication (counted in stats()).
  bool OnDatagram(const uint8_t* data, size_t len, int64_t arrival_ns);

  // What a payload type carries under the current formats (an array lookup; the static CN
  // type 13 is comfort noise even when not negotiated).
  enum class PayloadKind : uint8_t { kNotNegotiated, kAudio, kComfortNoise, kTelephoneEvent };
  PayloadKind Classify(int payload_type) const;

  // Emits audio whose playout time (timeline position + kReorderDelay) is <= now_ns, and
  // pending DTMF events. Calls the sink synchronously; chunks are valid only in the call.
  void Drain(int64_t now_ns, LegSink& sink);

  // New formats/SRTP after a re-INVITE; keeps the timeline, the buffer and the stats.
  // output_rate_hz must not change (ignored if it does).
  void Reconfigure(LegConfig config);

  // The stream resumes after a pause: the next audio packet is placed at its arrival time
  // and the ones after it by timestamp from there. Senders differ in whether their RTP
  // timestamps advanced during a hold; without this a hold shorter than the 1 s jump limit
  // that stopped the timestamps would place the resumed audio in the past (dropped as late
  // until the drift correction caught up, ~1 s later).
  void Resync();

  // Timeline sample before which this leg will emit nothing more.
  int64_t watermark() const;

  const LegStats& stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kronika::media
