// Decoder: one RTP payload format -> mono PCM at the decoder's native rate.
//
// One instance per payload type per leg, used by the leg's worker thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace kronika::media {

struct PayloadFormat;

class Decoder {
 public:
  virtual ~Decoder() = default;

  // Rate in Hz of the PCM appended by Decode() and Conceal().
  virtual int sample_rate() const = 0;

  // Appends the PCM of one RTP payload to `out`. Returns false (appending nothing) when
  // the payload is malformed for this codec.
  virtual bool Decode(const uint8_t* payload, size_t size, std::vector<int16_t>& out) = 0;

  // Appends exactly `samples` samples standing in for lost audio (codec PLC where the
  // codec has one, else a waveform-repeat PLC or silence). `next`/`next_size` (may be
  // null/0): the payload received right after the gap, for in-band FEC (Opus).
  virtual void Conceal(size_t samples, const uint8_t* next, size_t next_size,
                       std::vector<int16_t>& out) = 0;

  // Forgets the stream state (new SSRC).
  virtual void Reset() = 0;
};

// Decoder for an audio encoding (PCMU, PCMA, G722, G729, OPUS; case-insensitive).
// Opus decodes at output_rate_hz directly. Returns null for other encodings.
std::unique_ptr<Decoder> MakeDecoder(const PayloadFormat& format, int output_rate_hz);

}  // namespace kronika::media
