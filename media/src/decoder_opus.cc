#include "decoder_opus.h"

#include <opus/opus.h>

#include <algorithm>

namespace kronika::media {
namespace {

constexpr int kMaxFrameMs = 120;  // longest Opus packet

class OpusDecoderAdapter final : public Decoder {
 public:
  OpusDecoderAdapter(OpusDecoder* decoder, int rate) : decoder_(decoder), rate_(rate) {}
  ~OpusDecoderAdapter() override { opus_decoder_destroy(decoder_); }
  OpusDecoderAdapter(const OpusDecoderAdapter&) = delete;
  OpusDecoderAdapter& operator=(const OpusDecoderAdapter&) = delete;

  int sample_rate() const override { return rate_; }

  bool Decode(const uint8_t* payload, size_t size, std::vector<int16_t>& out) override {
    if (size == 0) return false;
    const size_t base = out.size();
    const int max_samples = rate_ * kMaxFrameMs / 1000;
    out.resize(base + static_cast<size_t>(max_samples));
    const int n = opus_decode(decoder_, payload, static_cast<opus_int32>(size),
                              out.data() + base, max_samples, 0);
    out.resize(base + static_cast<size_t>(n > 0 ? n : 0));
    return n > 0;
  }

  // PLC in 2.5 ms multiples (what libopus accepts); the last piece before `next` comes
  // from its in-band FEC (LBRR) data when the sender encoded any.
  void Conceal(size_t samples, const uint8_t* next, size_t next_size,
               std::vector<int16_t>& out) override {
    const size_t quantum = static_cast<size_t>(rate_) / 400;  // 2.5 ms
    const size_t max_piece = static_cast<size_t>(rate_) / 50;  // 20 ms
    size_t left = samples;
    while (left >= quantum) {
      size_t piece = std::min(left - left % quantum, max_piece);
      // Without LBRR data in `next`, libopus falls back to PLC for this piece.
      const bool fec = next != nullptr && next_size > 0 && left == piece;
      const size_t base = out.size();
      out.resize(base + piece);
      const int n = opus_decode(decoder_, fec ? next : nullptr,
                                fec ? static_cast<opus_int32>(next_size) : 0, out.data() + base,
                                static_cast<int>(piece), fec ? 1 : 0);
      if (n <= 0) {
        std::fill(out.begin() + static_cast<std::ptrdiff_t>(base), out.end(), 0);
      } else if (static_cast<size_t>(n) < piece) {
        std::fill(out.begin() + static_cast<std::ptrdiff_t>(base) + n, out.end(), 0);
      }
      left -= piece;
    }
    out.resize(out.size() + left, 0);
  }

  void Reset() override { opus_decoder_ctl(decoder_, OPUS_RESET_STATE); }

 private:
  OpusDecoder* decoder_;
  int rate_;
};

}  // namespace

std::unique_ptr<Decoder> MakeOpusDecoder(int output_rate_hz) {
  int error = OPUS_OK;
  OpusDecoder* decoder = opus_decoder_create(output_rate_hz, 1, &error);
  if (decoder == nullptr || error != OPUS_OK) return nullptr;
  return std::make_unique<OpusDecoderAdapter>(decoder, output_rate_hz);
}

}  // namespace kronika::media
