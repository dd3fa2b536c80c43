// Codecs of the access tables (see access_codecs.h).
#include "access_codecs.h"

#include <charconv>

#include "kronika/srs/core/json_fields.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/store/record_codec.h"

namespace kronika::srs {
namespace {

constexpr char kUsers[] = "access.users";
constexpr char kTokens[] = "access.tokens";
constexpr char kRequests[] = "access.requests";
constexpr char kDisclosures[] = "access.disclosures";
constexpr char kRestrictions[] = "access.restrictions";
constexpr char kMeta[] = "access.meta";

bool IsJson(std::string_view bytes) { return !bytes.empty() && bytes.front() == '{'; }

Status CheckVersion(RecordReader& r, const char* table, uint64_t newest = kAccessRowVersion,
                    uint64_t* version_out = nullptr) {
  uint64_t version = 0;
  if (!r.U(version)) return MalformedRow(table, "version");
  if (version == 0 || version > newest) return UnknownRowVersion(table, version, newest);
  if (version_out != nullptr) *version_out = version;
  return OkStatus();
}

// ---- binary pieces shared by several tables ----

void WriteStrings(RecordWriter& w, const std::vector<std::string>& v) {
  w.U(v.size());
  for (const std::string& s : v) w.Str(s);
}
bool ReadStrings(RecordReader& r, std::vector<std::string>& v) {
  size_t n = 0;
  if (!r.Count(n)) return false;
  v.resize(n);
  for (std::string& s : v) {
    if (!r.Str(s)) return false;
  }
  return true;
}

void WriteDecision(RecordWriter& w, const std::optional<ApproverDecision>& d) {
  w.Bool(d.has_value());
  if (!d) return;
  w.Str(d->by);
  w.Str(d->by_name);
  w.S(d->at_ms_utc);
  w.Bool(d->granted);
  w.Str(d->note);
  w.S(d->valid_until_ms_utc);
}
bool ReadDecision(RecordReader& r, std::optional<ApproverDecision>& d) {
  bool present = false;
  if (!r.Bool(present)) return false;
  if (!present) return true;
  ApproverDecision x;
  if (!r.Str(x.by) || !r.Str(x.by_name) || !r.S(x.at_ms_utc) || !r.Bool(x.granted) || !r.Str(x.note) ||
      !r.S(x.valid_until_ms_utc)) {
    return false;
  }
  d = std::move(x);
  return true;
}

void WritePurge(RecordWriter& w, const std::optional<ExportPurge>& p) {
  w.Bool(p.has_value());
  if (!p) return;
  w.S(p->at_ms_utc);
  w.Str(p->by);
  w.Str(p->reason);
  WriteStrings(w, p->recording_ids);
  w.Bool(p->package_was_gone);
}
bool ReadPurge(RecordReader& r, std::optional<ExportPurge>& p) {
  bool present = false;
  if (!r.Bool(present)) return false;
  if (!present) return true;
  ExportPurge x;
  if (!r.S(x.at_ms_utc) || !r.Str(x.by) || !r.Str(x.reason) || !ReadStrings(r, x.recording_ids) ||
      !r.Bool(x.package_was_gone)) {
    return false;
  }
  p = std::move(x);
  return true;
}

void WriteOpinion(RecordWriter& w, const std::optional<RequestOpinion>& o) {
  w.Bool(o.has_value());
  if (!o) return;
  w.Str(o->by);
  w.S(o->at_ms_utc);
  w.Bool(o->favourable);
  w.Str(o->text);
}
bool ReadOpinion(RecordReader& r, std::optional<RequestOpinion>& o) {
  bool present = false;
  if (!r.Bool(present)) return false;
  if (!present) return true;
  RequestOpinion x;
  if (!r.Str(x.by) || !r.S(x.at_ms_utc) || !r.Bool(x.favourable) || !r.Str(x.text)) return false;
  o = std::move(x);
  return true;
}

// ---- JSON (version 0) pieces ----

// A text field that old rows may hold as any JSON value: strings as they are, other
// values as their JSON text (the register printed them that way).
bool ReadLooseText(const nlohmann::json& j, const char* key, std::string& out) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return true;
  out = j[key].is_string() ? j[key].get<std::string>() : DumpJson(j[key]);
  return true;
}

bool ReadStringArray(const nlohmann::json& j, const char* key, std::vector<std::string>& out) {
  nlohmann::json array = nlohmann::json::array();
  if (!ReadArray(j, key, array)) return false;
  for (const nlohmann::json& e : array) {
    if (!e.is_string()) return false;
    out.push_back(e.get<std::string>());
  }
  return true;
}

bool DecisionFromJson(const nlohmann::json& j, std::optional<ApproverDecision>& out) {
  nlohmann::json d;
  if (!ReadObject(j, "decision", d)) return false;
  if (d.is_null()) return true;
  ApproverDecision x;
  if (!ReadString(d, "by", x.by) || !ReadString(d, "by_name", x.by_name) || !ReadInt(d, "at_ms_utc", x.at_ms_utc) ||
      !ReadBool(d, "granted", x.granted) || !ReadString(d, "note", x.note) ||
      !ReadInt(d, "valid_until_ms_utc", x.valid_until_ms_utc)) {
    return false;
  }
  out = std::move(x);
  return true;
}

bool OpinionFromJson(const nlohmann::json& opinions, const char* kind, std::optional<RequestOpinion>& out) {
  nlohmann::json o;
  if (!ReadObject(opinions, kind, o)) return false;
  if (o.is_null()) return true;
  RequestOpinion x;
  if (!ReadString(o, "by", x.by) || !ReadInt(o, "at_ms_utc", x.at_ms_utc) || !ReadBool(o, "favourable", x.favourable) ||
      !ReadLooseText(o, "text", x.text)) {
    return false;
  }
  out = std::move(x);
  return true;
}

Result<User> UserFromJson(std::string_view text) {
  const nlohmann::json j = ParseJsonObject(text);
  if (j.is_discarded()) return MalformedRow(kUsers, "JSON object");
  User u;
  if (!ReadString(j, "username", u.username)) return MalformedRow(kUsers, "username");
  if (!ReadString(j, "name", u.name)) return MalformedRow(kUsers, "name");
  if (!ReadString(j, "surname", u.surname)) return MalformedRow(kUsers, "surname");
  if (!ReadString(j, "position", u.position)) return MalformedRow(kUsers, "position");
  if (!ReadBool(j, "disabled", u.disabled)) return MalformedRow(kUsers, "disabled");
  if (!ReadInt(j, "created_ms_utc", u.created_ms_utc)) return MalformedRow(kUsers, "created_ms_utc");
  if (!ReadString(j, "authorised_by", u.authorised_by)) return MalformedRow(kUsers, "authorised_by");
  std::vector<std::string> roles;
  if (!ReadStringArray(j, "roles", roles)) return MalformedRow(kUsers, "roles");
  for (const std::string& name : roles) {
    if (std::optional<Role> role = ParseRole(name)) u.roles.insert(*role);  // unknown: dropped, as before
  }
  return u;
}

Result<ApiToken> TokenFromJson(std::string_view text) {
  const nlohmann::json j = ParseJsonObject(text);
  if (j.is_discarded()) return MalformedRow(kTokens, "JSON object");
  ApiToken t;
  if (!ReadString(j, "username", t.username)) return MalformedRow(kTokens, "username");
  if (!ReadString(j, "label", t.label)) return MalformedRow(kTokens, "label");
  if (!ReadString(j, "salt", t.salt_hex)) return MalformedRow(kTokens, "salt");
  if (!ReadString(j, "sha256", t.sha256_hex)) return MalformedRow(kTokens, "sha256");
  if (!ReadInt(j, "created_ms_utc", t.created_ms_utc)) return MalformedRow(kTokens, "created_ms_utc");
  return t;
}

Result<PlaybackRequest> RequestFromJson(std::string_view text) {
  const nlohmann::json j = ParseJsonObject(text);
  if (j.is_discarded()) return MalformedRow(kRequests, "JSON object");
  PlaybackRequest r;
  if (!ReadString(j, "id", r.id)) return MalformedRow(kRequests, "id");
  if (!ReadString(j, "requester", r.requester)) return MalformedRow(kRequests, "requester");
  if (!ReadStringArray(j, "recording_ids", r.recording_ids)) return MalformedRow(kRequests, "recording_ids");
  if (!ReadString(j, "reason", r.reason)) return MalformedRow(kRequests, "reason");
  if (!ReadString(j, "reason_text", r.reason_text)) return MalformedRow(kRequests, "reason_text");
  if (!ReadString(j, "justification", r.justification)) return MalformedRow(kRequests, "justification");
  if (!ReadString(j, "caller_number", r.caller_number)) return MalformedRow(kRequests, "caller_number");
  nlohmann::json protocol = nlohmann::json::object();
  if (!ReadObject(j, "protocol", protocol) || !ReadLooseText(protocol, "causes", r.protocol.causes) ||
      !ReadLooseText(protocol, "actions", r.protocol.actions) ||
      !ReadLooseText(protocol, "follow_up", r.protocol.follow_up)) {
    return MalformedRow(kRequests, "protocol");
  }
  if (!ReadString(j, "status", r.status)) return MalformedRow(kRequests, "status");
  if (!ReadInt(j, "created_ms_utc", r.created_ms_utc)) return MalformedRow(kRequests, "created_ms_utc");
  nlohmann::json opinions = nlohmann::json::object();
  if (!ReadObject(j, "opinions", opinions) || !OpinionFromJson(opinions, "dpo", r.dpo_opinion) ||
      !OpinionFromJson(opinions, "unit_head", r.unit_head_opinion)) {
    return MalformedRow(kRequests, "opinions");
  }
  if (!DecisionFromJson(j, r.decision)) return MalformedRow(kRequests, "decision");
  nlohmann::json informed = nlohmann::json::object();
  if (!ReadObject(j, "informed", informed)) return MalformedRow(kRequests, "informed");
  for (const auto& [recording_id, entry] : informed.items()) {
    EmployeeInformed x;
    if (!entry.is_object() || !ReadString(entry, "by", x.by) || !ReadInt(entry, "at_ms_utc", x.at_ms_utc) ||
        !ReadString(entry, "how", x.how)) {
      return MalformedRow(kRequests, "informed");
    }
    r.informed.emplace(recording_id, std::move(x));
  }
  return r;
}

Result<Disclosure> DisclosureFromJson(std::string_view text) {
  const nlohmann::json j = ParseJsonObject(text);
  if (j.is_discarded()) return MalformedRow(kDisclosures, "JSON object");
  Disclosure d;
  const std::pair<const char*, std::string*> strings[] = {
      {"id", &d.id},
      {"filed_by", &d.filed_by},
      {"requester_institution", &d.requester_institution},
      {"request_date", &d.request_date},
      {"request_number", &d.request_number},
      {"phone_number", &d.phone_number},
      {"call_date", &d.call_date},
      {"justification", &d.justification},
      {"purpose", &d.purpose},
      {"status", &d.status}};
  for (const auto& [key, field] : strings) {
    if (!ReadString(j, key, *field)) return MalformedRow(kDisclosures, key);
  }
  if (!ReadStringArray(j, "recording_ids", d.recording_ids)) return MalformedRow(kDisclosures, "recording_ids");
  if (!ReadInt(j, "created_ms_utc", d.created_ms_utc)) return MalformedRow(kDisclosures, "created_ms_utc");
  if (!DecisionFromJson(j, d.decision)) return MalformedRow(kDisclosures, "decision");
  nlohmann::json exports = nlohmann::json::array();
  if (!ReadArray(j, "exports", exports)) return MalformedRow(kDisclosures, "exports");
  for (const nlohmann::json& e : exports) {
    DisclosureExport x;
    nlohmann::json hashes = nlohmann::json::object();
    if (!e.is_object() || !ReadInt(e, "at_ms_utc", x.at_ms_utc) || !ReadString(e, "by", x.by) ||
        !ReadString(e, "package", x.package) || !ReadString(e, "manifest_sha256", x.manifest_sha256) ||
        !ReadBool(e, "signed", x.signed_manifest) || !ReadString(e, "signer_fingerprint", x.signer_fingerprint) ||
        !ReadObject(e, "audio_sha256", hashes)) {
      return MalformedRow(kDisclosures, "exports");
    }
    x.signature = x.signed_manifest ? "hmac" : "none";  // what packages before Ed25519 had
    if (!ReadString(e, "signature", x.signature)) return MalformedRow(kDisclosures, "exports");
    for (const auto& [recording_id, hash] : hashes.items()) {
      if (!hash.is_string()) return MalformedRow(kDisclosures, "exports");
      x.audio_sha256.emplace(recording_id, hash.get<std::string>());
    }
    d.exports.push_back(std::move(x));
  }
  return d;
}

Result<Restriction> RestrictionFromJson(std::string_view text) {
  const nlohmann::json j = ParseJsonObject(text);
  if (j.is_discarded()) return MalformedRow(kRestrictions, "JSON object");
  Restriction x;
  if (!ReadBool(j, "restricted", x.restricted)) return MalformedRow(kRestrictions, "restricted");
  if (!ReadString(j, "by", x.by)) return MalformedRow(kRestrictions, "by");
  if (!ReadInt(j, "since_ms_utc", x.since_ms_utc)) return MalformedRow(kRestrictions, "since_ms_utc");
  if (!ReadString(j, "reason", x.reason)) return MalformedRow(kRestrictions, "reason");
  nlohmann::json history = nlohmann::json::array();
  if (!ReadArray(j, "history", history)) return MalformedRow(kRestrictions, "history");
  for (const nlohmann::json& h : history) {
    RestrictionChange c;
    if (!h.is_object() || !ReadBool(h, "restricted", c.restricted) || !ReadString(h, "by", c.by) ||
        !ReadInt(h, "at_ms_utc", c.at_ms_utc) || !ReadString(h, "reason", c.reason)) {
      return MalformedRow(kRestrictions, "history");
    }
    x.history.push_back(std::move(c));
  }
  return x;
}

}  // namespace

// ---- users ----

std::string UserCodec::Encode(const User& u) {
  RecordWriter w;
  w.U(kUserRowVersion);
  w.Str(u.username);
  w.Str(u.name);
  w.Str(u.surname);
  w.Str(u.position);
  w.U(u.roles.size());
  for (Role role : u.roles) w.Str(RoleName(role));
  w.Bool(u.disabled);
  w.S(u.created_ms_utc);
  w.Str(u.authorised_by);
  w.Str(u.password_hash);
  w.Str(u.language);
  return w.Take();
}

Result<User> UserCodec::Decode(std::string_view key, std::string_view bytes) {
  Result<User> out = [&]() -> Result<User> {
    if (IsJson(bytes)) return UserFromJson(bytes);
    RecordReader r(bytes);
    uint64_t version = 0;
    RETURN_IF_ERROR(CheckVersion(r, kUsers, kUserRowVersion, &version));
    User u;
    if (!r.Str(u.username)) return MalformedRow(kUsers, "username");
    if (!r.Str(u.name)) return MalformedRow(kUsers, "name");
    if (!r.Str(u.surname)) return MalformedRow(kUsers, "surname");
    if (!r.Str(u.position)) return MalformedRow(kUsers, "position");
    std::vector<std::string> roles;
    if (!ReadStrings(r, roles)) return MalformedRow(kUsers, "roles");
    for (const std::string& name : roles) {
      if (std::optional<Role> role = ParseRole(name)) u.roles.insert(*role);
    }
    if (!r.Bool(u.disabled)) return MalformedRow(kUsers, "disabled");
    if (!r.S(u.created_ms_utc)) return MalformedRow(kUsers, "created_ms_utc");
    if (!r.Str(u.authorised_by)) return MalformedRow(kUsers, "authorised_by");
    if (version >= 2) {
      if (!r.Str(u.password_hash)) return MalformedRow(kUsers, "password_hash");
      if (!r.Str(u.language)) return MalformedRow(kUsers, "language");
    }
    return u;
  }();
  if (out.ok() && out->username != key) return MalformedRow(kUsers, "username (differs from the key)");
  return out;
}

// ---- tokens ----

std::string TokenCodec::Encode(const ApiToken& t) {
  RecordWriter w;
  w.U(kAccessRowVersion);
  w.Str(t.username);
  w.Str(t.label);
  w.Str(t.salt_hex);
  w.Str(t.sha256_hex);
  w.S(t.created_ms_utc);
  w.S(t.expires_ms_utc);
  w.S(t.last_used_ms_utc);
  return w.Take();
}

Result<ApiToken> TokenCodec::Decode(std::string_view key, std::string_view bytes) {
  Result<ApiToken> out = [&]() -> Result<ApiToken> {
    if (IsJson(bytes)) return TokenFromJson(bytes);
    RecordReader r(bytes);
    RETURN_IF_ERROR(CheckVersion(r, kTokens));
    ApiToken t;
    if (!r.Str(t.username)) return MalformedRow(kTokens, "username");
    if (!r.Str(t.label)) return MalformedRow(kTokens, "label");
    if (!r.Str(t.salt_hex)) return MalformedRow(kTokens, "salt");
    if (!r.Str(t.sha256_hex)) return MalformedRow(kTokens, "sha256");
    if (!r.S(t.created_ms_utc)) return MalformedRow(kTokens, "created_ms_utc");
    if (!r.S(t.expires_ms_utc)) return MalformedRow(kTokens, "expires_ms_utc");
    if (!r.S(t.last_used_ms_utc)) return MalformedRow(kTokens, "last_used_ms_utc");
    return t;
  }();
  if (out.ok()) out->id = std::string(key);
  return out;
}

// ---- playback requests ----

std::string PlaybackRequestCodec::Encode(const PlaybackRequest& q) {
  RecordWriter w;
  w.U(kAccessRowVersion);
  w.Str(q.id);
  w.Str(q.requester);
  WriteStrings(w, q.recording_ids);
  w.Str(q.reason);
  w.Str(q.reason_text);
  w.Str(q.justification);
  w.Str(q.caller_number);
  w.Str(q.protocol.causes);
  w.Str(q.protocol.actions);
  w.Str(q.protocol.follow_up);
  w.Str(q.status);
  w.S(q.created_ms_utc);
  WriteOpinion(w, q.dpo_opinion);
  WriteOpinion(w, q.unit_head_opinion);
  WriteDecision(w, q.decision);
  w.U(q.informed.size());
  for (const auto& [recording_id, x] : q.informed) {
    w.Str(recording_id);
    w.Str(x.by);
    w.S(x.at_ms_utc);
    w.Str(x.how);
  }
  return w.Take();
}

Result<PlaybackRequest> PlaybackRequestCodec::Decode(std::string_view key, std::string_view bytes) {
  Result<PlaybackRequest> out = [&]() -> Result<PlaybackRequest> {
    if (IsJson(bytes)) return RequestFromJson(bytes);
    RecordReader r(bytes);
    RETURN_IF_ERROR(CheckVersion(r, kRequests));
    PlaybackRequest q;
    if (!r.Str(q.id)) return MalformedRow(kRequests, "id");
    if (!r.Str(q.requester)) return MalformedRow(kRequests, "requester");
    if (!ReadStrings(r, q.recording_ids)) return MalformedRow(kRequests, "recording_ids");
    if (!r.Str(q.reason)) return MalformedRow(kRequests, "reason");
    if (!r.Str(q.reason_text)) return MalformedRow(kRequests, "reason_text");
    if (!r.Str(q.justification)) return MalformedRow(kRequests, "justification");
    if (!r.Str(q.caller_number)) return MalformedRow(kRequests, "caller_number");
    if (!r.Str(q.protocol.causes) || !r.Str(q.protocol.actions) || !r.Str(q.protocol.follow_up)) {
      return MalformedRow(kRequests, "protocol");
    }
    if (!r.Str(q.status)) return MalformedRow(kRequests, "status");
    if (!r.S(q.created_ms_utc)) return MalformedRow(kRequests, "created_ms_utc");
    if (!ReadOpinion(r, q.dpo_opinion) || !ReadOpinion(r, q.unit_head_opinion)) {
      return MalformedRow(kRequests, "opinions");
    }
    if (!ReadDecision(r, q.decision)) return MalformedRow(kRequests, "decision");
    size_t n = 0;
    if (!r.Count(n)) return MalformedRow(kRequests, "informed");
    for (size_t i = 0; i < n; ++i) {
      std::string recording_id;
      EmployeeInformed x;
      if (!r.Str(recording_id) || !r.Str(x.by) || !r.S(x.at_ms_utc) || !r.Str(x.how)) {
        return MalformedRow(kRequests, "informed");
      }
      q.informed.emplace(std::move(recording_id), std::move(x));
    }
    return q;
  }();
  if (out.ok() && out->id != key) return MalformedRow(kRequests, "id (differs from the key)");
  return out;
}

// ---- disclosures ----

std::string DisclosureCodec::Encode(const Disclosure& d) {
  RecordWriter w;
  w.U(kDisclosureRowVersion);
  w.Str(d.id);
  w.Str(d.filed_by);
  w.Str(d.requester_institution);
  w.Str(d.request_date);
  w.Str(d.request_number);
  w.Str(d.phone_number);
  w.Str(d.call_date);
  WriteStrings(w, d.recording_ids);
  w.Str(d.justification);
  w.Str(d.purpose);
  w.S(d.created_ms_utc);
  w.Str(d.status);
  WriteDecision(w, d.decision);
  w.U(d.exports.size());
  for (const DisclosureExport& e : d.exports) {
    w.S(e.at_ms_utc);
    w.Str(e.by);
    w.Str(e.package);
    w.Str(e.manifest_sha256);
    w.Bool(e.signed_manifest);
    w.Str(e.signature);
    w.Str(e.signer_fingerprint);
    w.U(e.audio_sha256.size());
    for (const auto& [recording_id, hash] : e.audio_sha256) {
      w.Str(recording_id);
      w.Str(hash);
    }
    WritePurge(w, e.purged);
  }
  return w.Take();
}

Result<Disclosure> DisclosureCodec::Decode(std::string_view key, std::string_view bytes) {
  Result<Disclosure> out = [&]() -> Result<Disclosure> {
    if (IsJson(bytes)) return DisclosureFromJson(bytes);
    RecordReader r(bytes);
    uint64_t version = 0;
    RETURN_IF_ERROR(CheckVersion(r, kDisclosures, kDisclosureRowVersion, &version));
    Disclosure d;
    if (!r.Str(d.id) || !r.Str(d.filed_by) || !r.Str(d.requester_institution) || !r.Str(d.request_date) ||
        !r.Str(d.request_number) || !r.Str(d.phone_number) || !r.Str(d.call_date)) {
      return MalformedRow(kDisclosures, "request");
    }
    if (!ReadStrings(r, d.recording_ids)) return MalformedRow(kDisclosures, "recording_ids");
    if (!r.Str(d.justification) || !r.Str(d.purpose)) return MalformedRow(kDisclosures, "justification");
    if (!r.S(d.created_ms_utc)) return MalformedRow(kDisclosures, "created_ms_utc");
    if (!r.Str(d.status)) return MalformedRow(kDisclosures, "status");
    if (!ReadDecision(r, d.decision)) return MalformedRow(kDisclosures, "decision");
    size_t n = 0;
    if (!r.Count(n)) return MalformedRow(kDisclosures, "exports");
    d.exports.resize(n);
    for (DisclosureExport& e : d.exports) {
      size_t hashes = 0;
      if (!r.S(e.at_ms_utc) || !r.Str(e.by) || !r.Str(e.package) || !r.Str(e.manifest_sha256) ||
          !r.Bool(e.signed_manifest) || !r.Str(e.signature) || !r.Str(e.signer_fingerprint) || !r.Count(hashes)) {
        return MalformedRow(kDisclosures, "exports");
      }
      for (size_t i = 0; i < hashes; ++i) {
        std::string recording_id, hash;
        if (!r.Str(recording_id) || !r.Str(hash)) return MalformedRow(kDisclosures, "exports");
        e.audio_sha256.emplace(std::move(recording_id), std::move(hash));
      }
      if (version >= 2 && !ReadPurge(r, e.purged)) return MalformedRow(kDisclosures, "exports (purged)");
    }
    return d;
  }();
  if (out.ok() && out->id != key) return MalformedRow(kDisclosures, "id (differs from the key)");
  return out;
}

// ---- restrictions ----

std::string RestrictionCodec::Encode(const Restriction& x) {
  RecordWriter w;
  w.U(kAccessRowVersion);
  w.Bool(x.restricted);
  w.Str(x.by);
  w.S(x.since_ms_utc);
  w.Str(x.reason);
  w.U(x.history.size());
  for (const RestrictionChange& c : x.history) {
    w.Bool(c.restricted);
    w.Str(c.by);
    w.S(c.at_ms_utc);
    w.Str(c.reason);
  }
  return w.Take();
}

Result<Restriction> RestrictionCodec::Decode(std::string_view key, std::string_view bytes) {
  Result<Restriction> out = [&]() -> Result<Restriction> {
    if (IsJson(bytes)) return RestrictionFromJson(bytes);
    RecordReader r(bytes);
    RETURN_IF_ERROR(CheckVersion(r, kRestrictions));
    Restriction x;
    if (!r.Bool(x.restricted) || !r.Str(x.by) || !r.S(x.since_ms_utc) || !r.Str(x.reason)) {
      return MalformedRow(kRestrictions, "state");
    }
    size_t n = 0;
    if (!r.Count(n)) return MalformedRow(kRestrictions, "history");
    x.history.resize(n);
    for (RestrictionChange& c : x.history) {
      if (!r.Bool(c.restricted) || !r.Str(c.by) || !r.S(c.at_ms_utc) || !r.Str(c.reason)) {
        return MalformedRow(kRestrictions, "history");
      }
    }
    return x;
  }();
  if (out.ok()) out->recording_id = std::string(key);
  return out;
}

// ---- counters ----

std::string CounterCodec::Encode(uint64_t value) {
  RecordWriter w;
  w.U(kAccessRowVersion);
  w.U(value);
  return w.Take();
}

Result<uint64_t> CounterCodec::Decode(std::string_view, std::string_view bytes) {
  if (!bytes.empty() && bytes.front() >= '0' && bytes.front() <= '9') {  // v0: decimal text
    uint64_t value = 0;
    const auto [end, ec] = std::from_chars(bytes.data(), bytes.data() + bytes.size(), value);
    if (ec != std::errc() || end != bytes.data() + bytes.size()) return MalformedRow(kMeta, "counter");
    return value;
  }
  RecordReader r(bytes);
  RETURN_IF_ERROR(CheckVersion(r, kMeta));
  uint64_t value = 0;
  if (!r.U(value)) return MalformedRow(kMeta, "counter");
  return value;
}

}  // namespace kronika::srs
