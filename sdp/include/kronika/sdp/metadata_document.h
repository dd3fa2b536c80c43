// Metadata documents as received, and the recording's metadata view built from them.
//
// A defect in the metadata never costs audio (issue 14): whatever an SRC sends as RFC 7865
// metadata, the call is recorded. ReadMetadataDocument() reads one metadata body without
// failing - the body is decoded to UTF-8 (its XML encoding declaration or byte order mark
// honoured, undecodable bytes replaced), parsed as far as it can be, and every defect that
// made it less than complete is listed as a MetadataIssue. ApplyMetadataDocument() folds the
// documents of one recording (INVITE, then UPDATE / re-INVITE) into a MetadataView whose
// status() is what the store and the metrics report:
//
//   complete  - every document parsed and nothing in them had to be worked around
//   partial   - metadata was read, but some of it could not be used as sent (issues say what)
//   unparsed  - no document could be read at all (or none was sent)
//
// A later complete snapshot that parses cleanly makes the view complete again (RFC 7865
// section 6: it replaces everything); a partial update adds to it.
//
// Threading: plain values and pure functions, any thread. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/sdp/recording_metadata.h"

namespace kronika::sdp {

enum class MetadataStatus : uint8_t { kComplete, kPartial, kUnparsed };

// "complete", "partial", "unparsed" (stable: stored, shown in the CLI/API/CSV).
constexpr std::string_view MetadataStatusName(MetadataStatus status) {
  switch (status) {
    case MetadataStatus::kComplete: return "complete";
    case MetadataStatus::kPartial: return "partial";
    case MetadataStatus::kUnparsed: return "unparsed";
  }
  return "unparsed";
}

// Inverse of MetadataStatusName(); nullopt for any other text.
constexpr std::optional<MetadataStatus> ParseMetadataStatus(std::string_view name) {
  if (name == "complete") return MetadataStatus::kComplete;
  if (name == "partial") return MetadataStatus::kPartial;
  if (name == "unparsed") return MetadataStatus::kUnparsed;
  return std::nullopt;
}

// Why metadata is not complete. Keep MetadataDefectName() in step when adding one.
enum class MetadataDefect : uint8_t {
  kMissing,          // no metadata part where the recording started (plain SDP accepted)
  kTooLarge,         // over kMaxMetadataBytes: not parsed (kept verbatim)
  kTooDeep,          // elements nested deeper than kMaxMetadataDepth: not parsed
  kXmlError,         // not well-formed XML
  kNotRecording,     // well-formed, but the root is not <recording> / <recording_metadata>
  kUnknownEncoding,  // the declared encoding is not one iconv knows: read as UTF-8
  kInvalidBytes,     // bytes not valid in the document's encoding, replaced by U+FFFD
  kEmptyId,          // an object or association without its id (SBC placeholders)
  kDuplicateId,      // two objects of one kind with the same id in one document
  kUnmappedStream,   // SDP labels and metadata streams disagree (set by the caller, from
                     // StreamMapping::fallback_used): who is on which channel is a guess
};

// Stable snake_case name: a metric label value and the stored reason.
constexpr std::string_view MetadataDefectName(MetadataDefect defect) {
  switch (defect) {
    case MetadataDefect::kMissing: return "missing";
    case MetadataDefect::kTooLarge: return "too_large";
    case MetadataDefect::kTooDeep: return "too_deep";
    case MetadataDefect::kXmlError: return "xml_error";
    case MetadataDefect::kNotRecording: return "not_recording";
    case MetadataDefect::kUnknownEncoding: return "unknown_encoding";
    case MetadataDefect::kInvalidBytes: return "invalid_bytes";
    case MetadataDefect::kEmptyId: return "empty_id";
    case MetadataDefect::kDuplicateId: return "duplicate_id";
    case MetadataDefect::kUnmappedStream: return "unmapped_stream";
  }
  return "unknown";
}

// Every defect, for code that reports all of them (metrics are pre-registered at zero).
inline constexpr MetadataDefect kAllMetadataDefects[] = {
    MetadataDefect::kMissing,         MetadataDefect::kTooLarge,    MetadataDefect::kTooDeep,
    MetadataDefect::kXmlError,        MetadataDefect::kNotRecording, MetadataDefect::kUnknownEncoding,
    MetadataDefect::kInvalidBytes,    MetadataDefect::kEmptyId,     MetadataDefect::kDuplicateId,
    MetadataDefect::kUnmappedStream};

struct MetadataIssue {
  MetadataDefect defect = MetadataDefect::kXmlError;
  // One line of UTF-8 for people and logs, e.g. "<participant> 2 (sip:+48221234567@x)
  // without participant_id", "metadata: XML parse error at offset 88: Start-end tags mismatch".
  std::string detail;

  friend bool operator==(const MetadataIssue&, const MetadataIssue&) = default;
};

// "empty_id: <participant> 2 without participant_id".
std::string DescribeIssue(const MetadataIssue& issue);

struct MetadataDocument {
  std::string utf8_xml;   // the body as valid UTF-8; its declaration says encoding="UTF-8"
  std::string encoding;   // what the bytes were read as: "UTF-8", "ISO-8859-1", "UTF-16LE", ...
  std::optional<RecordingMetadata> metadata;  // nullopt: unparsed (issues say why)
  std::vector<MetadataIssue> issues;          // empty: read completely, as sent
};

// `charset`: the charset parameter of the metadata part's Content-Type (SiprecBody::
// metadata_charset), "" when none. The encoding is, in this order: a byte order mark,
// `charset` (RFC 7303 section 3.2), the XML declaration, UTF-8.
// Never fails. Bodies over kMaxMetadataBytes or nested deeper than kMaxMetadataDepth
// (metadata_parser.h) are not parsed (kTooLarge / kTooDeep) but are still decoded to UTF-8.
MetadataDocument ReadMetadataDocument(std::string_view raw, std::string_view charset = "");

// At most this many issues are kept per recording (an SRC repeating one broken UPDATE must
// not grow the record without bound); identical issues are kept once.
inline constexpr size_t kMaxMetadataIssues = 32;

struct MetadataView {
  std::optional<RecordingMetadata> metadata;  // merged view; nullopt until a document parses
  std::vector<MetadataIssue> issues;          // why it is not complete, oldest first

  MetadataStatus status() const;
};

// Status of a view with `metadata` present or not and these issues.
MetadataStatus StatusOf(bool have_metadata, const std::vector<MetadataIssue>& issues);

// Adds `issue` to `issues` unless an identical one is there or kMaxMetadataIssues is reached.
void AddIssue(std::vector<MetadataIssue>& issues, MetadataIssue issue);

// Folds `document` into `view`:
//  - parsed complete snapshot: replaces the metadata (MergeMetadata) and the issues (with the
//    document's own);
//  - parsed partial update: merged into the metadata (a partial update with no metadata yet
//    starts the view); its issues are added;
//  - unparsed: the metadata is left as it was; the document's issues are added.
// Returns the timeline lines: what changed, and for an unparsed document why it was not read.
std::vector<MetadataChange> ApplyMetadataDocument(MetadataView& view, const MetadataDocument& document);

}  // namespace kronika::sdp
