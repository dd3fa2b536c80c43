#include "kronika/sdp/recording_metadata.h"

namespace kronika::sdp {

std::vector<MetadataChange> MergeMetadata(RecordingMetadata& current,
                                          const RecordingMetadata& update) {
  current = update;
  current.mode = DataMode::kComplete;
  return {};
}

}  // namespace kronika::sdp
