// G.711 (PCMU/PCMA, 8 kHz) decoder with spandsp's waveform-repeat PLC.
#pragma once

#include <memory>

#include "decoder.h"

namespace kronika::media {

enum class G711Law { kMu, kA };
std::unique_ptr<Decoder> MakeG711Decoder(G711Law law);

}  // namespace kronika::media
