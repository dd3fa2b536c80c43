#include "kronika/sdp/stream_mapping.h"

namespace kronika::sdp {

StreamMapping MapStreams(const std::vector<std::string>& sdp_labels,
                         const RecordingMetadata* /*metadata*/) {
  StreamMapping mapping;
  for (size_t i = 0; i < sdp_labels.size(); ++i) {
    StreamAssignment a;
    a.mline_index = i;
    a.label = sdp_labels[i];
    a.channel = sdp_labels.size() == 1 ? kChannelMixedMono : (i < 2 ? static_cast<int>(i) : kChannelMixedMono);
    mapping.streams.push_back(a);
  }
  mapping.mixed_single_stream = sdp_labels.size() == 1;
  return mapping;
}

}  // namespace kronika::sdp
