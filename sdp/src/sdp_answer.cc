#include "kronika/sdp/sdp_answer.h"

namespace kronika::sdp {

Result<Negotiation> Negotiate(const SdpOffer&, const CodecPreferences&) {
  return MakeError(500, "sdp: not implemented yet");
}

std::string FormatAnswer(const Negotiation&, std::string_view, uint64_t, uint64_t,
                         const std::vector<std::string>&) {
  return {};
}

std::string FormatOffer(const Negotiation&, const CodecPreferences&, std::string_view, uint64_t,
                        uint64_t) {
  return {};
}

}  // namespace kronika::sdp
