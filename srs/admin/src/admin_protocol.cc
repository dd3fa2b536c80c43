// JSON forms of the admin operations (see admin_protocol.h).
#include "admin_protocol.h"

#include "kronika/srs/core/json_fields.h"

namespace kronika::srs::admin_protocol {
namespace {

Error Bad(const char* key, const char* what) {
  return MakeError(ErrorCode::kInvalidInput, std::string("admin request: ") + key + ": " + what);
}

}  // namespace

Result<std::string> StringField(const nlohmann::json& j, const char* key) {
  std::string out;
  if (!ReadString(j, key, out)) return Bad(key, "a string is required");
  return out;
}

Result<std::vector<std::string>> StringsField(const nlohmann::json& j, const char* key) {
  nlohmann::json array = nlohmann::json::array();
  if (!ReadArray(j, key, array)) return Bad(key, "an array of strings is required");
  std::vector<std::string> out;
  for (const nlohmann::json& e : array) {
    if (!e.is_string()) return Bad(key, "an array of strings is required");
    out.push_back(e.get<std::string>());
  }
  return out;
}

Result<int64_t> IntField(const nlohmann::json& j, const char* key) {
  int64_t out = 0;
  if (!ReadInt(j, key, out)) return Bad(key, "a whole number is required");
  return out;
}

Result<bool> BoolField(const nlohmann::json& j, const char* key) {
  bool out = false;
  if (!ReadBool(j, key, out)) return Bad(key, "true or false is required");
  return out;
}

nlohmann::json ToJson(const HoldChange& c) {
  return {{"recording_ids", c.recording_ids}, {"case", c.case_ref}, {"by", c.by}, {"reason", c.reason},
          {"at_ms_utc", c.at_ms_utc}};
}

Result<HoldChange> HoldChangeFrom(const nlohmann::json& j) {
  HoldChange c;
  ASSIGN_OR_RETURN(c.recording_ids, StringsField(j, "recording_ids"));
  ASSIGN_OR_RETURN(c.case_ref, StringField(j, "case"));
  ASSIGN_OR_RETURN(c.by, StringField(j, "by"));
  ASSIGN_OR_RETURN(c.reason, StringField(j, "reason"));
  ASSIGN_OR_RETURN(c.at_ms_utc, IntField(j, "at_ms_utc"));
  return c;
}

nlohmann::json ToJson(const DoNotRecordEntry& e) {
  return {{"number", e.number}, {"by", e.by}, {"at_ms_utc", e.at_ms_utc}, {"reason", e.reason}};
}

Result<DoNotRecordEntry> DoNotRecordFrom(const nlohmann::json& j) {
  DoNotRecordEntry e;
  ASSIGN_OR_RETURN(e.number, StringField(j, "number"));
  ASSIGN_OR_RETURN(e.by, StringField(j, "by"));
  ASSIGN_OR_RETURN(e.at_ms_utc, IntField(j, "at_ms_utc"));
  ASSIGN_OR_RETURN(e.reason, StringField(j, "reason"));
  return e;
}

nlohmann::json ToJson(const policy::DeletionRequest& r) {
  return {{"by", r.requested_by}, {"reason", r.reason}, {"at_ms_utc", r.at_ms_utc}};
}

Result<policy::DeletionRequest> DeletionRequestFrom(const nlohmann::json& j) {
  policy::DeletionRequest r;
  ASSIGN_OR_RETURN(r.requested_by, StringField(j, "by"));
  ASSIGN_OR_RETURN(r.reason, StringField(j, "reason"));
  ASSIGN_OR_RETURN(r.at_ms_utc, IntField(j, "at_ms_utc"));
  return r;
}

nlohmann::json ToJson(const ErasureReport& r) {
  nlohmann::json kept = nlohmann::json::array();
  for (const policy::KeptRecording& k : r.kept) {
    kept.push_back({{"recording_id", k.recording_id}, {"hold_cases", k.hold_cases}, {"text", k.text}});
  }
  nlohmann::json copies = nlohmann::json::array();
  for (const ErasedCopy& c : r.copies) {
    copies.push_back({{"disclosure_id", c.disclosure_id},
                      {"institution", c.institution},
                      {"request_number", c.request_number},
                      {"package", c.package},
                      {"recording_ids", c.recording_ids},
                      {"package_was_gone", c.package_was_gone}});
  }
  return {{"erased", r.erased},
          {"kept", kept},
          {"texts", r.texts},
          {"copies", copies},
          {"copy_failures", r.copy_failures}};
}

Result<ErasureReport> ErasureReportFrom(const nlohmann::json& j) {
  ErasureReport r;
  ASSIGN_OR_RETURN(r.erased, StringsField(j, "erased"));
  ASSIGN_OR_RETURN(r.texts, StringsField(j, "texts"));
  nlohmann::json kept = nlohmann::json::array();
  if (!ReadArray(j, "kept", kept)) return Bad("kept", "an array is required");
  for (const nlohmann::json& k : kept) {
    policy::KeptRecording x;
    ASSIGN_OR_RETURN(x.recording_id, StringField(k, "recording_id"));
    ASSIGN_OR_RETURN(x.hold_cases, StringsField(k, "hold_cases"));
    ASSIGN_OR_RETURN(x.text, StringField(k, "text"));
    r.kept.push_back(std::move(x));
  }
  nlohmann::json copies = nlohmann::json::array();
  if (!ReadArray(j, "copies", copies)) return Bad("copies", "an array is required");
  for (const nlohmann::json& c : copies) {
    ErasedCopy x;
    ASSIGN_OR_RETURN(x.disclosure_id, StringField(c, "disclosure_id"));
    ASSIGN_OR_RETURN(x.institution, StringField(c, "institution"));
    ASSIGN_OR_RETURN(x.request_number, StringField(c, "request_number"));
    ASSIGN_OR_RETURN(x.package, StringField(c, "package"));
    ASSIGN_OR_RETURN(x.recording_ids, StringsField(c, "recording_ids"));
    ASSIGN_OR_RETURN(x.package_was_gone, BoolField(c, "package_was_gone"));
    r.copies.push_back(std::move(x));
  }
  if (j.contains("copy_failures")) {
    ASSIGN_OR_RETURN(r.copy_failures, StringsField(j, "copy_failures"));
  }
  return r;
}

nlohmann::json ToJson(const std::vector<RestrictionOutcome>& v) {
  nlohmann::json out = nlohmann::json::array();
  for (const RestrictionOutcome& o : v) {
    out.push_back({{"recording_id", o.recording_id}, {"changed", o.changed}, {"message", o.message}});
  }
  return {{"outcomes", out}};
}

Result<std::vector<RestrictionOutcome>> RestrictionOutcomesFrom(const nlohmann::json& j) {
  nlohmann::json outcomes = nlohmann::json::array();
  if (!ReadArray(j, "outcomes", outcomes)) return Bad("outcomes", "an array is required");
  std::vector<RestrictionOutcome> out;
  for (const nlohmann::json& o : outcomes) {
    RestrictionOutcome x;
    ASSIGN_OR_RETURN(x.recording_id, StringField(o, "recording_id"));
    ASSIGN_OR_RETURN(x.changed, BoolField(o, "changed"));
    ASSIGN_OR_RETURN(x.message, StringField(o, "message"));
    out.push_back(std::move(x));
  }
  return out;
}

nlohmann::json ToJson(const SweepReport& r) {
  return {{"refused", r.refused},   {"text", r.text},       {"deleted", r.deleted},
          {"kept_on_hold", r.kept_on_hold}, {"evicted", r.evicted}, {"quota_texts", r.quota_texts}};
}

Result<SweepReport> SweepReportFrom(const nlohmann::json& j) {
  SweepReport r;
  ASSIGN_OR_RETURN(r.refused, BoolField(j, "refused"));
  ASSIGN_OR_RETURN(r.text, StringField(j, "text"));
  ASSIGN_OR_RETURN(const int64_t deleted, IntField(j, "deleted"));
  ASSIGN_OR_RETURN(const int64_t kept, IntField(j, "kept_on_hold"));
  ASSIGN_OR_RETURN(const int64_t evicted, IntField(j, "evicted"));
  r.deleted = static_cast<size_t>(deleted);
  r.kept_on_hold = static_cast<size_t>(kept);
  r.evicted = static_cast<size_t>(evicted);
  ASSIGN_OR_RETURN(r.quota_texts, StringsField(j, "quota_texts"));
  return r;
}

nlohmann::json ToJson(const User& u) {
  std::vector<std::string> roles;
  for (Role r : u.roles) roles.emplace_back(RoleName(r));
  return {{"username", u.username}, {"name", u.name},       {"surname", u.surname},
          {"position", u.position}, {"roles", roles},       {"disabled", u.disabled},
          {"created_ms_utc", u.created_ms_utc}, {"authorised_by", u.authorised_by},
          {"language", u.language}};
}

nlohmann::json ToJson(const UserChanges& c) {
  nlohmann::json j = nlohmann::json::object();
  auto put = [&](const char* key, const std::optional<std::string>& v) {
    if (v) j[key] = *v;
  };
  put("name", c.name);
  put("surname", c.surname);
  put("position", c.position);
  put("authorised_by", c.authorised_by);
  put("language", c.language);
  if (c.roles) {
    std::vector<std::string> roles;
    for (Role r : *c.roles) roles.emplace_back(RoleName(r));
    j["roles"] = roles;
  }
  return j;
}

Result<UserChanges> UserChangesFrom(const nlohmann::json& j) {
  UserChanges c;
  for (auto [key, field] : {std::pair{"name", &c.name}, std::pair{"surname", &c.surname},
                            std::pair{"position", &c.position}, std::pair{"authorised_by", &c.authorised_by},
                            std::pair{"language", &c.language}}) {
    if (!j.contains(key)) continue;
    ASSIGN_OR_RETURN(std::string v, StringField(j, key));
    *field = std::move(v);
  }
  if (j.contains("roles")) {
    ASSIGN_OR_RETURN(std::vector<std::string> roles, StringsField(j, "roles"));
    c.roles.emplace();
    for (const std::string& name : roles) {
      std::optional<Role> role = ParseRole(name);
      if (!role) return Bad("roles", "unknown role");
      c.roles->insert(*role);
    }
  }
  return c;
}

Result<User> UserFrom(const nlohmann::json& j) {
  User u;
  ASSIGN_OR_RETURN(u.username, StringField(j, "username"));
  ASSIGN_OR_RETURN(u.name, StringField(j, "name"));
  ASSIGN_OR_RETURN(u.surname, StringField(j, "surname"));
  ASSIGN_OR_RETURN(u.position, StringField(j, "position"));
  ASSIGN_OR_RETURN(u.disabled, BoolField(j, "disabled"));
  ASSIGN_OR_RETURN(u.created_ms_utc, IntField(j, "created_ms_utc"));
  ASSIGN_OR_RETURN(u.authorised_by, StringField(j, "authorised_by"));
  if (j.contains("language")) {
    ASSIGN_OR_RETURN(u.language, StringField(j, "language"));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> roles, StringsField(j, "roles"));
  for (const std::string& name : roles) {
    std::optional<Role> role = ParseRole(name);
    if (!role) return Bad("roles", "unknown role");
    u.roles.insert(*role);
  }
  return u;
}

nlohmann::json ErrorJson(const Error& e) {
  return {{"code", std::string(ErrorCodeName(e.code))}, {"message", e.message}};
}

Error ErrorFrom(const nlohmann::json& j) {
  std::string code, message;
  (void)ReadString(j, "code", code);
  (void)ReadString(j, "message", message);
  ErrorCode parsed = ErrorCode::kInternal;
  for (int c = 0; c <= static_cast<int>(ErrorCode::kUsage); ++c) {
    if (ErrorCodeName(static_cast<ErrorCode>(c)) == code) parsed = static_cast<ErrorCode>(c);
  }
  return Error{parsed, message.empty() ? "the daemon refused the request" : message};
}

nlohmann::json ToJson(const KeyRotationReport& r) {
  return {{"rewrapped", r.rewrapped}, {"old_key_id", r.old_key_id}, {"new_key_id", r.new_key_id}};
}

Result<KeyRotationReport> KeyRotationReportFrom(const nlohmann::json& j) {
  KeyRotationReport r;
  ASSIGN_OR_RETURN(r.rewrapped, IntField(j, "rewrapped"));
  ASSIGN_OR_RETURN(r.old_key_id, StringField(j, "old_key_id"));
  ASSIGN_OR_RETURN(r.new_key_id, StringField(j, "new_key_id"));
  return r;
}

}  // namespace kronika::srs::admin_protocol
