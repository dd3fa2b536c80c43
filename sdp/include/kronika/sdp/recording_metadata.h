// RecordingMetadata: the RFC 7865 recording metadata model (who talks on which stream).
//
// Plain value types filled by ParseRecordingMetadata() (metadata_parser.h) from any of the
// dialects seen in the field: RFC 7865 (`urn:ietf:params:xml:ns:recording:1`), the pre-RFC
// namespace without `:1` (Acme/Oracle, Sonus, Metaswitch) and the draft
// `<recording_metadata>` schema in `urn:ietf:params:xml:ns:siprec` (BroadWorks, Webex).
// All identifiers and times are kept as the SRC sent them (base64 ids, urn:uuid ids,
// ISO 8601 times, possibly without zone); nothing is normalised here.
//
// Threading: plain data, no shared state; every function here may run on any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kronika::sdp {

// One <nameID aor="..."><name>...</name></nameID> (RFC 7865) or draft <aor>/<name>.
struct NameId {
  std::string aor;   // "sip:9000@192.168.50.102"; may lack a scheme (Sonus, SEMS)
  std::string name;  // display name, trimmed of whitespace and of one pair of
                     // surrounding double quotes (Acme sends &quot;Name&quot;); may be ""
  std::string lang;  // xml:lang of <name>, "" when absent
};

struct Participant {
  std::string id;  // participant_id= / id= attribute
  std::vector<NameId> names;
  std::vector<std::string> send_stream_ids;  // streams this participant sends on
  std::vector<std::string> recv_stream_ids;  // streams this participant receives
  // True when the body stated this participant's stream association (<send>/<recv> or a
  // <participantstreamassoc>, even an empty one). In a partial update it then replaces
  // the previous send/recv lists (RFC 8068 §3.2.2: on hold the held party's <send>
  // disappears); when false the lists are left alone.
  bool has_stream_assoc = false;
  std::vector<std::string> session_ids;  // <participantsessionassoc>, session= attribute
  std::string associate_time;            // from <participantsessionassoc> or inline
  std::string disassociate_time;         // "" while still in the call
  // Verbatim XML of <extensiondata> children and of any child element this parser does
  // not know (serialized, concatenated in document order). "" when none.
  std::string extension_xml;
};

struct Stream {
  std::string id;          // stream_id= / id=
  std::string session_id;  // session_id= / session=
  std::string label;       // <label>: matches SDP a=label of one m-line
  std::string content;     // <content>/<content-type> when present ("main", ...)
  std::string mode;        // draft/Acme <mode> ("separate", "mixed"), "" when absent
  std::string associate_time;
  std::string disassociate_time;
  std::string extension_xml;  // as Participant::extension_xml
};

struct Session {
  std::string id;                            // session_id= / id=
  std::string group_id;                      // <group-ref> or group= attribute
  std::vector<std::string> sip_session_ids;  // <sipSessionID>, whitespace removed
  std::string start_time;                    // <start-time>
  std::string stop_time;                     // <stop-time>
  std::string associate_time;                // inline, or from <sessionrecordingassoc>
  std::string disassociate_time;
  std::string extension_xml;  // as Participant::extension_xml
};

struct Group {
  std::string id;  // group_id= / id=
  std::string associate_time;
  std::string disassociate_time;
  std::string extension_xml;  // e.g. Sonus <callData>, BroadWorks <initiator>
};

// Top-level <extensiondata parent="..."> (draft/BroadWorks) kept verbatim.
struct Extension {
  std::string id;      // id= attribute, may be ""
  std::string parent;  // parent= attribute: id of the object it extends, may be ""
  std::string xml;     // the whole <extensiondata> element serialized
};

enum class DataMode { kComplete, kPartial };

struct RecordingMetadata {
  DataMode mode = DataMode::kComplete;  // <datamode>/<dataMode>; complete when absent
  std::string ns;  // namespace URI of the root element: tells which dialect was sent
  std::vector<Group> groups;
  std::vector<Session> sessions;
  std::vector<Participant> participants;
  // Participants an earlier complete snapshot named and a later one no longer does (a
  // transferred-away party, a conference member who left), as last described. Not part of
  // the SRC's current view (never used for stream mapping), but kept so that the recording
  // stays findable by everyone who was in it. Filled only by MergeMetadata; a participant
  // named again leaves this list.
  std::vector<Participant> departed;
  std::vector<Stream> streams;
  std::vector<Extension> extensions;  // top-level <extensiondata>
  // Verbatim XML of top-level elements this parser does not know (e.g. the draft
  // <recording> element), concatenated in document order. "" when none.
  std::string unknown_xml;
};

// Lookups by id. Return nullptr when absent; the pointer is borrowed from `metadata`
// and valid until it is modified.
const Participant* FindParticipant(const RecordingMetadata& metadata, std::string_view id);
const Stream* FindStream(const RecordingMetadata& metadata, std::string_view id);
const Stream* FindStreamByLabel(const RecordingMetadata& metadata, std::string_view label);
const Session* FindSession(const RecordingMetadata& metadata, std::string_view id);

// Ids of the participants that send on stream `stream_id`, in document order.
std::vector<std::string> SendersOf(const RecordingMetadata& metadata, std::string_view stream_id);

// One human-readable line per change, for the recording timeline, e.g.
// "participant fSD3PFErSjNTHLDiXCELjw== (sip:9000@192.168.50.102) added",
// "stream Q4O8SGLQSilXHUGQX2zd8Q== (label 16777227) disassociated at 2019-03-09T16:51:00".
struct MetadataChange {
  std::string what;
};

// Applies `update` to `current`.
//  - update.mode == kComplete: `current` becomes a copy of `update` (RFC 7865 §6: a
//    complete snapshot replaces everything); the returned changes list what was added,
//    removed or changed compared to the old snapshot. Participants it no longer names
//    move to `current.departed` (their stream associations dropped).
//  - update.mode == kPartial (RFC 7865 §8.2): objects are matched by id; a known object
//    takes every non-empty field of the update (lists of names / stream ids / session
//    ids are unioned), an unknown one is appended. Nothing is removed: departures are
//    expressed by disassociate times, which are reported as "... disassociated at T".
// `current.mode` stays kComplete after a partial merge (it is the merged view).
// Never fails; an update without ids only adds objects.
std::vector<MetadataChange> MergeMetadata(RecordingMetadata& current,
                                          const RecordingMetadata& update);

}  // namespace kronika::sdp
