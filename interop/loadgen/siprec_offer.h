// The multipart/mixed body of a SIPREC INVITE as an SBC would send it: SDP with two
// sendonly PCMU streams (labels 1 and 2) and RFC 7865 metadata naming two participants.
#pragma once

#include <string>

namespace kronika::loadgen {

inline constexpr char kBoundary[] = "kronika-loadgen-boundary";

struct OfferParams {
  std::string local_ip;
  int rtp_port = 0;            // both streams advertise the sender thread's port
  int call_index = 0;          // makes numbers and ids unique per call
  bool paused = false;         // a=inactive on both streams (hold)
  bool include_metadata = true;
};

std::string SiprecOfferBody(const OfferParams& params);
// Metadata-only body for an UPDATE (partial update adding nothing but a new session time).
std::string MetadataUpdateBody(int call_index);
std::string MultipartContentType();

}  // namespace kronika::loadgen
