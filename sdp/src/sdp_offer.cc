#include "kronika/sdp/sdp_offer.h"

namespace kronika::sdp {

std::string_view DirectionName(Direction direction) {
  switch (direction) {
    case Direction::kSendRecv: return "sendrecv";
    case Direction::kSendOnly: return "sendonly";
    case Direction::kRecvOnly: return "recvonly";
    case Direction::kInactive: return "inactive";
  }
  return "sendrecv";
}

int PayloadFormat::AudioSampleRateHz() const { return encoding == "G722" ? 16000 : clock_rate; }

bool OfferedStream::OnHold() const {
  return direction == Direction::kInactive || connection_address == "0.0.0.0" || port == 0;
}

Result<SdpOffer> ParseSdpOffer(std::string_view) {
  return MakeError(500, "sdp: not implemented yet");
}

}  // namespace kronika::sdp
