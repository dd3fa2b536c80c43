// FuzzSdpOffer: the SDP offer path of an INVITE, re-INVITE or UPDATE
// (fuzz_targets.h).
#include <string>
#include <vector>

#include "fuzz_targets.h"
#include "kronika/sdp/sdp_answer.h"
#include "kronika/sdp/sdp_offer.h"
#include "siprec_steps.h"

namespace kronika::fuzz {
namespace {

// A base64 SDES key of 30 bytes, as NewSrtpKeyBase64() makes them.
constexpr char kLocalKey[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";

}  // namespace

std::vector<std::string> ExerciseSdpOffer(std::string_view sdp) {
  std::vector<std::string> labels;
  Result<sdp::SdpOffer> offer = sdp::ParseSdpOffer(sdp);
  if (!offer.ok()) return labels;
  for (const sdp::OfferedStream &s : offer->streams) labels.push_back(s.label);
  (void)sdp::DirectionName(offer->streams.empty() ? sdp::Direction::kSendRecv : offer->streams[0].direction);

  const sdp::CodecPreferences prefs;
  Result<sdp::Negotiation> negotiation = sdp::Negotiate(*offer, prefs);
  if (!negotiation.ok()) return labels;
  if (negotiation->streams.size() > offer->streams.size()) {
    FuzzContractViolated("sdp_offer: more negotiated streams than offered m-lines");
  }
  size_t previous = 0;
  for (size_t i = 0; i < negotiation->streams.size(); ++i) {
    const size_t index = negotiation->streams[i].index;
    if (index >= offer->streams.size() || (i > 0 && index <= previous)) {
      FuzzContractViolated("sdp_offer: negotiated streams out of m-line order");
    }
    previous = index;
  }
  // As srs does: a port per accepted stream, our key where SRTP was accepted.
  std::vector<std::string> keys;
  uint16_t port = 30000;
  for (sdp::NegotiatedStream &s : negotiation->streams) {
    keys.push_back(s.accepted && s.crypto ? kLocalKey : "");
    if (s.accepted) s.local_port = port += 2;
  }
  const std::string answer = sdp::FormatAnswer(*negotiation, "127.0.0.1", 1, 1, keys);
  // Our answer must parse as SDP again: the SRC receives it.
  if (!sdp::ParseSdpOffer(answer).ok()) FuzzContractViolated("sdp_offer: our answer does not parse");
  const std::string reoffer = sdp::FormatOffer(*negotiation, prefs, "::1", 1, 2, keys);
  if (!sdp::ParseSdpOffer(reoffer).ok())
    FuzzContractViolated("sdp_offer: our re-INVITE offer does not parse");
  return labels;
}

int FuzzSdpOffer(const uint8_t *data, size_t size) {
  (void)ExerciseSdpOffer(std::string_view(reinterpret_cast<const char *>(data), size));
  return 0;
}

}  // namespace kronika::fuzz
