#include "decoder_g711.h"

#include <spandsp.h>

#include "decoder_plc.h"

namespace kronika::media {
namespace {

class G711Decoder final : public Decoder {
 public:
  explicit G711Decoder(G711Law law) : law_(law) {}
  int sample_rate() const override { return 8000; }

  bool Decode(const uint8_t* payload, size_t size, std::vector<int16_t>& out) override {
    const size_t base = out.size();
    out.resize(base + size);
    int16_t* pcm = out.data() + base;
    for (size_t i = 0; i < size; ++i) {
      pcm[i] = law_ == G711Law::kMu ? ulaw_to_linear(payload[i]) : alaw_to_linear(payload[i]);
    }
    plc_.Receive(pcm, size);
    return true;
  }

  void Conceal(size_t samples, const uint8_t*, size_t, std::vector<int16_t>& out) override {
    const size_t base = out.size();
    out.resize(base + samples);
    plc_.FillIn(out.data() + base, samples);
  }

  void Reset() override {}

 private:
  G711Law law_;
  WaveformPlc plc_;
};

}  // namespace

std::unique_ptr<Decoder> MakeG711Decoder(G711Law law) {
  return std::make_unique<G711Decoder>(law);
}

}  // namespace kronika::media
