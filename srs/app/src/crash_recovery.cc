// Start-up crash recovery (see crash_recovery.h).
#include "crash_recovery.h"

#include "kronika/media/media_engine.h"
#include "kronika/srs/atrest/recording_keys.h"
#include "kronika/srs/core/log.h"

namespace kronika::srs {

std::vector<std::string> RecoverInterruptedRecordings(const media::MediaConfig& config, RecordingKeys* keys) {
  media::AtRestKeyLookup key_of;
  if (keys != nullptr) key_of = [keys](const std::string& id) { return keys->Get(id); };
  media::InterruptedRecordings result = media::MediaEngine::RecoverInterrupted(config, key_of);
  for (const std::string& id : result.discarded_ids) {
    Logf(LogLevel::kWarn, id, "media: interrupted before any audio was written; partial file deleted");
    if (keys == nullptr) continue;
    if (Status s = keys->Shred(id); !s.ok()) {
      Logf(LogLevel::kError, id, "access: shred data key of deleted recording: %s", s.error().message.c_str());
    }
  }
  return std::move(result.repaired_ids);
}

}  // namespace kronika::srs
