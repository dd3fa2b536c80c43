#include "kronika/sdp/metadata_parser.h"

#include <algorithm>
#include <pugixml.hpp>
#include <string>

#include "metadata_xml.h"

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

Error MissingId(std::string_view element, std::string_view attribute) {
  return MakeError(400,
                   "metadata: <" + std::string(element) + "> without " + std::string(attribute));
}

class Parser {
 public:
  Status Run(const pugi::xml_node& root) {
    for (const pugi::xml_node& child : root.children()) {
      if (child.type() != pugi::node_element) continue;
      Status status = Element(child);
      if (!status.ok()) return status;
    }
    return OkStatus();
  }

  RecordingMetadata& metadata() { return metadata_; }

 private:
  Status Element(const pugi::xml_node& node) {
    if (NameIs(node, "datamode")) {
      std::string mode = TrimmedText(node);
      std::transform(mode.begin(), mode.end(), mode.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      metadata_.mode = mode == "partial" ? DataMode::kPartial : DataMode::kComplete;
      return OkStatus();
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
      return OkStatus();
    }
    metadata_.unknown_xml += Serialize(node);
    return OkStatus();
  }

  Status GroupElement(const pugi::xml_node& node) {
    std::string id = AttributeOf(node, {"group_id", "id"});
    if (id.empty()) return MissingId("group", "group_id");
    Group& group = GetOrAdd(metadata_.groups, id);
    for (const pugi::xml_node& child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      if (ReadTime(child, group.associate_time, group.disassociate_time)) continue;
      AppendExtension(group.extension_xml, child);
    }
    return OkStatus();
  }

  Status SessionElement(const pugi::xml_node& node) {
    std::string id = AttributeOf(node, {"session_id", "id"});
    if (id.empty()) return MissingId("session", "session_id");
    Session& session = GetOrAdd(metadata_.sessions, id);
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
    return OkStatus();
  }

  Status ParticipantElement(const pugi::xml_node& node) {
    std::string id = AttributeOf(node, {"participant_id", "id"});
    if (id.empty()) return MissingId("participant", "participant_id");
    Participant& participant = GetOrAdd(metadata_.participants, id);
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
    return OkStatus();
  }

  Status StreamElement(const pugi::xml_node& node) {
    std::string id = AttributeOf(node, {"stream_id", "id"});
    if (id.empty()) return MissingId("stream", "stream_id");
    Stream& stream = GetOrAdd(metadata_.streams, id);
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
    return OkStatus();
  }

  Status ParticipantSessionAssoc(const pugi::xml_node& node) {
    std::string id = AttributeOf(node, {"participant_id", "participant"});
    if (id.empty()) return MissingId("participantsessionassoc", "participant_id");
    Participant& participant = GetOrAdd(metadata_.participants, id);
    AddUnique(participant.session_ids, AttributeOf(node, {"session_id", "session"}));
    for (const pugi::xml_node& child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      if (ReadTime(child, participant.associate_time, participant.disassociate_time)) continue;
      AppendExtension(participant.extension_xml, child);
    }
    return OkStatus();
  }

  Status ParticipantStreamAssoc(const pugi::xml_node& node) {
    std::string id = AttributeOf(node, {"participant_id", "participant"});
    if (id.empty()) return MissingId("participantstreamassoc", "participant_id");
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
    return OkStatus();
  }

  Status SessionRecordingAssoc(const pugi::xml_node& node) {
    std::string id = AttributeOf(node, {"session_id", "session"});
    if (id.empty()) return MissingId("sessionrecordingassoc", "session_id");
    Session& session = GetOrAdd(metadata_.sessions, id);
    for (const pugi::xml_node& child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      if (ReadTime(child, session.associate_time, session.disassociate_time)) continue;
      AppendExtension(session.extension_xml, child);
    }
    return OkStatus();
  }

  RecordingMetadata metadata_;
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

Result<RecordingMetadata> ParseRecordingMetadata(std::string_view xml) {
  pugi::xml_document doc;
  if (Status loaded = metadata_xml::LoadDocument(doc, xml); !loaded.ok()) return loaded.error();
  pugi::xml_node root = doc.document_element();
  if (!root) return MakeError(400, "metadata: document has no root element");
  if (!NameIs(root, "recording") && !NameIs(root, "recording_metadata")) {
    return MakeError(400, "metadata: root element <" +
                              std::string(metadata_xml::LocalName(root.name())) +
                              "> is not <recording>");
  }
  Parser parser;
  Status status = parser.Run(root);
  if (!status.ok()) return status.error();
  RecordingMetadata metadata = std::move(parser.metadata());
  metadata.ns = RootNamespace(root);
  return metadata;
}

}  // namespace kronika::sdp
