// G.722 (64 kbit/s, 16 kHz audio, RTP clock 8000) decoder with spandsp's waveform-repeat PLC.
#pragma once

#include <memory>

#include "decoder.h"

namespace kronika::media {

std::unique_ptr<Decoder> MakeG722Decoder();

}  // namespace kronika::media
