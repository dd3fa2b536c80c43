#include "leg_pipeline.h"

namespace kronika::media {

class LegPipeline::Impl {
 public:
  explicit Impl(LegConfig config) : config_(std::move(config)) {}
  LegConfig config_;
  LegStats stats_;
  int64_t watermark_ = 0;
};

Status LegPipeline::Validate(const LegConfig&) { return OkStatus(); }
LegPipeline::LegPipeline(LegConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
LegPipeline::~LegPipeline() = default;
void LegPipeline::OnDatagram(const uint8_t*, size_t len, int64_t) {
  ++impl_->stats_.packets;
  impl_->stats_.bytes += len;
}
void LegPipeline::Drain(int64_t, LegSink&) {}
void LegPipeline::Reconfigure(LegConfig config) { impl_->config_ = std::move(config); }
int64_t LegPipeline::watermark() const { return impl_->watermark_; }
const LegStats& LegPipeline::stats() const { return impl_->stats_; }

}  // namespace kronika::media
