// What the SIP thread does with the parts of a SIPREC body, step by step, for
// the fuzz harnesses (fuzz_targets.h): each step is the public sdp/ API the
// session code calls, in the session code's order. Test-only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kronika::fuzz {

// ParseSdpOffer -> Negotiate -> FormatAnswer (ports and SRTP keys filled in as
// srs does) -> FormatOffer. Returns the a=label of each m-line ("" when absent;
// empty when the offer does not parse).
std::vector<std::string> ExerciseSdpOffer(std::string_view sdp);

// ParseRecordingMetadata -> MergeMetadata (as the first snapshot and as an
// update of a previous one) -> MapStreams against `sdp_labels` (and with no SDP
// at all) -> NormalizePhoneNumber of every participant -> FindMetadataClues for
// the consent policy.
void ExerciseMetadata(std::string_view xml, const std::vector<std::string> &sdp_labels);

}  // namespace kronika::fuzz
