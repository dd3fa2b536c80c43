#include "kronika/sdp/metadata_parser.h"

namespace kronika::sdp {

Result<RecordingMetadata> ParseRecordingMetadata(std::string_view /*xml*/) {
  return MakeError(400, "metadata: parser not implemented yet");
}

}  // namespace kronika::sdp
