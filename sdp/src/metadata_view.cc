// MetadataView: the documents of one recording folded into one view and its status.
// (ReadMetadataDocument itself is in metadata_parser.cc, beside the parser it drives.)
#include <algorithm>

#include "kronika/sdp/metadata_document.h"

namespace kronika::sdp {

std::string DescribeIssue(const MetadataIssue& issue) {
  return std::string(MetadataDefectName(issue.defect)) + ": " + issue.detail;
}

MetadataStatus StatusOf(bool have_metadata, const std::vector<MetadataIssue>& issues) {
  if (!have_metadata) return MetadataStatus::kUnparsed;
  return issues.empty() ? MetadataStatus::kComplete : MetadataStatus::kPartial;
}

MetadataStatus MetadataView::status() const { return StatusOf(metadata.has_value(), issues); }

void AddIssue(std::vector<MetadataIssue>& issues, MetadataIssue issue) {
  if (issues.size() >= kMaxMetadataIssues) return;
  if (std::find(issues.begin(), issues.end(), issue) != issues.end()) return;
  issues.push_back(std::move(issue));
}

std::vector<MetadataChange> ApplyMetadataDocument(MetadataView& view, const MetadataDocument& document) {
  if (!document.metadata) {
    for (const MetadataIssue& issue : document.issues) AddIssue(view.issues, issue);
    std::string why = document.issues.empty() ? std::string("unreadable")
                                              : DescribeIssue(document.issues.back());
    return {MetadataChange{"metadata not parsed (" + why + "), kept verbatim"}};
  }
  const bool replaces = document.metadata->mode == DataMode::kComplete;
  if (!view.metadata) view.metadata = RecordingMetadata{};
  std::vector<MetadataChange> changes = MergeMetadata(*view.metadata, *document.metadata);
  if (replaces) view.issues.clear();
  for (const MetadataIssue& issue : document.issues) AddIssue(view.issues, issue);
  return changes;
}

}  // namespace kronika::sdp
