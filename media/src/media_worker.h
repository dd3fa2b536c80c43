// MediaWorker: one thread that owns a shard of the recordings.
//
// It owns, for every recording pinned to it, the UDP sockets (registered with its own
// epoll), the LegPipelines, the Aligner, the Opus encoder and the Ogg writer. Nothing of
// a recording is touched by another thread. Input:
//   - commands (Open / Update / Close) from the SIP thread through a bounded WorkQueue;
//   - datagrams, read with recvmmsg in batches as soon as a socket is readable;
//   - a 20 ms timerfd tick that drains the legs, aligns, encodes and writes.
// Output: MediaEvents on the engine's event queue, finished files to the FileFinisher,
// counters as relaxed atomics that MediaEngine::Stats() sums.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "file_finisher.h"
#include "kronika/media/media_config.h"
#include "kronika/media/media_engine.h"
#include "kronika/result.h"
#include "kronika/thread_role.h"
#include "source_latch.h"
#include "udp_port_pool.h"
#include "work_queue.h"

namespace kronika::media {

inline constexpr int kTickMs = 20;
// Audio not delivered by a leg this long after real time is dropped as late (the legs'
// own reorder delay is 60 ms; this bounds how far the file may lag the network).
inline constexpr int kMaxAlignLagMs = 200;
inline constexpr int kAlignWindowMs = 320;  // must exceed kMaxAlignLagMs + one frame
inline constexpr int kBusyWindowMs = 1000;  // busy_permille is measured over this window

struct WorkerCommand {
  enum class Kind { kOpen, kUpdate, kClose, kStop };
  Kind kind = Kind::kStop;
  std::string recording_id;
  RecordingSpec spec;                 // kOpen, kUpdate
  std::vector<BoundSocket> sockets;   // per spec.streams; fd -1 = the stream keeps its socket
  int64_t t0_ns = 0;                  // kOpen: CLOCK_MONOTONIC at Open
  int64_t update_ns = 0;              // kUpdate: CLOCK_MONOTONIC at Update (a pause starts there)
  int64_t close_ns = 0;               // kClose: CLOCK_MONOTONIC at Close (the file ends there)
  int rate_hz = 8000;                 // kOpen
  int channels = 2;                   // kOpen
  std::filesystem::path part_path;    // kOpen
  std::filesystem::path final_path;   // kOpen
  std::string at_rest_key;            // kOpen: SEC-1 data key, "" = plain Ogg
};

// Per-worker counters; written by the worker, read by anyone.
struct WorkerCounters {
  std::atomic<uint64_t> recordings_active{0};
  std::atomic<uint64_t> recordings_failed{0};
  std::atomic<uint64_t> rtp_packets{0};
  std::atomic<uint64_t> rtp_bytes{0};
  std::atomic<uint64_t> rtp_lost{0};
  std::atomic<uint64_t> rtp_late{0};
  std::atomic<uint64_t> rtp_foreign_source{0};
  std::atomic<uint64_t> rtp_not_sdp_host{0};
  std::atomic<uint64_t> rtp_wrong_ssrc{0};
  std::atomic<uint64_t> rtp_relatches{0};
  std::atomic<uint64_t> rtp_no_media_streams{0};
  std::atomic<uint64_t> rtp_invalid{0};
  std::atomic<uint64_t> rtp_timeouts{0};
  std::atomic<uint64_t> dtmf_events{0};
  std::atomic<uint64_t> file_bytes{0};
  std::atomic<uint64_t> file_write_errors{0};
  std::atomic<uint64_t> frames_written{0};   // 20 ms frames of audio
  std::atomic<uint64_t> late_samples{0};     // aligner: audio later than kMaxAlignLagMs
  std::atomic<uint32_t> busy_permille{0};    // wall time outside epoll_wait, last window
  std::atomic<int64_t> loop_at_ns{0};         // CLOCK_MONOTONIC when the loop last came round (liveness)
};

class MediaWorker {
 public:
  // All pointers are borrowed and must outlive the worker.
  MediaWorker(int index, const MediaConfig& config, UdpPortPool* ports, WorkQueue<MediaEvent>* events,
              FileFinisher* finisher);
  ~MediaWorker();  // Stop()s if running
  MediaWorker(const MediaWorker&) = delete;
  MediaWorker& operator=(const MediaWorker&) = delete;

  // Creates epoll + timerfd and starts the thread. Errors: 500 "media: worker: <strerror>".
  Status Start();
  // Closes every recording (files finished as on Close) and joins. Any thread but its own.
  void Stop();

  // Any thread. TryPost fails (command untouched) when the queue is full.
  bool TryPost(WorkerCommand& command) { return queue_.TryPush(command); }
  void ForcePost(WorkerCommand command) { queue_.ForcePush(std::move(command)); }

  const WorkerCounters& counters() const { return counters_; }

 private:
  struct Stream;
  struct Recording;
  class Sink;

  void Run();
  void HandleCommands();
  void OpenRecording(WorkerCommand& command);
  void UpdateRecording(WorkerCommand& command);
  // close_ns: when the BYE came (the recording ends there even if the worker is behind).
  void CloseRecording(const std::string& id, int64_t close_ns);
  // start_ns: CLOCK_MONOTONIC when the stream was negotiated (Open or the Update adding it).
  std::unique_ptr<Stream> MakeStream(Recording& rec, const StreamSpec& spec, BoundSocket socket, int64_t start_ns);
  // at_ns: when the SIP layer decided the change (WorkerCommand::update_ns).
  void ApplySpec(Stream& stream, const StreamSpec& spec, int64_t at_ns);
  // Reads what the stream's socket still holds and plays out everything it received, then
  // releases the socket: a stream removed by a re-INVITE keeps the audio sent before it.
  void RemoveStream(Recording& rec, std::unique_ptr<Stream> stream, int64_t at_ns);
  // Deregisters and closes the socket (fd -1 from then on); the Stream object stays valid
  // until the end of the current epoll batch (retired_streams_).
  void ReleaseSocket(Stream& stream);
  void ReadSocket(Stream& stream);
  // read_first: read every socket before draining (the epoll batch may have missed some).
  void Tick(int64_t now_ns, bool read_first);
  // One recording's share of a tick; publish: this tick publishes leg stats.
  void TickRecording(Recording& rec, int64_t now_ns, bool read_first, bool publish);
  // The thread boundary's recovery: a recording whose command, socket read or tick threw is
  // failed (kFailed event, so its session ends and says why), its sockets released and it
  // is dropped; the worker and its other recordings go on. `during` names the step for the
  // event's detail.
  void AbandonRecording(const std::string& id, const char* during);
  void Advance(Recording& rec, int64_t now_ns);
  void DrainLegs(Recording& rec, int64_t rel_ns);
  void WriteFrame(Recording& rec, const int16_t* pcm);
  void Fail(Recording& rec, const std::string& why);
  void PublishLegStats(Stream& stream);
  // Commits a decision that moved the latch; reports an SDP mismatch (once) and relatches.
  void OnLatchChange(Stream& stream, const LatchDecision& decision, const Endpoint& sender, uint32_t ssrc,
                     int64_t rel_ns);
  void ReportNoRtp(Recording& rec, Stream& stream, int64_t rel_ns);
  // end_ns: relative to the recording's t0.
  LegEvidence LegEvidenceOf(const Stream& stream, int64_t end_ns) const;
  RecordingEvidence EvidenceOf(const Recording& rec, int64_t end_ns) const;
  void Emit(MediaEvent event);

  const std::string thread_name_;  // "kr-media-<index>": the boundary's and the kernel's name
  const MediaConfig config_;
  const LatchOptions latch_options_;
  UdpPortPool* const ports_;
  WorkQueue<MediaEvent>* const events_;
  FileFinisher* const finisher_;
  WorkQueue<WorkerCommand> queue_;
  WorkerCounters counters_;
  int epoll_fd_ = -1;
  int timer_fd_ = -1;
  std::thread thread_;
  // The recordings, streams and sockets below are this thread's alone (checked in debug builds).
  ThreadRole worker_thread_{"a media worker's recordings"};
  bool stopping_ = false;
  std::unordered_map<std::string, std::unique_ptr<Recording>> recordings_;
  // Commands run before the sockets of an epoll batch are read, so a stream or recording
  // they remove may still be named by an event of that batch: it is kept here (socket
  // closed, fd -1) until the batch is done.
  std::vector<std::unique_ptr<Stream>> retired_streams_;
  std::vector<std::unique_ptr<Recording>> retired_recordings_;
  int ticks_ = 0;
  int64_t last_tick_ns_ = 0;  // CLOCK_MONOTONIC of the last Tick
};

}  // namespace kronika::media
