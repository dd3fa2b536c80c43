// FuzzRecordingMetadata: the RFC 7865 metadata path of an INVITE, re-INVITE or
// UPDATE (fuzz_targets.h).
#include <string>
#include <vector>

#include "fuzz_targets.h"
#include "kronika/policy/consent.h"
#include "kronika/sdp/metadata_clues.h"
#include "kronika/sdp/metadata_parser.h"
#include "kronika/sdp/phone_number.h"
#include "kronika/sdp/recording_metadata.h"
#include "kronika/sdp/stream_mapping.h"
#include "siprec_steps.h"

namespace kronika::fuzz {
namespace {

void CheckMapping(const sdp::StreamMapping &mapping, size_t mlines) {
  if (mapping.streams.size() != mlines) FuzzContractViolated("metadata: MapStreams lost or added an m-line");
  for (size_t i = 0; i < mapping.streams.size(); ++i) {
    if (mapping.streams[i].mline_index != i) FuzzContractViolated("metadata: MapStreams out of m-line order");
  }
}

}  // namespace

void ExerciseMetadata(std::string_view xml, const std::vector<std::string> &sdp_labels) {
  Result<sdp::RecordingMetadata> parsed = sdp::ParseRecordingMetadata(xml);
  if (!parsed.ok()) return;
  // The first snapshot of a session, then the same body again as an update of
  // it.
  sdp::RecordingMetadata merged;
  (void)sdp::MergeMetadata(merged, *parsed);
  (void)sdp::MergeMetadata(merged, *parsed);
  CheckMapping(sdp::MapStreams(sdp_labels, &merged), sdp_labels.size());
  CheckMapping(sdp::MapStreams(sdp_labels, nullptr), sdp_labels.size());
  // Labels from the metadata itself (a body whose SDP matches it).
  std::vector<std::string> own_labels;
  for (const sdp::Stream &s : merged.streams) own_labels.push_back(s.label);
  CheckMapping(sdp::MapStreams(own_labels, &merged), own_labels.size());
  for (const sdp::Participant &p : merged.participants) {
    (void)sdp::FindParticipant(merged, p.id);
    (void)sdp::SendersOf(merged, p.send_stream_ids.empty() ? "" : p.send_stream_ids.front());
    for (const sdp::NameId &n : p.names) {
      (void)sdp::NormalizePhoneNumber(!n.aor.empty() ? n.aor : n.name, "48");
    }
  }
  (void)sdp::FindMetadataClues(xml, {std::string(policy::kConsentClueName), "callingParty"},
                               policy::kConsentClueName, "basis");
}

int FuzzRecordingMetadata(const uint8_t *data, size_t size) {
  const std::string_view xml(reinterpret_cast<const char *>(data), size);
  ExerciseMetadata(xml, {"1", "2"});
  return 0;
}

}  // namespace kronika::fuzz
