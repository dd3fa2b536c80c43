#include "decoder_g711.h"

#include <spandsp.h>

namespace kronika::media {
namespace {

class G711Decoder final : public Decoder {
 public:
  explicit G711Decoder(G711Law law) : law_(law) { plc_init(&plc_); }
  int sample_rate() const override { return 8000; }

  bool Decode(const uint8_t* payload, size_t size, std::vector<int16_t>& out) override {
    const size_t base = out.size();
    out.resize(base + size);
    int16_t* pcm = out.data() + base;
    for (size_t i = 0; i < size; ++i) {
      pcm[i] = law_ == G711Law::kMu ? ulaw_to_linear(payload[i]) : alaw_to_linear(payload[i]);
    }
    plc_rx(&plc_, pcm, static_cast<int>(size));
    return true;
  }

  void Conceal(size_t samples, const uint8_t*, size_t, std::vector<int16_t>& out) override {
    const size_t base = out.size();
    out.resize(base + samples);
    plc_fillin(&plc_, out.data() + base, static_cast<int>(samples));
  }

  void Reset() override { plc_init(&plc_); }

 private:
  G711Law law_;
  plc_state_t plc_;
};

}  // namespace

std::unique_ptr<Decoder> MakeG711Decoder(G711Law law) {
  return std::make_unique<G711Decoder>(law);
}

}  // namespace kronika::media
