// Opus decoder (libopus), mono at the recording rate, with in-band FEC and PLC.
#pragma once

#include <memory>

#include "decoder.h"

namespace kronika::media {

// output_rate_hz: 8000, 12000, 16000, 24000 or 48000. Null if libopus refuses.
std::unique_ptr<Decoder> MakeOpusDecoder(int output_rate_hz);

}  // namespace kronika::media
