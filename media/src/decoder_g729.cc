#include "decoder_g729.h"

extern "C" {  // bcg729 headers lack C++ guards
#include <bcg729/decoder.h>
}

namespace kronika::media {
namespace {

constexpr size_t kFrameBytes = 10;
constexpr size_t kSidBytes = 2;
constexpr size_t kFrameSamples = 80;  // 10 ms at 8 kHz

class G729Decoder final : public Decoder {
 public:
  G729Decoder() : context_(initBcg729DecoderChannel()) {}
  ~G729Decoder() override { closeBcg729DecoderChannel(context_); }
  G729Decoder(const G729Decoder&) = delete;
  G729Decoder& operator=(const G729Decoder&) = delete;

  int sample_rate() const override { return 8000; }

  // RFC 3551 4.5.6: N 10-byte frames, optionally followed by one 2-byte SID frame.
  bool Decode(const uint8_t* payload, size_t size, std::vector<int16_t>& out) override {
    const size_t frames = size / kFrameBytes;
    const size_t rest = size % kFrameBytes;
    if (size == 0 || (rest != 0 && rest != kSidBytes)) return false;
    const size_t base = out.size();
    out.resize(base + (frames + (rest ? 1 : 0)) * kFrameSamples);
    int16_t* pcm = out.data() + base;
    for (size_t i = 0; i < frames; ++i) {
      bcg729Decoder(context_, payload + i * kFrameBytes, kFrameBytes, 0, 0, 0,
                    pcm + i * kFrameSamples);
    }
    if (rest) {
      bcg729Decoder(context_, payload + frames * kFrameBytes, kSidBytes, 0, 1, 0,
                    pcm + frames * kFrameSamples);
    }
    return true;
  }

  void Conceal(size_t samples, const uint8_t*, size_t, std::vector<int16_t>& out) override {
    const size_t base = out.size();
    const size_t frames = (samples + kFrameSamples - 1) / kFrameSamples;
    out.resize(base + frames * kFrameSamples);
    for (size_t i = 0; i < frames; ++i) {
      bcg729Decoder(context_, nullptr, 0, 1, 0, 0, out.data() + base + i * kFrameSamples);
    }
    out.resize(base + samples);
  }

  void Reset() override {
    closeBcg729DecoderChannel(context_);
    context_ = initBcg729DecoderChannel();
  }

 private:
  bcg729DecoderChannelContextStruct* context_;
};

}  // namespace

std::unique_ptr<Decoder> MakeG729Decoder() { return std::make_unique<G729Decoder>(); }

}  // namespace kronika::media
