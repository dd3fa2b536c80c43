// Start-up repair of recordings a crash interrupted, aware of encryption at rest (SEC-1),
// and their bookkeeping in the store (issue 12 item 5).
#pragma once

#include <string>
#include <vector>

#include "kronika/media/media_config.h"
#include "kronika/media/media_engine.h"

namespace kronika::srs {

class Metrics;
class RecordingKeys;
class Store;

// Runs media::MediaEngine::RecoverInterrupted with the data keys of `keys` (nullptr when
// encryption at rest is off) and returns the repaired recordings (id, file, recovered
// length and size). The data key of every recording whose .part was deleted for having no
// audio is crypto-shredded: no key file outlives the recording it belonged to. Blocking
// disk I/O; call before the media engine starts.
std::vector<media::RepairedRecording> RecoverInterruptedRecordings(const media::MediaConfig& config,
                                                                   RecordingKeys* keys);

// Writes what recovery found into the store: each repaired recording's record (still
// "active", as the dead process left it) becomes "interrupted", verdict "interrupted",
// with the recovered duration, file size and an end time of start + duration (the end of
// the audio kept), and an "interrupted" timeline event. A repaired file without a record
// (the crash came before its first snapshot was committed) gets a minimal record from its
// id, so the audio can be found. Each record written is counted in `metrics` (may be null)
// as a finished recording (kronika_recordings_finished_total{state,verdict}). A failed
// record without a file (its .part could not be closed when it failed) gets the file, size
// and length and stays failed (counted when it failed). Other records that are not active
// are left alone. Enqueues; the caller flushes.
// Returns how many records were written.
size_t RecordRecoveredRecordings(Store& store, const std::vector<media::RepairedRecording>& repaired,
                                 Metrics* metrics);

}  // namespace kronika::srs
