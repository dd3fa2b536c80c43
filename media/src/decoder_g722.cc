#include "decoder_g722.h"

#include <spandsp.h>

#include "decoder_plc.h"

namespace kronika::media {
namespace {

constexpr int kG722BitRate = 64000;

class G722Decoder final : public Decoder {
 public:
  G722Decoder() {
    state_ = g722_decode_init(nullptr, kG722BitRate, 0);
  }
  ~G722Decoder() override { g722_decode_free(state_); }
  G722Decoder(const G722Decoder&) = delete;
  G722Decoder& operator=(const G722Decoder&) = delete;

  int sample_rate() const override { return 16000; }

  bool Decode(const uint8_t* payload, size_t size, std::vector<int16_t>& out) override {
    const size_t base = out.size();
    out.resize(base + 2 * size);  // one byte = two 16 kHz samples
    const int n = g722_decode(state_, out.data() + base, payload, static_cast<int>(size));
    out.resize(base + static_cast<size_t>(n < 0 ? 0 : n));
    plc_.Receive(out.data() + base, static_cast<size_t>(n < 0 ? 0 : n));
    return n >= 0;
  }

  // spandsp's PLC assumes 8 kHz pitch ranges; at 16 kHz it still repeats the last pitch
  // period (searched over 1.25-10 ms) and fades out, which beats silence.
  void Conceal(size_t samples, const uint8_t*, size_t, std::vector<int16_t>& out) override {
    const size_t base = out.size();
    out.resize(base + samples);
    plc_.FillIn(out.data() + base, samples);
  }

  void Reset() override {
    g722_decode_free(state_);
    state_ = g722_decode_init(nullptr, kG722BitRate, 0);
  }

 private:
  g722_decode_state_t* state_ = nullptr;
  WaveformPlc plc_;
};

}  // namespace

std::unique_ptr<Decoder> MakeG722Decoder() { return std::make_unique<G722Decoder>(); }

}  // namespace kronika::media
