#include "leg_pipeline.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdlib>
#include <utility>

#include "decoder.h"
#include "decoder_names.h"
#include "dtmf_events.h"
#include "jitter_buffer.h"
#include "resample.h"
#include "rtp_packet.h"
#include "srtp_session.h"

namespace kronika::media {
namespace {

// Thresholds (see the header for the behaviour they shape).
constexpr int64_t kTimestampJumpMs = 1000;    // re-anchor when this far from arrival time
// Offset from arrival time tolerated before correcting. Acting after 2 windows of 0.5 s
// wholly beyond it, a sender clock off by 0.5 % is corrected at <= 10 + 1.5 * 5 < 20 ms
// (the alignment budget); real clocks (<= 100 ppm) are corrected at ~10 ms.
constexpr int64_t kMaxDriftMs = 10;
constexpr int64_t kDriftWindowMs = 500;       // minimum offset is measured per window
constexpr int kDriftWindowsToAct = 2;         // windows in a row beyond kMaxDriftMs
constexpr int64_t kMaxConcealMs = 80;         // PLC per gap; the rest of a gap is silence
constexpr int64_t kStraySsrcMs = 200;         // old-SSRC stragglers after a switch: late
constexpr size_t kMaxBufferedPackets = 200;   // 1 s of 5 ms packets
constexpr int64_t kSeqWindow = 1024;          // duplicate detection reach, in packets
constexpr int64_t kSeqRestart = 3000;         // a jump this large restarts loss accounting
constexpr int64_t kNsPerMs = 1'000'000;
constexpr int kComfortNoisePayloadType = 13;  // RFC 3551 static CN

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

bool SupportedRate(int rate) { return rate == 8000 || rate == 16000; }

}  // namespace

class LegPipeline::Impl {
 public:
  explicit Impl(LegConfig config) : output_rate_(config.output_rate_hz) {
    if (!SupportedRate(output_rate_)) {
      output_rate_ = 8000;
      config_valid_ = false;
    }
    delay_samples_ = kReorderDelay.count() * output_rate_ / 1000;
    Configure(std::move(config));
  }

  void Configure(LegConfig config);
  void Resync() { resync_ = true; }
  bool OnDatagram(const uint8_t* data, size_t len, int64_t arrival_ns);
  PayloadKind Classify(int payload_type) const {
    const int index = format_of_pt_[static_cast<size_t>(payload_type & 0x7f)];
    if (index < 0) {
      return payload_type == kComfortNoisePayloadType ? PayloadKind::kComfortNoise : PayloadKind::kNotNegotiated;
    }
    switch (formats_[static_cast<size_t>(index)].encoding) {
      case Encoding::kCn: return PayloadKind::kComfortNoise;
      case Encoding::kTelephoneEvent: return PayloadKind::kTelephoneEvent;
      default: return PayloadKind::kAudio;
    }
  }
  void Drain(int64_t now_ns, LegSink& sink);

  int64_t watermark() const { return cursor_; }
  const LegStats& stats() const { return stats_; }

 private:
  struct Format {
    PayloadFormat format;
    Encoding encoding = Encoding::kUnknown;
    std::unique_ptr<Decoder> decoder;      // audio encodings only
    std::unique_ptr<Resampler> resampler;  // decoder rate -> output rate
  };

  int64_t MsToSamples(int64_t ms) const { return ms * output_rate_ / 1000; }
  int64_t NsToSamples(int64_t ns) const { return ns / 1000 * output_rate_ / 1'000'000; }
  int64_t PositionOf(int64_t ext_ts, int clock_rate) const {
    return anchor_position_ + FloorDiv((ext_ts - anchor_ext_ts_) * output_rate_, clock_rate);
  }

  bool AcceptSource(const RtpPacket& rtp, int64_t arrival_ns, int64_t arrival_samples);
  void StartEpoch(const RtpPacket& rtp, int64_t arrival_samples);
  // Returns false (with the counter bumped) for duplicates and too-old packets.
  bool TrackSequence(int64_t ext_seq);
  void UpdateLoss();
  void TrackDrift(int64_t offset, int64_t arrival_ns);
  void OnTelephoneEvent(const RtpPacket& rtp, int clock_rate);
  void QueueKeyPress(const KeyPress& press, int clock_rate);

  bool IsLossBefore(const BufferedPacket& next) const;
  void FillGap(int64_t limit, const BufferedPacket* next, LegSink& sink);
  void Conceal(Format& format, int64_t samples, const BufferedPacket* next, LegSink& sink);
  // The current format of a payload type, else the one it had before the last Configure.
  Format* FormatFor(int payload_type);
  void Emit(const BufferedPacket& packet, LegSink& sink);
  void EmitPcm(int64_t position, LegSink& sink);

  // Configuration.
  int output_rate_;
  int64_t delay_samples_ = 0;
  bool config_valid_ = true;
  LegConfig config_;
  std::vector<Format> formats_;
  std::vector<Format> retired_formats_;  // dropped by the last Configure; for buffered packets
  std::array<int, 128> format_of_pt_{};
  std::unique_ptr<SrtpSession> srtp_;
  bool srtp_required_ = false;
  std::vector<uint8_t> srtp_buffer_;

  // Source and anchor.
  bool have_source_ = false;
  uint32_t ssrc_ = 0;
  uint32_t previous_ssrc_ = 0;
  int64_t ssrc_switch_ns_ = 0;
  uint32_t epoch_ = 0;
  int64_t highest_ext_ts_ = 0;
  int64_t anchor_ext_ts_ = 0;
  int64_t anchor_position_ = 0;
  bool resync_ = false;  // place the next audio packet at its arrival (Resync)

  // Sequence numbers of the current epoch.
  int64_t max_seq_ = 0;
  int64_t base_seq_ = 0;
  uint64_t received_ = 0;
  uint64_t lost_in_closed_epochs_ = 0;
  uint64_t expected_in_closed_epochs_ = 0;
  std::bitset<kSeqWindow> seen_;

  // Drift.
  int64_t drift_window_end_ns_ = 0;
  int64_t drift_window_min_ = 0;
  bool drift_window_has_ = false;
  int drift_windows_over_ = 0;

  // Playout.
  JitterBuffer buffer_{kMaxBufferedPackets};
  int64_t cursor_ = 0;            // timeline end of what was emitted or skipped
  bool emitted_any_ = false;
  int64_t audio_end_ = -1;        // timeline end of the last emitted chunk
  uint32_t emitted_epoch_ = 0;
  int64_t emitted_seq_ = 0;       // sequence of the last emitted packet (emitted_epoch_)
  int last_pt_ = -1;              // payload type of the last decoded audio
  int64_t last_packet_samples_ = 0;
  int64_t gap_concealed_ = 0;     // samples concealed in the current gap
  std::vector<int16_t> native_;   // scratch: decoder output
  std::vector<int16_t> pcm_;      // scratch: output-rate PCM

  DtmfEventTracker dtmf_;
  int dtmf_clock_rate_ = 8000;
  std::vector<DtmfEvent> pending_dtmf_;

  LegStats stats_;
};

Status LegPipeline::Validate(const LegConfig& config) {
  if (!SupportedRate(config.output_rate_hz)) {
    return MakeError(ErrorCode::kInvalidInput, "media: recording rate " +
                                                   std::to_string(config.output_rate_hz) +
                                                   " Hz is not 8000 or 16000");
  }
  bool has_audio = false;
  for (const auto& f : config.formats) {
    if (f.payload_type < 0 || f.payload_type > 127) {
      return MakeError(ErrorCode::kNotAcceptable,
                       "media: payload type " + std::to_string(f.payload_type) + " out of range");
    }
    const Encoding e = ParseEncoding(f.encoding);
    if (e == Encoding::kUnknown || f.clock_rate <= 0) {
      return MakeError(ErrorCode::kNotAcceptable, "media: unsupported codec " + f.encoding + "/" +
                                                      std::to_string(f.clock_rate));
    }
    if (e != Encoding::kTelephoneEvent && e != Encoding::kCn) has_audio = true;
  }
  if (!has_audio) return MakeError(ErrorCode::kNotAcceptable, "media: no supported audio codec");
  if (!config.srtp_suite.empty()) {
    auto srtp = SrtpSession::Create(config.srtp_suite, config.srtp_key_b64);
    if (!srtp.ok()) return srtp.error();
  }
  return OkStatus();
}

void LegPipeline::Impl::Configure(LegConfig config) {
  std::vector<Format> formats;
  for (const auto& f : config.formats) {
    if (f.payload_type < 0 || f.payload_type > 127 || f.clock_rate <= 0) continue;
    Format format;
    format.format = f;
    format.encoding = ParseEncoding(f.encoding);
    if (format.encoding == Encoding::kUnknown) continue;
    // Keep the decoder (and its state) of an unchanged payload type across re-INVITEs.
    for (auto& old : formats_) {
      if (old.format.payload_type == f.payload_type && old.encoding == format.encoding &&
          old.format.clock_rate == f.clock_rate) {
        format.decoder = std::move(old.decoder);
        format.resampler = std::move(old.resampler);
      }
    }
    if (!format.decoder && format.encoding != Encoding::kTelephoneEvent &&
        format.encoding != Encoding::kCn) {
      format.decoder = MakeDecoder(f, output_rate_);
      if (!format.decoder) continue;
      format.resampler =
          std::make_unique<Resampler>(format.decoder->sample_rate(), output_rate_);
    }
    formats.push_back(std::move(format));
  }
  retired_formats_.clear();
  for (auto& old : formats_) {
    if (old.decoder) retired_formats_.push_back(std::move(old));
  }
  formats_ = std::move(formats);
  format_of_pt_.fill(-1);
  for (size_t i = 0; i < formats_.size(); ++i) {
    format_of_pt_[static_cast<size_t>(formats_[i].format.payload_type)] = static_cast<int>(i);
  }

  if (config.srtp_suite != config_.srtp_suite || config.srtp_key_b64 != config_.srtp_key_b64 ||
      (!srtp_ && !config.srtp_suite.empty())) {
    srtp_.reset();
    srtp_required_ = !config.srtp_suite.empty();
    if (srtp_required_) {
      auto session = SrtpSession::Create(config.srtp_suite, config.srtp_key_b64);
      if (session.ok()) srtp_ = std::move(*session);
    }
  }
  config_ = std::move(config);
}

bool LegPipeline::Impl::OnDatagram(const uint8_t* data, size_t len, int64_t arrival_ns) {
  if (srtp_required_) {
    if (!srtp_ || len == 0) {
      ++stats_.srtp_failures;
      return false;
    }
    srtp_buffer_.assign(data, data + len);
    switch (srtp_->Unprotect(srtp_buffer_.data(), &len)) {
      case SrtpSession::Verdict::kOk: break;
      case SrtpSession::Verdict::kReplay: ++stats_.duplicate; return false;
      case SrtpSession::Verdict::kFailed: ++stats_.srtp_failures; return false;
    }
    data = srtp_buffer_.data();
  }
  const auto rtp = ParseRtp(data, len);
  if (!rtp || !config_valid_) {
    ++stats_.bad;
    return false;
  }
  int index = format_of_pt_[rtp->payload_type];
  const bool cn_static = index < 0 && rtp->payload_type == kComfortNoisePayloadType;
  if (index < 0 && !cn_static) {
    ++stats_.bad;  // payload type not negotiated
    return false;
  }
  const Encoding encoding = cn_static ? Encoding::kCn : formats_[index].encoding;
  const int clock_rate = cn_static ? 8000 : formats_[index].format.clock_rate;
  const int64_t arrival_samples = NsToSamples(arrival_ns);
  if (!AcceptSource(*rtp, arrival_ns, arrival_samples)) return true;

  // Sequence number: extended within the epoch; duplicates and ancient packets dropped.
  const int64_t ext_seq = max_seq_ + static_cast<int16_t>(rtp->sequence -
                                                          static_cast<uint16_t>(max_seq_));
  if (!TrackSequence(ext_seq)) return true;
  ++stats_.packets;
  stats_.bytes += len;

  const int64_t ext_ts =
      highest_ext_ts_ + static_cast<int32_t>(rtp->timestamp -
                                             static_cast<uint32_t>(highest_ext_ts_));
  if (encoding == Encoding::kTelephoneEvent) {
    OnTelephoneEvent(*rtp, clock_rate);
    return true;
  }
  highest_ext_ts_ = std::max(highest_ext_ts_, ext_ts);

  // A timestamp far away from where the arrival time says it should be, or the first
  // packet after a resume: re-anchor here.
  int64_t position = PositionOf(ext_ts, clock_rate);
  const bool jump = std::llabs(arrival_samples - position) > MsToSamples(kTimestampJumpMs);
  if (jump || resync_) {
    if (jump && !resync_ && ext_seq != max_seq_) {
      // A straggler from before a jump we already re-anchored on: its slot is concealed.
      seen_[static_cast<size_t>(ext_seq % kSeqWindow)] = false;
      ++stats_.late;
      return true;
    }
    anchor_ext_ts_ = ext_ts;
    anchor_position_ = std::max(arrival_samples, cursor_);
    if (jump || std::llabs(anchor_position_ - position) > MsToSamples(kMaxDriftMs)) ++stats_.reanchors;
    position = anchor_position_;
    drift_window_has_ = false;
    drift_windows_over_ = 0;
    resync_ = false;
  }
  TrackDrift(arrival_samples - position, arrival_ns);
  position = PositionOf(ext_ts, clock_rate);

  if (position < cursor_) {
    ++stats_.late;  // its slot was already played (or skipped as silence)
    return true;
  }
  BufferedPacket header;
  header.position = position;
  header.sequence = ext_seq;
  header.epoch = epoch_;
  header.payload_type = rtp->payload_type;
  header.marker = rtp->marker;
  header.comfort_noise = encoding == Encoding::kCn;
  switch (buffer_.Add(header, rtp->payload, rtp->payload_size)) {
    case JitterBuffer::Insert::kInserted: break;
    case JitterBuffer::Insert::kDuplicate: ++stats_.duplicate; break;
    case JitterBuffer::Insert::kFull: ++stats_.bad; break;
  }
  return true;
}

bool LegPipeline::Impl::AcceptSource(const RtpPacket& rtp, int64_t arrival_ns,
                                     int64_t arrival_samples) {
  if (have_source_ && rtp.ssrc == ssrc_) return true;
  if (have_source_ && rtp.ssrc == previous_ssrc_ &&
      arrival_ns - ssrc_switch_ns_ < kStraySsrcMs * kNsPerMs) {
    ++stats_.late;  // a straggler of the stream we just switched away from
    return false;
  }
  if (have_source_) {
    ++stats_.ssrc_changes;
    ++stats_.reanchors;
    previous_ssrc_ = ssrc_;
    ssrc_switch_ns_ = arrival_ns;
    if (auto pending = dtmf_.Reset()) QueueKeyPress(*pending, dtmf_clock_rate_);
  }
  have_source_ = true;
  ssrc_ = rtp.ssrc;
  StartEpoch(rtp, arrival_samples);
  return true;
}

void LegPipeline::Impl::StartEpoch(const RtpPacket& rtp, int64_t arrival_samples) {
  if (received_ > 0) UpdateLoss();
  lost_in_closed_epochs_ = stats_.lost;
  expected_in_closed_epochs_ = stats_.expected;
  ++epoch_;
  max_seq_ = base_seq_ = int64_t{rtp.sequence} + 65536;  // room to extend downwards
  received_ = 0;
  seen_.reset();
  highest_ext_ts_ = int64_t{rtp.timestamp} + (int64_t{1} << 32);
  anchor_ext_ts_ = highest_ext_ts_;
  anchor_position_ = std::max(arrival_samples, cursor_);
  drift_window_has_ = false;
  drift_windows_over_ = 0;
}

bool LegPipeline::Impl::TrackSequence(int64_t ext_seq) {
  const int64_t ahead = ext_seq - max_seq_;
  if (received_ > 0 && std::llabs(ahead) > kSeqRestart) {
    // The sender restarted its sequence numbers without a new SSRC: start over.
    UpdateLoss();
    lost_in_closed_epochs_ = stats_.lost;
    expected_in_closed_epochs_ = stats_.expected;
    max_seq_ = base_seq_ = ext_seq;
    received_ = 0;
    seen_.reset();
  } else if (received_ > 0 && ahead <= 0) {
    if (-ahead >= kSeqWindow) {
      ++stats_.late;
      return false;
    }
    if (seen_[static_cast<size_t>(ext_seq % kSeqWindow)]) {
      ++stats_.duplicate;
      return false;
    }
    ++stats_.reordered;
  } else if (received_ > 0) {
    for (int64_t s = max_seq_ + 1; s < ext_seq && s <= max_seq_ + kSeqWindow; ++s) {
      seen_[static_cast<size_t>(s % kSeqWindow)] = false;
    }
    max_seq_ = ext_seq;
  } else {
    max_seq_ = base_seq_ = ext_seq;
  }
  base_seq_ = std::min(base_seq_, ext_seq);
  seen_[static_cast<size_t>(ext_seq % kSeqWindow)] = true;
  ++received_;
  UpdateLoss();
  return true;
}

void LegPipeline::Impl::UpdateLoss() {
  const int64_t expected = max_seq_ - base_seq_ + 1;
  const int64_t lost = expected - static_cast<int64_t>(received_);
  stats_.lost = lost_in_closed_epochs_ + static_cast<uint64_t>(std::max<int64_t>(lost, 0));
  stats_.expected = expected_in_closed_epochs_ + static_cast<uint64_t>(std::max<int64_t>(expected, 0));
}

// Jitter only ever delays packets, so the smallest offset (arrival - position) in a window
// is the clock offset. If it stays beyond kMaxDriftMs, move the anchor by that much.
void LegPipeline::Impl::TrackDrift(int64_t offset, int64_t arrival_ns) {
  if (!drift_window_has_) {
    drift_window_has_ = true;
    drift_window_min_ = offset;
    drift_window_end_ns_ = arrival_ns + kDriftWindowMs * kNsPerMs;
    return;
  }
  drift_window_min_ = std::min(drift_window_min_, offset);
  if (arrival_ns < drift_window_end_ns_) return;
  const int64_t window_min = drift_window_min_;
  drift_window_min_ = offset;
  drift_window_end_ns_ = arrival_ns + kDriftWindowMs * kNsPerMs;
  if (std::llabs(window_min) <= MsToSamples(kMaxDriftMs)) {
    drift_windows_over_ = 0;
    return;
  }
  if (++drift_windows_over_ < kDriftWindowsToAct) return;
  const int64_t correction = window_min;  // the most recent estimate of the offset
  anchor_position_ += correction;
  buffer_.Shift(epoch_, correction);
  drift_window_min_ = offset - correction;
  drift_windows_over_ = 0;
  ++stats_.reanchors;
}

void LegPipeline::Impl::OnTelephoneEvent(const RtpPacket& rtp, int clock_rate) {
  const auto outcome = dtmf_.OnPacket(rtp.timestamp, rtp.payload, rtp.payload_size);
  if (outcome.malformed) ++stats_.bad;
  dtmf_clock_rate_ = clock_rate;
  for (size_t i = 0; i < outcome.report_count; ++i) QueueKeyPress(outcome.reports[i], clock_rate);
}

void LegPipeline::Impl::QueueKeyPress(const KeyPress& press, int clock_rate) {
  // The press's extended start timestamp is the one nearest to the stream's timestamps.
  const int64_t start = highest_ext_ts_ + static_cast<int32_t>(
                                              press.timestamp -
                                              static_cast<uint32_t>(highest_ext_ts_));
  pending_dtmf_.push_back(DtmfEvent{
      PositionOf(start, clock_rate), press.digit,
      static_cast<int>(int64_t{press.duration_ticks} * 1000 / clock_rate)});
  ++stats_.dtmf_events;
}

void LegPipeline::Impl::Drain(int64_t now_ns, LegSink& sink) {
  for (const auto& event : pending_dtmf_) sink.OnDtmf(event);
  pending_dtmf_.clear();

  const int64_t target = NsToSamples(now_ns) - delay_samples_;
  while (!buffer_.empty() && buffer_.front().position <= target) {
    const BufferedPacket& next = buffer_.front();
    if (next.position > cursor_) FillGap(next.position, &next, sink);
    cursor_ = std::max(cursor_, next.position);
    Emit(next, sink);
    buffer_.PopFront();
  }
  // Nothing more is due. The part of a gap whose time has passed is concealed (when a
  // later packet proves a loss) or skipped as silence.
  const BufferedPacket* next = buffer_.empty() ? nullptr : &buffer_.front();
  const int64_t limit = next ? std::min(next->position, target) : target;
  if (limit > cursor_) FillGap(limit, next, sink);
}

bool LegPipeline::Impl::IsLossBefore(const BufferedPacket& next) const {
  if (!emitted_any_ || next.marker || next.comfort_noise || next.epoch != emitted_epoch_) {
    return false;
  }
  if (next.sequence <= emitted_seq_ + 1) return false;
  // Sequence numbers in between that never arrived (telephone-event packets did arrive).
  for (int64_t s = emitted_seq_ + 1; s < next.sequence && s <= emitted_seq_ + 64; ++s) {
    if (max_seq_ - s >= kSeqWindow || !seen_[static_cast<size_t>(s % kSeqWindow)]) return true;
  }
  return next.sequence > emitted_seq_ + 64;
}

// Advances cursor_ to `limit`: PLC while the gap is a proven loss and within
// kMaxConcealMs, silence (no chunk) for the rest.
void LegPipeline::Impl::FillGap(int64_t limit, const BufferedPacket* next, LegSink& sink) {
  // Conceal a loss proven by a later packet, from the end of the last audio: a gap whose
  // start already passed as silence (nothing buffered then) stays silence.
  const bool loss = next != nullptr && cursor_ == audio_end_ && IsLossBefore(*next);
  Format* format = last_pt_ >= 0 ? FormatFor(last_pt_) : nullptr;
  if (loss && format != nullptr && format->decoder) {
    while (cursor_ < limit && gap_concealed_ < MsToSamples(kMaxConcealMs)) {
      // Conceal in packet-sized pieces; the piece that ends at `next` may use its FEC.
      const int64_t piece = std::min({std::max<int64_t>(last_packet_samples_, 1),
                                      next ? next->position - cursor_ : INT64_MAX,
                                      MsToSamples(kMaxConcealMs) - gap_concealed_});
      if (piece <= 0) break;
      Conceal(*format, piece, next, sink);
    }
  }
  cursor_ = std::max(cursor_, limit);
}

void LegPipeline::Impl::Conceal(Format& format, int64_t samples, const BufferedPacket* next,
                                LegSink& sink) {
  const int native_rate = format.decoder->sample_rate();
  const size_t native = static_cast<size_t>(samples * native_rate / output_rate_);
  const bool fec = next != nullptr && next->payload_type == last_pt_ &&
                   cursor_ + samples == next->position;
  native_.clear();
  format.decoder->Conceal(native, fec ? next->payload.data() : nullptr,
                          fec ? next->payload.size() : 0, native_);
  pcm_.clear();
  format.resampler->Process(native_.data(), native_.size(), pcm_);
  // Resampling may round by a sample; the gap is what the timeline says.
  pcm_.resize(static_cast<size_t>(samples), 0);
  stats_.concealed_samples += static_cast<uint64_t>(samples);
  gap_concealed_ += samples;
  EmitPcm(cursor_, sink);
}

void LegPipeline::Impl::Emit(const BufferedPacket& packet, LegSink& sink) {
  if (packet.epoch != emitted_epoch_) {
    for (auto& f : formats_) {
      if (f.decoder) f.decoder->Reset();
      if (f.resampler) f.resampler->Reset();
    }
  }
  emitted_any_ = true;
  emitted_epoch_ = packet.epoch;
  emitted_seq_ = packet.sequence;
  gap_concealed_ = 0;
  if (packet.comfort_noise) return;  // silence until the next packet: no chunk
  Format* found = FormatFor(packet.payload_type);
  if (found == nullptr || !found->decoder) {
    ++stats_.bad;
    return;
  }
  Format& format = *found;
  native_.clear();
  if (!format.decoder->Decode(packet.payload.data(), packet.payload.size(), native_)) {
    ++stats_.bad;
    return;
  }
  pcm_.clear();
  format.resampler->Process(native_.data(), native_.size(), pcm_);
  last_pt_ = packet.payload_type;
  last_packet_samples_ = static_cast<int64_t>(pcm_.size());
  if (stats_.codec != EncodingName(format.encoding)) {
    stats_.codec = std::string(EncodingName(format.encoding));
    if (std::find(stats_.codecs_seen.begin(), stats_.codecs_seen.end(), stats_.codec) == stats_.codecs_seen.end()) {
      stats_.codecs_seen.push_back(stats_.codec);
    }
  }
  EmitPcm(packet.position, sink);
}

// Emits pcm_ at `position`, trimming what overlaps already emitted audio.
void LegPipeline::Impl::EmitPcm(int64_t position, LegSink& sink) {
  const int64_t skip = std::max<int64_t>(cursor_ - position, 0);
  if (skip >= static_cast<int64_t>(pcm_.size())) return;
  PcmChunk chunk;
  chunk.start_sample = position + skip;
  chunk.samples = pcm_.data() + skip;
  chunk.count = pcm_.size() - static_cast<size_t>(skip);
  sink.OnAudio(chunk);
  cursor_ = position + static_cast<int64_t>(pcm_.size());
  audio_end_ = cursor_;
}

LegPipeline::Impl::Format* LegPipeline::Impl::FormatFor(int payload_type) {
  const int index = format_of_pt_[static_cast<size_t>(payload_type & 0x7f)];
  if (index >= 0) return &formats_[static_cast<size_t>(index)];
  for (auto& f : retired_formats_) {
    if (f.format.payload_type == payload_type) return &f;
  }
  return nullptr;
}

LegPipeline::LegPipeline(LegConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
LegPipeline::~LegPipeline() = default;
bool LegPipeline::OnDatagram(const uint8_t* data, size_t len, int64_t arrival_ns) {
  return impl_->OnDatagram(data, len, arrival_ns);
}
LegPipeline::PayloadKind LegPipeline::Classify(int payload_type) const { return impl_->Classify(payload_type); }
void LegPipeline::Drain(int64_t now_ns, LegSink& sink) { impl_->Drain(now_ns, sink); }
void LegPipeline::Reconfigure(LegConfig config) { impl_->Configure(std::move(config)); }
void LegPipeline::Resync() { impl_->Resync(); }
int64_t LegPipeline::watermark() const { return impl_->watermark(); }
const LegStats& LegPipeline::stats() const { return impl_->stats(); }

}  // namespace kronika::media
