// ParseRecordingMetadata: RFC 7865 XML (application/rs-metadata[+xml]) -> RecordingMetadata.
//
// Tolerant by design (see interop-corpus/PROVENANCE.md): element and attribute names are
// compared by local name (prefixes such as `tns:` are ignored); the root may be
// <recording> in `urn:ietf:params:xml:ns:recording:1` or the pre-RFC
// `urn:ietf:params:xml:ns:recording`, or the draft <recording_metadata> in
// `urn:ietf:params:xml:ns:siprec`; ids may be `participant_id=`/`stream_id=`/
// `session_id=`/`group_id=` or plain `id=`; references may be attributes
// (`session=`, `group=`) or elements (`<group-ref>`); <datamode> and <dataMode> both
// work; children may come in any order (Cisco interleaves); stream association may be
// <send>/<recv> inside <participant> (text or draft `<id>` children) or separate
// <participantstreamassoc> elements. <extensiondata> and unknown elements are kept
// verbatim, never dropped.
//
// Threading: pure function, any thread. No I/O.
#pragma once

#include <string_view>

#include "kronika/result.h"
#include "kronika/sdp/recording_metadata.h"

namespace kronika::sdp {

// Success: the metadata, with every participant/stream/session/group the body names
// (participants referenced only from an association element are created with that id).
// Failure: Error{kInvalidInput, "metadata: XML parse error at offset N: <reason>"} for damaged XML,
// Error{kInvalidInput, "metadata: root element <x> is not <recording>"} for a foreign document,
// Error{kInvalidInput, "metadata: <participant> without participant_id"} (same for stream,
// session) when an object cannot be identified.
Result<RecordingMetadata> ParseRecordingMetadata(std::string_view xml);

}  // namespace kronika::sdp
