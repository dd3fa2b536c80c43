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
// Defects that do not stop the reading are reported, not refused (issue 14: a metadata defect
// never costs audio): an object without its id is kept with id "" (SBC placeholders,
// completed by a later UPDATE; a placeholder <participant> that names nobody and states no
// stream is dropped, an association element without its id is not applied), and a second <participant>/<stream> with an id already used in the document
// is kept as a separate object with "#2" ("#3", ...) appended to its id, so neither party's
// name and number is lost. The body is decoded first: its XML encoding declaration (or byte
// order mark) is honoured with iconv, and bytes that do not decode become U+FFFD, so every
// string in the result is valid UTF-8.
//
// Threading: pure function, any thread. No I/O.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "kronika/result.h"
#include "kronika/sdp/metadata_document.h"
#include "kronika/sdp/recording_metadata.h"

namespace kronika::sdp {

// RFC 7865 metadata is four elements deep and a few KiB; these bounds keep a hostile body
// from exhausting the stack (a 50,000-deep document crashed recursive tree walks) or memory.
// A body over them is not parsed (the recording goes on, metadata `unparsed`).
inline constexpr size_t kMaxMetadataBytes = 64 * 1024;
inline constexpr int kMaxMetadataDepth = 64;

// Success: the metadata, with every participant/stream/session/group the body names
// (participants referenced only from an association element are created with that id).
// `issues`, when given, receives what had to be worked around (MetadataIssue: empty ids,
// duplicate ids, undecodable bytes, an unknown encoding); empty when the body was read as sent.
// Failure (the body cannot be read at all; ReadMetadataDocument gives the same as an issue):
//   kTooLarge "metadata: 70000 bytes, over the 65536-byte limit"
//   kInvalidInput "metadata: XML parse error at offset N: <reason>"
//   kInvalidInput "metadata: elements nested deeper than 64 levels"
//   kInvalidInput "metadata: root element <x> is not <recording>"
Result<RecordingMetadata> ParseRecordingMetadata(std::string_view xml,
                                                 std::vector<MetadataIssue>* issues = nullptr);

}  // namespace kronika::sdp
