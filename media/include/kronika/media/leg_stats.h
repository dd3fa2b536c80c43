// LegStats: counters of one received RTP leg (one m-line of a recording).
//
// Written by the media worker that owns the leg; readers on other threads must receive a
// copy (the worker publishes snapshots), never a reference into a live pipeline.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kronika::media {

struct LegStats {
  uint64_t packets = 0;         // datagrams accepted as RTP (after SRTP), any payload type
  uint64_t bytes = 0;           // RTP bytes of those packets (after SRTP unprotect)
  uint64_t expected = 0;        // RFC 3550: highest - first sequence number + 1, per SSRC
  uint64_t lost = 0;            // RFC 3550 cumulative loss: expected - received, per SSRC
  uint64_t late = 0;            // arrived after their timeline slot was played; dropped
  uint64_t duplicate = 0;       // sequence number seen before (or SRTP replay); dropped
  uint64_t reordered = 0;       // arrived after a higher sequence number; still used
  uint64_t bad = 0;             // malformed RTP, unknown payload type, decode error; dropped
  uint64_t ssrc_changes = 0;    // new SSRC after the first one
  uint64_t dtmf_events = 0;     // RFC 4733 events reported (once per key press)
  uint64_t srtp_failures = 0;   // SRTP authentication/decryption failures; dropped
  uint64_t reanchors = 0;       // timeline re-anchors (SSRC change, timestamp jump, drift)
  uint64_t concealed_samples = 0;  // output samples synthesized for lost packets (PLC)
  std::string codec;            // encoding of the last decoded audio ("PCMU", "OPUS", ...)
  std::vector<std::string> codecs_seen;  // every encoding decoded, in the order first seen
};

}  // namespace kronika::media
