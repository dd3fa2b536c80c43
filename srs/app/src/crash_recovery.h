// Start-up repair of recordings a crash interrupted, aware of encryption at rest (SEC-1).
#pragma once

#include <string>
#include <vector>

#include "kronika/media/media_config.h"

namespace kronika::srs {

class RecordingKeys;

// Runs media::MediaEngine::RecoverInterrupted with the data keys of `keys` (nullptr when
// encryption at rest is off) and returns the ids of the repaired recordings. The data key
// of every recording whose .part was deleted for having no audio is crypto-shredded: no
// key file outlives the recording it belonged to. Blocking disk I/O; call before the
// media engine starts.
std::vector<std::string> RecoverInterruptedRecordings(const media::MediaConfig& config, RecordingKeys* keys);

}  // namespace kronika::srs
