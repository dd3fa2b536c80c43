// G.729 / G.729A / Annex B decoder (bcg729): 10-byte frames of 10 ms, 2-byte SID frames.
#pragma once

#include <memory>

#include "decoder.h"

namespace kronika::media {

std::unique_ptr<Decoder> MakeG729Decoder();

}  // namespace kronika::media
