// MediaEngine: receives the RTP legs of every recording and writes one Ogg Opus file each.
//
// Threads. The engine owns a fixed pool of media workers (MediaConfig::workers, default
// one per core). Each recording is pinned to one worker (hash(recording_id) % workers);
// that worker alone owns the recording's UDP sockets, RTP pipelines, encoder and file.
// The public methods below are meant for ONE control thread (the SIP thread); Stats() and
// TakeEvents() may be called from any thread. No method blocks on disk or on media: Open
// and Update bind UDP sockets on the calling thread (microseconds) and post a command to
// the worker through a bounded queue; a full queue fails the call (counted in Stats()).
//
// Files. While recording: <recordings_dir>/YYYY/MM/DD/<recording_id>.opus.part (UTC date
// of Open), an Ogg page flushed at least every half second, so a crash loses under 1 s
// counted from the last RTP packet (issue 12 item 5).
// Close finishes the stream, fsyncs and renames to .opus, then reports kFinished. A write
// error (ENOSPC ...) stops the recording: the .part is closed as a playable .opus at once
// (kFailed names it) and the recording leaves recordings_active; its RTP ports stay bound
// until Close, which the caller must still call.
// RecoverInterrupted repairs .part files left by a crash (call it before Start).
//
// Ownership: Start returns the only owner; destroying the engine closes every recording
// (as Close would), joins the workers and releases every port.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "kronika/media/media_config.h"
#include "kronika/media/recording_evidence.h"
#include "kronika/media/sealed_file.h"
#include "kronika/result.h"

namespace kronika::media {

struct OpenedRecording {
  std::vector<uint16_t> local_ports;  // RTP port per stream, same order as RecordingSpec
  std::filesystem::path file;         // final path (<...>/<id>.opus) once Close completes
};

// One recording whose .part a crash left behind, repaired: what the store should now say.
struct RepairedRecording {
  std::string recording_id;
  std::filesystem::path file;  // <id>.opus; a sealed file is <id>.opus.kenc on disk (SEC-1)
                               // but named <id>.opus here, as kFinished names it
  double duration_s = 0;       // audio kept, from the start of the recording's timeline
  uint64_t file_bytes = 0;     // size of the repaired file on disk
};

// What RecoverInterrupted did with the .part files a crash left behind.
struct InterruptedRecordings {
  std::vector<RepairedRecording> repaired;  // now <id>.opus (or <id>.opus.kenc), marked end-of-stream
  std::vector<std::string> discarded_ids;   // deleted: no complete audio page was written
};

enum class MediaEventKind {
  kDtmf,         // RFC 4733 digit on a stream: digit, duration_s
  kRtpTimeout,   // no RTP on a stream for rtp_timeout_ms: silence from timeline_ms
  kRtpResumed,   // RTP back after a timeout
  kFinished,     // file complete and renamed: duration_s = recorded length, detail = path,
                 // evidence = what each leg received
  kFailed,       // recording stopped (write error, disk full...): detail says why, evidence
                 // = what each leg received up to then. What was written is closed at once
                 // as a playable file (salvaged_file, duration_s, file_bytes; salvaged_file
                 // empty when no audio page had been written, the .part then deleted)
  kSourceLatched,  // once per stream: its first source is not on the SDP's host (NAT, or an
                   // SDP with the public address); detail names both
  kRelatched,    // a stream moved to another source or SSRC (after a re-INVITE/UPDATE, or
                 // after the latched one went silent); detail says from, to and why
  kNoRtp,        // once per stream: no RTP accepted no_rtp_warning_ms after it was due
                 // (firewall/NAT on the SRC side?); detail names the ports and what was refused
};

struct MediaEvent {
  std::string recording_id;
  MediaEventKind kind = MediaEventKind::kFailed;
  int64_t timeline_ms = 0;  // position on the recording's timeline (0 = Open)
  char digit = 0;           // kDtmf only: '0'..'9', '*', '#', 'A'..'D'
  std::string label;        // stream label (a=label) for per-stream events, else ""
  std::string detail;       // human-readable; kFinished: the file path
  double duration_s = 0;    // kDtmf: tone length; kFinished: recording length
  uint64_t file_bytes = 0;  // kFinished: size of the finished file
  uint16_t local_port = 0;  // per-stream events: the stream's RTP port
  RecordingEvidence evidence{};  // kFinished, kFailed
  std::filesystem::path salvaged_file{};  // kFailed: the playable file kept (<id>.opus name), or ""
};

// A worker whose event loop has not come round for this long (it wakes every 20 ms when
// idle) counts as stalled in MediaStats: blocked in a write, deadlocked or starved of CPU,
// its recordings lose audio. The daemon's /readyz fails while any worker is stalled.
inline constexpr int kMediaWorkerStallMs = 2000;

// Counters summed over all workers when Stats() is called (for /metrics).
struct MediaStats {
  uint64_t workers = 0;                  // gauge: media worker threads
  uint64_t workers_stalled = 0;          // gauge: workers stalled (kMediaWorkerStallMs)
  uint64_t recordings_active = 0;        // gauge
  uint64_t recordings_opened_total = 0;
  uint64_t recordings_finished_total = 0;
  uint64_t recordings_failed_total = 0;
  uint64_t rtp_ports_in_use = 0;         // gauge
  uint64_t rtp_port_exhausted_total = 0; // Open/Update refused with 503 (no port)
  uint64_t disk_full_refusals_total = 0; // Open refused with 503 (min_free_disk_bytes)
  uint64_t queue_full_total = 0;         // commands refused because a worker queue was full
  uint64_t overload_refusals_total = 0;  // Open refused: the worker was busy >= 95 % of the last second
  uint64_t rtp_packets_total = 0;        // accepted RTP packets
  uint64_t rtp_bytes_total = 0;
  uint64_t rtp_packets_lost_total = 0;   // sequence gaps never filled
  uint64_t rtp_packets_late_total = 0;   // arrived after their place in the file was written
  uint64_t rtp_foreign_source_total = 0; // dropped: source other than the latched one
  uint64_t rtp_not_sdp_host_total = 0;   // dropped (source_check strict): not the SDP's host
  uint64_t rtp_wrong_ssrc_total = 0;     // dropped: the latched source, another SSRC
  uint64_t rtp_relatches_total = 0;      // streams moved to another source or SSRC
  uint64_t rtp_no_media_streams_total = 0;  // streams without RTP no_rtp_warning_ms after due (kNoRtp)
  uint64_t rtp_invalid_total = 0;        // dropped: not RTP / unknown payload / SRTP auth
  uint64_t rtp_timeouts_total = 0;
  uint64_t dtmf_events_total = 0;
  uint64_t file_bytes_written_total = 0;
  uint64_t file_write_errors_total = 0;
  double recorded_seconds_total = 0;     // audio written, all recordings
};

class MediaEngine {
 public:
  // Validates the config, creates the recordings directory and starts the workers.
  // Errors: invalid config (port range, bitrate ...), directory not creatable.
  static Result<std::unique_ptr<MediaEngine>> Start(const MediaConfig& config);

  // Finds recordings cut off by a crash (*.opus.part under recordings_dir), truncates each
  // to its last complete Ogg page, marks it end-of-stream, renames it to .opus and reports
  // its recording id, length and size as repaired. Files with no complete audio page (an empty
  // one too: a sealed recording cut before its data key was durable) are removed and their
  // ids reported as discarded (the caller drops their data keys, SEC-1).
  // SEC-1: a sealed .part is repaired under the key `keys` gives for its recording into a
  // sealed <id>.opus.kenc (no plaintext written); without a key it is left in place.
  // Call before Start, from any thread; blocks on disk.
  static InterruptedRecordings RecoverInterrupted(const MediaConfig& config, const AtRestKeyLookup& keys = {});

  virtual ~MediaEngine() = default;
  MediaEngine(const MediaEngine&) = delete;
  MediaEngine& operator=(const MediaEngine&) = delete;

  // Starts a recording: binds one RTP port per stream and queues the start to the worker.
  // Errors: 503 "media: no free RTP port", 503 "media: disk almost full",
  // 503 "media: worker queue full", 503 "media: worker overloaded" (the recording's worker
  // was busy >= 95 % of the last second: more calls would make every recording on it lose
  // audio), 500 "media: recording <id> already open", 400 no streams or a bad id,
  // 488 "media: ..." codec/SRTP parameters the RTP pipeline cannot handle.
  virtual Result<OpenedRecording> Open(const RecordingSpec& spec) = 0;

  // SEC-1: as Open, but the file is sealed from its first byte under `at_rest_key` (the
  // recording's 32-byte data key, kronika/media/sealed_file.h) and ends as <id>.opus.kenc;
  // OpenedRecording::file and the kFinished path keep the plain <id>.opus name. An empty
  // key is Open. Engines that cannot seal refuse (500) rather than write plaintext.
  virtual Result<OpenedRecording> OpenSealed(const RecordingSpec& spec, const std::string& at_rest_key) {
    if (at_rest_key.empty()) return Open(spec);
    return MakeError(ErrorCode::kInternal, "media: this engine cannot seal recordings");
  }

  // Re-INVITE: pause/resume, codec or remote address change, streams added or removed
  // (matched by mline_index; kept streams keep their port). Channel layout of the file is
  // fixed at Open. Errors: as Open, plus 481 "media: no recording <id>".
  virtual Result<OpenedRecording> Update(const RecordingSpec& spec) = 0;

  // BYE: stops receiving, finishes and closes the file; kFinished (or kFailed) follows as
  // an event. Unknown ids are ignored. Never blocks.
  virtual void Close(const std::string& recording_id) = 0;

  // Pending events in arrival order; empty if none. Thread-safe, non-blocking.
  virtual std::vector<MediaEvent> TakeEvents() = 0;

  // A file descriptor that is readable while events are pending (eventfd; register it with
  // su_root). TakeEvents() clears it. Owned by the engine.
  virtual int event_fd() const = 0;

  virtual MediaStats Stats() const = 0;

 protected:
  MediaEngine() = default;
};

}  // namespace kronika::media
