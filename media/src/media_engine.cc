// Temporary stub so the SIP layer can code against the interface; replaced by the real
// engine (workers, sockets, Opus writer) in the following commits.
#include "kronika/media/media_engine.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <map>
#include <mutex>

namespace kronika::media {
namespace {

class StubMediaEngine final : public MediaEngine {
 public:
  explicit StubMediaEngine(const MediaConfig& config)
      : config_(config), next_port_(config.rtp_port_min), efd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~StubMediaEngine() override { close(efd_); }

  Result<OpenedRecording> Open(const RecordingSpec& spec) override {
    std::lock_guard lock(mu_);
    if (open_.count(spec.recording_id)) return MakeError(500, "media: recording " + spec.recording_id + " already open");
    OpenedRecording r;
    for (size_t i = 0; i < spec.streams.size(); ++i) {
      r.local_ports.push_back(next_port_);
      next_port_ = static_cast<uint16_t>(next_port_ + 2);
    }
    r.file = config_.recordings_dir / (spec.recording_id + ".opus");
    open_[spec.recording_id] = r;
    return r;
  }
  Result<OpenedRecording> Update(const RecordingSpec& spec) override {
    std::lock_guard lock(mu_);
    auto it = open_.find(spec.recording_id);
    if (it == open_.end()) return MakeError(481, "media: no recording " + spec.recording_id);
    return it->second;
  }
  void Close(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto it = open_.find(id);
    if (it == open_.end()) return;
    events_.push_back(MediaEvent{id, MediaEventKind::kFinished, 0, 0, "", it->second.file.string(), 0});
    open_.erase(it);
    uint64_t one = 1;
    (void)!write(efd_, &one, sizeof one);
  }
  std::vector<MediaEvent> TakeEvents() override {
    std::lock_guard lock(mu_);
    uint64_t v;
    (void)!read(efd_, &v, sizeof v);
    return std::exchange(events_, {});
  }
  int event_fd() const override { return efd_; }
  MediaStats Stats() const override { return {}; }

 private:
  MediaConfig config_;
  std::mutex mu_;
  uint16_t next_port_;
  int efd_;
  std::map<std::string, OpenedRecording> open_;
  std::vector<MediaEvent> events_;
};

}  // namespace

Result<std::unique_ptr<MediaEngine>> MediaEngine::Start(const MediaConfig& config) {
  return std::unique_ptr<MediaEngine>(std::make_unique<StubMediaEngine>(config));
}

std::vector<std::string> MediaEngine::RecoverInterrupted(const MediaConfig&) { return {}; }

}  // namespace kronika::media
