#include "kronika/sdp/recording_metadata.h"

namespace kronika::sdp {

const Participant* FindParticipant(const RecordingMetadata&, std::string_view) { return nullptr; }
const Stream* FindStream(const RecordingMetadata&, std::string_view) { return nullptr; }
const Stream* FindStreamByLabel(const RecordingMetadata&, std::string_view) { return nullptr; }
const Session* FindSession(const RecordingMetadata&, std::string_view) { return nullptr; }
std::vector<std::string> SendersOf(const RecordingMetadata&, std::string_view) { return {}; }

}  // namespace kronika::sdp
