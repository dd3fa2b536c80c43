#include "decoder.h"

#include "decoder_names.h"
#include "decoder_g711.h"
#include "decoder_g722.h"
#include "decoder_g729.h"
#include "decoder_opus.h"
#include "leg_pipeline.h"

namespace kronika::media {

std::unique_ptr<Decoder> MakeDecoder(const PayloadFormat& format, int output_rate_hz) {
  switch (ParseEncoding(format.encoding)) {
    case Encoding::kPcmu: return MakeG711Decoder(G711Law::kMu);
    case Encoding::kPcma: return MakeG711Decoder(G711Law::kA);
    case Encoding::kG722: return MakeG722Decoder();
    case Encoding::kG729: return MakeG729Decoder();
    case Encoding::kOpus: return MakeOpusDecoder(output_rate_hz);
    default: return nullptr;
  }
}

}  // namespace kronika::media
