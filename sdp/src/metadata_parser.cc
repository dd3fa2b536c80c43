#include "kronika/sdp/metadata_parser.h"

#include <algorithm>
#include <pugixml.hpp>
#include <set>
#include <string>

#include "metadata_xml.h"
#include "warning_text.h"
#include "xml_encoding.h"

namespace kronika::sdp {
namespace {

using metadata_xml::AttributeOf;
using metadata_xml::NameIs;
using metadata_xml::Serialize;
using metadata_xml::TextWithoutWhitespace;
using metadata_xml::Trim;
using metadata_xml::TrimmedText;

void AddUnique(std::vector<std::string>& list, std::string value) {
  if (value.empty()) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

template <typename T>
T& GetOrAdd(std::vector<T>& list, const std::string& id) {
  for (T& item : list) {
    if (item.id == id) return item;
  }
  list.emplace_back();
  list.back().id = id;
  return list.back();
}

// Display names: surrounding whitespace and one pair of double quotes go.
std::string CleanName(const std::string& raw) {
  std::string name = Trim(raw);
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = Trim(std::string_view(name).substr(1, name.size() - 2));
  }
  return name;
}

// Sets `field` from a time child (associate-time, ...) when `child` is one.
bool ReadTime(const pugi::xml_node& child, std::string& associate, std::string& disassociate) {
  if (NameIs(child, "associate-time")) {
    associate = TrimmedText(child);
    return true;
  }
  if (NameIs(child, "disassociate-time")) {
    disassociate = TrimmedText(child);
    return true;
  }
  return false;
}

// <send>id</send> (RFC 7865) or <send><id>id</id>...</send> (draft).
void ReadStreamRefs(const pugi::xml_node& node, std::vector<std::string>& into) {
  AddUnique(into, TrimmedText(node));
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() == pugi::node_element && NameIs(child, "id")) {
      AddUnique(into, TrimmedText(child));
    }
  }
}

// Handles <send>/<recv> children shared by <participant> and <participantstreamassoc>.
bool ReadSendRecv(const pugi::xml_node& child, Participant& participant) {
  if (NameIs(child, "send")) {
    ReadStreamRefs(child, participant.send_stream_ids);
    participant.has_stream_assoc = true;
    return true;
  }
  if (NameIs(child, "recv")) {
    ReadStreamRefs(child, participant.recv_stream_ids);
    participant.has_stream_assoc = true;
    return true;
  }
  return false;
}

void AppendExtension(std::string& into, const pugi::xml_node& child) { into += Serialize(child); }

// "1st", "2nd", "3rd", "4th", ... for issue texts.
std::string Ordinal(size_t n) {
  const size_t tens = n % 100;
  const char* suffix = "th";
  if (tens < 11 || tens > 13) {
    if (n % 10 == 1) suffix = "st";
    if (n % 10 == 2) suffix = "nd";
    if (n % 10 == 3) suffix = "rd";
  }
  return std::to_string(n) + suffix;
}

// The first AOR or name a participant carries, for issue texts ("" when none).
std::string FirstName(const Participant& participant) {
  for (const NameId& name : participant.names) {
    if (!name.aor.empty()) return name.aor;
    if (!name.name.empty()) return name.name;
  }
  return "";
}

// `id` + "#2" ("#3", ...): the first such id not yet in `list`.
template <typename T>
std::string UnusedVariantOf(const std::vector<T>& list, const std::string& id) {
  for (size_t n = 2;; ++n) {
    std::string candidate = id + "#" + std::to_string(n);
    if (std::none_of(list.begin(), list.end(), [&](const T& item) { return item.id == candidate; })) {
      return candidate;
    }
  }
}

// Reads the children of the root into metadata(). Never fails: what cannot be read as sent
// is reported in `issues` (see metadata_parser.h).
class Parser {
 public:
  explicit Parser(std::vector<MetadataIssue>& issues) : issues_(issues) {}

  void Run(const pugi::xml_node& root) {
    for (const pugi::xml_node& child : root.children()) {
      if (child.type() == pugi::node_element) Element(child);
    }
  }

  RecordingMetadata& metadata() { return metadata_; }

 private:
  void Issue(MetadataDefect defect, std::string detail) {
    AddIssue(issues_, MetadataIssue{defect, std::move(detail)});
  }

  void MissingId(std::string_view element, size_t ordinal, std::string_view attribute,
                 std::string_view what = "") {
    std::string detail = "the " + Ordinal(ordinal) + " <" + std::string(element) + "> has no " +
                         std::string(attribute);
    if (!what.empty()) detail += " (" + std::string(what) + ")";
    Issue(MetadataDefect::kEmptyId, std::move(detail));
  }

  // The object an element with `id` describes: a new one for an empty id (placeholders are
  // never merged with each other), a new one with a "#n" id when `first_elements` shows an
  // earlier element of this kind already used `id`, else the one with that id (possibly
  // created by an association element).
  template <typename T>
  T& ObjectFor(std::vector<T>& list, std::set<std::string>& first_elements, const std::string& id,
               std::string_view element) {
    if (id.empty()) {
      list.emplace_back();
      return list.back();
    }
    if (!first_elements.insert(id).second) {
      std::string variant = UnusedVariantOf(list, id);
      Issue(MetadataDefect::kDuplicateId, "a second <" + std::string(element) + "> with id " + id +
                                              ", kept as " + variant);
      list.emplace_back();
      list.back().id = std::move(variant);
      return list.back();
    }
    return GetOrAdd(list, id);
  }

  void Element(const pugi::xml_node& node) {
    if (NameIs(node, "datamode")) {
      std::string mode = TrimmedText(node);
      std::transform(mode.begin(), mode.end(), mode.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      metadata_.mode = mode == "partial" ? DataMode::kPartial : DataMode::kComplete;
      return;
    }
    if (NameIs(node, "group")) return GroupElement(node);
    if (NameIs(node, "session")) return SessionElement(node);
    if (NameIs(node, "participant")) return ParticipantElement(node);
    if (NameIs(node, "stream")) return StreamElement(node);
    if (NameIs(node, "participantsessionassoc")) return ParticipantSessionAssoc(node);
    if (NameIs(node, "participantstreamassoc")) return ParticipantStreamAssoc(node);
    if (NameIs(node, "sessionrecordingassoc")) return SessionRecordingAssoc(node);
    if (NameIs(node, "extensiondata")) {
      metadata_.extensions.push_back(
          Extension{AttributeOf(node, {"id"}), AttributeOf(node, {"parent"}), Serialize(node)});
      return;
    }
    metadata_.unknown_xml += Serialize(node);
  }

  void GroupElement(const pugi::xml_node& node) {
    ++groups_seen_;
    std::string id = AttributeOf(node, {"group_id", "id"});
    if (id.empty()) MissingId("group", groups_seen_, "group_id");
    Group& group = id.empty() ? metadata_.groups.emplace_back() : GetOrAdd(metadata_.groups, id);
    for (const pugi::xml_node& child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      if (ReadTime(child, group.associate_time, group.disassociate_time)) continue;
      AppendExtension(group.extension_xml, child);
    }
  }

  void SessionElement(const pugi::xml_node& node) {
    ++sessions_seen_;
    std::string id = AttributeOf(node, {"session_id", "id"});
    if (id.empty()) MissingId("session", sessions_seen_, "session_id");
    Session& session = id.empty() ? metadata_.sessions.emplace_back() : GetOrAdd(metadata_.sessions, id);
    std::string group = AttributeOf(node, {"group_id", "group"});
    if (!group.empty()) session.group_id = group;
    for (const pugi::xml_node& child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      if (ReadTime(child, session.associate_time, session.disassociate_time)) continue;
      if (NameIs(child, "sipSessionID")) {
        AddUnique(session.sip_session_ids, TextWithoutWhitespace(child));
      } else if (NameIs(child, "group-ref")) {
        session.group_id = TrimmedText(child);
      } else if (NameIs(child, "start-time")) {
        session.start_time = TrimmedText(child);
      } else if (NameIs(child, "stop-time")) {
        session.stop_time = TrimmedText(child);
      } else {
        AppendExtension(session.extension_xml, child);
      }
    }
  }

  void ParticipantElement(const pugi::xml_node& node) {
    ++participants_seen_;
    std::string id = AttributeOf(node, {"participant_id", "id"});
    Participant& participant =
        ObjectFor(metadata_.participants, participant_elements_, id, "participant");
    AddUnique(participant.session_ids, AttributeOf(node, {"session_id", "session"}));
    NameId* draft_name = nullptr;  // draft schema: <aor> then <name> as siblings
    for (const pugi::xml_node& child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      if (ReadSendRecv(child, participant)) continue;
      if (ReadTime(child, participant.associate_time, participant.disassociate_time)) continue;
      if (NameIs(child, "nameID")) {
        NameId name{AttributeOf(child, {"aor"}), "", ""};
        pugi::xml_node name_node;
        for (const pugi::xml_node& n : child.children()) {
          if (n.type() == pugi::node_element && NameIs(n, "name")) {
            name_node = n;
            break;
          }
        }
        if (name_node) {
          name.name = CleanName(name_node.text().get());
          name.lang = AttributeOf(name_node, {"lang"});
        }
        participant.names.push_back(std::move(name));
        draft_name = nullptr;
      } else if (NameIs(child, "aor")) {
        participant.names.push_back(NameId{TrimmedText(child), "", ""});
        draft_name = &participant.names.back();
      } else if (NameIs(child, "name")) {
        if (draft_name == nullptr) {
          participant.names.push_back(NameId{});
          draft_name = &participant.names.back();
        }
        draft_name->name = CleanName(child.text().get());
        draft_name->lang = AttributeOf(child, {"lang"});
      } else {
        AppendExtension(participant.extension_xml, child);
      }
    }
    if (id.empty()) {
      const std::string who = FirstName(participant);
      MissingId("participant", participants_seen_, "participant_id",
                who.empty() ? "nobody named, not kept" : who);
      // A placeholder that names nobody and states no stream carries nothing to keep.
      if (who.empty() && !participant.has_stream_assoc) metadata_.participants.pop_back();
    }
  }

  void StreamElement(const pugi::xml_node& node) {
    ++streams_seen_;
    std::string id = AttributeOf(node, {"stream_id", "id"});
    Stream& stream = ObjectFor(metadata_.streams, stream_elements_, id, "stream");
    std::string session = AttributeOf(node, {"session_id", "session"});
    if (!session.empty()) stream.session_id = session;
    for (const pugi::xml_node& child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      if (ReadTime(child, stream.associate_time, stream.disassociate_time)) continue;
      if (NameIs(child, "label")) {
        stream.label = TrimmedText(child);
      } else if (NameIs(child, "content") || NameIs(child, "content-type")) {
        stream.content = TrimmedText(child);
      } else if (NameIs(child, "mode")) {
        stream.mode = TrimmedText(child);
      } else {
        AppendExtension(stream.extension_xml, child);
      }
    }
    if (id.empty()) {
      MissingId("stream", streams_seen_, "stream_id",
                stream.label.empty() ? "" : "label " + stream.label);
    }
  }

  void ParticipantSessionAssoc(const pugi::xml_node& node) {
    ++participant_session_assocs_seen_;
    std::string id = AttributeOf(node, {"participant_id", "participant"});
    if (id.empty()) {
      MissingId("participantsessionassoc", participant_session_assocs_seen_, "participant_id",
                "not applied");
      return;
    }
    Participant& participant = GetOrAdd(metadata_.participants, id);
    AddUnique(participant.session_ids, AttributeOf(node, {"session_id", "session"}));
    for (const pugi::xml_node& child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      if (ReadTime(child, participant.associate_time, participant.disassociate_time)) continue;
      AppendExtension(participant.extension_xml, child);
    }
  }

  void ParticipantStreamAssoc(const pugi::xml_node& node) {
    ++participant_stream_assocs_seen_;
    std::string id = AttributeOf(node, {"participant_id", "participant"});
    if (id.empty()) {
      MissingId("participantstreamassoc", participant_stream_assocs_seen_, "participant_id",
                "not applied");
      return;
    }
    Participant& participant = GetOrAdd(metadata_.participants, id);
    participant.has_stream_assoc = true;
    for (const pugi::xml_node& child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      if (ReadSendRecv(child, participant)) continue;
      // RFC 8068 §3.2.3 puts the association's own associate-time here; it describes
      // the stream association, not the participant's presence, so it is not copied
      // into Participant::associate_time.
      if (NameIs(child, "associate-time") || NameIs(child, "disassociate-time")) continue;
      AppendExtension(participant.extension_xml, child);
    }
  }

  void SessionRecordingAssoc(const pugi::xml_node& node) {
    ++session_recording_assocs_seen_;
    std::string id = AttributeOf(node, {"session_id", "session"});
    if (id.empty()) {
      MissingId("sessionrecordingassoc", session_recording_assocs_seen_, "session_id", "not applied");
      return;
    }
    Session& session = GetOrAdd(metadata_.sessions, id);
    for (const pugi::xml_node& child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      if (ReadTime(child, session.associate_time, session.disassociate_time)) continue;
      AppendExtension(session.extension_xml, child);
    }
  }

  std::vector<MetadataIssue>& issues_;
  RecordingMetadata metadata_;
  // Ids used by <participant> / <stream> elements so far (not by association elements).
  std::set<std::string> participant_elements_;
  std::set<std::string> stream_elements_;
  // Elements of each kind seen so far, to name the one an issue is about.
  size_t groups_seen_ = 0;
  size_t sessions_seen_ = 0;
  size_t participants_seen_ = 0;
  size_t streams_seen_ = 0;
  size_t participant_session_assocs_seen_ = 0;
  size_t participant_stream_assocs_seen_ = 0;
  size_t session_recording_assocs_seen_ = 0;
};

// Namespace URI bound to the root element's prefix (or the default namespace).
std::string RootNamespace(const pugi::xml_node& root) {
  std::string_view name(root.name());
  size_t colon = name.find(':');
  std::string attribute =
      colon == std::string_view::npos ? "xmlns" : "xmlns:" + std::string(name.substr(0, colon));
  return Trim(root.attribute(attribute.c_str()).value());
}

}  // namespace

MetadataDocument ReadMetadataDocument(std::string_view raw, std::string_view charset) {
  MetadataDocument document;
  DecodedXml decoded = DecodeXmlToUtf8(raw, charset);
  document.utf8_xml = std::move(decoded.text);
  document.encoding = std::move(decoded.encoding);
  const auto unparsed = [&document](MetadataDefect defect, const Error& error) {
    // The Error's text without its "metadata: " prefix: the issue says it is metadata.
    std::string_view detail = error.message;
    if (detail.substr(0, 10) == "metadata: ") detail.remove_prefix(10);
    AddIssue(document.issues, MetadataIssue{defect, std::string(detail)});
    return document;
  };
  if (!decoded.encoding_known) {
    AddIssue(document.issues,
             MetadataIssue{MetadataDefect::kUnknownEncoding,
                           "declared encoding " + WarningSafe(decoded.declared, 40) +
                               " is unknown, read as UTF-8"});
  }
  if (decoded.replaced > 0) {
    AddIssue(document.issues,
             MetadataIssue{MetadataDefect::kInvalidBytes,
                           std::to_string(decoded.replaced) + " byte sequence(s) not valid " +
                               document.encoding + " replaced by U+FFFD"});
  }
  if (Status size = metadata_xml::CheckSize(raw); !size.ok()) {
    return unparsed(MetadataDefect::kTooLarge, size.error());
  }
  pugi::xml_document doc;
  MetadataDefect defect = MetadataDefect::kXmlError;
  if (Status loaded = metadata_xml::LoadUtf8Document(doc, document.utf8_xml, &defect); !loaded.ok()) {
    return unparsed(defect, loaded.error());
  }
  pugi::xml_node root = doc.document_element();
  if (!root) {
    return unparsed(MetadataDefect::kXmlError,
                    MakeError(ErrorCode::kInvalidInput, "document has no root element"));
  }
  if (!NameIs(root, "recording") && !NameIs(root, "recording_metadata")) {
    return unparsed(MetadataDefect::kNotRecording,
                    MakeError(ErrorCode::kInvalidInput,
                              "root element <" + WarningSafe(metadata_xml::LocalName(root.name()), 40) +
                                  "> is not <recording>"));
  }
  Parser parser(document.issues);
  parser.Run(root);
  document.metadata = std::move(parser.metadata());
  document.metadata->ns = RootNamespace(root);
  return document;
}

Result<RecordingMetadata> ParseRecordingMetadata(std::string_view xml,
                                                 std::vector<MetadataIssue>* issues) {
  MetadataDocument document = ReadMetadataDocument(xml);
  if (issues != nullptr) *issues = document.issues;
  if (document.metadata) return std::move(*document.metadata);
  // Unparsed: the defect that stopped the reading is the last issue (decoding ones come first).
  const MetadataIssue& why = document.issues.back();
  return MakeError(why.defect == MetadataDefect::kTooLarge ? ErrorCode::kTooLarge
                                                           : ErrorCode::kInvalidInput,
                   "metadata: " + why.detail);
}

}  // namespace kronika::sdp
