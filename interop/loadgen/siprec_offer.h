// The multipart/mixed body of a SIPREC INVITE as an SBC would send it: SDP with two
// sendonly streams (labels 1 and 2) of one codec plus telephone-event, RTP/AVP or, with an
// SDES key, RTP/SAVP with a=crypto (RFC 4568), and RFC 7865 metadata naming two participants.
#pragma once

#include <string>

#include "codec_encoder.h"

namespace kronika::loadgen {

inline constexpr char kBoundary[] = "kronika-loadgen-boundary";

struct OfferParams {
  std::string local_ip;
  int rtp_port = 0;            // both streams advertise the sender thread's port
  int call_index = 0;          // makes numbers and ids unique per call
  bool paused = false;         // a=inactive on both streams (hold)
  bool include_metadata = true;
  LoadCodec codec = LoadCodec::kPcmu;
  std::string srtp_key;        // base64 SDES master key+salt; "" = plain RTP/AVP
};

std::string SiprecOfferBody(const OfferParams& params);
// Metadata-only body for an UPDATE (partial update adding nothing but a new session time).
std::string MetadataUpdateBody(int call_index);
std::string MultipartContentType();

}  // namespace kronika::loadgen
