// FindMetadataClues: named values an SRC put in RFC 7865 extension data (issue 7,
// CONSENT-1: the consent basis the SRC reports).
//
// The raw metadata document is decoded to UTF-8 (its encoding declaration honoured, as
// ParseRecordingMetadata does) and read with pugixml; names are compared by local name, so any
// namespace and prefix matches. An element whose local name is in `element_names` yields
// its `value_attribute` when it has one, else its text (trimmed); an attribute whose local
// name is `attribute_name` on any element yields its value. The whole document is searched:
// extension data may sit in <extensiondata>, inside a participant/session/group, or in a
// vendor element the parser keeps verbatim (BroadWorks <recording>), and none of the
// RFC 7865 element names is a likely clue name.
//
// Threading: pure function, any thread. No I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kronika/result.h"

namespace kronika::sdp {

struct MetadataClue {
  std::string name;   // local name of the element or attribute
  std::string value;  // as sent (element text trimmed)
};

// Clues in document order, values in UTF-8. Error{kInvalidInput, "metadata: XML parse error at
// offset N: ..."} for damaged XML, kTooLarge / kInvalidInput for a body over the bounds of
// metadata_parser.h.
Result<std::vector<MetadataClue>> FindMetadataClues(std::string_view metadata_xml,
                                                    const std::vector<std::string>& element_names,
                                                    std::string_view attribute_name,
                                                    std::string_view value_attribute);

}  // namespace kronika::sdp
