#include "kronika/sdp/siprec_body.h"

namespace kronika::sdp {

Result<SiprecBody> ParseSiprecBody(std::string_view, std::string_view) {
  return MakeError(500, "multipart: not implemented yet");
}

}  // namespace kronika::sdp
