// PlaybackWorkflow (see access_playback.h).
#include "kronika/srs/access/access_playback.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "kronika/srs/core/utc_time.h"

#include "access_codecs.h"
#include "kronika/srs/core/json_fields.h"
#include "kronika/srs/core/json_record.h"

namespace kronika::srs {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kReasons = {{
    {"a", "caller's verbal aggression (ACCESS-3 a)"},
    {"b", "breach of the employee's personal rights (ACCESS-3 b)"},
    {"c", "attempted bribery (ACCESS-3 c)"},
    {"d", "breach of law (ACCESS-3 d)"},
    {"e", "complaint about how the caller was treated (ACCESS-3 e)"},
    {"f", "employee's verbal aggression (ACCESS-3 f)"},
    {"g", "breach of the caller's personal rights (ACCESS-3 g)"},
    {"caller", "caller's request to hear their own call (ACCESS-5)"},
}};

std::string RequestKey(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "PR-%06llu", static_cast<unsigned long long>(n));
  return buf;
}

std::string Digits(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= '0' && c <= '9') out += c;
  }
  return out;
}

// Same number when the digit strings agree, or one ends with the other's last 9 digits
// (national vs E.164 forms of a Polish number).
bool SameNumber(std::string_view a, std::string_view b) {
  const std::string da = Digits(a), db = Digits(b);
  if (da.empty() || db.empty()) return false;
  if (da == db) return true;
  constexpr size_t kNationalDigits = 9;
  if (da.size() < kNationalDigits || db.size() < kNationalDigits) return false;
  return da.substr(da.size() - kNationalDigits) == db.substr(db.size() - kNationalDigits);
}

// A string field of a request body: "" when absent, 400 naming the field when it holds
// another type (a peer's body never throws).
Result<std::string> BodyText(const nlohmann::json& body, const char* key) {
  std::string out;
  if (!ReadString(body, key, out)) {
    return MakeError(ErrorCode::kInvalidInput, std::string(key) + ": a string is required");
  }
  return out;
}

}  // namespace

std::optional<std::string> PlaybackReasonText(std::string_view code) {
  for (const auto& [c, text] : kReasons) {
    if (c == code) return std::string(text);
  }
  return std::nullopt;
}

Result<Restriction> GetRestriction(const AccessDb& db, std::string_view recording_id) {
  std::optional<Restriction> row;
  RETURN_IF_ERROR(db.Read([&](const ReadTxn& txn) -> Status {
    ASSIGN_OR_RETURN(row, txn.GetRecord<RestrictionCodec>(db.restrictions(), recording_id));
    return OkStatus();
  }));
  if (row) return *row;
  Restriction none;
  none.recording_id = std::string(recording_id);
  return none;
}

Result<bool> IsRestricted(const AccessDb& db, std::string_view recording_id) {
  Result<Restriction> state = GetRestriction(db, recording_id);
  if (!state.ok()) {
    if (state.error().code == ErrorCode::kCorrupt) return true;  // reported; fail closed (RIGHTS-3)
    return state.error();
  }
  return state->restricted;
}

Result<RecordingRecord> RequestableRecording(const nlohmann::json& id, const Store& store, const AccessDb& db,
                                             std::string_view use) {
  if (!id.is_string()) return MakeError(ErrorCode::kInvalidInput, "recording_ids: strings expected");
  const std::string recording_id = id.get<std::string>();
  auto record = store.Get(recording_id);
  if (!record.ok()) return record.error();
  if (!record->has_value()) return MakeError(ErrorCode::kNotFound, "no recording " + recording_id);
  auto restricted = IsRestricted(db, recording_id);
  if (!restricted.ok()) return restricted.error();
  if (*restricted) {
    return MakeError(ErrorCode::kPermissionDenied, "recording " + recording_id + " is restricted and cannot be " + std::string(use) +
                              " (RIGHTS-3)");
  }
  return std::move(**record);
}

Result<nlohmann::json> SetRestriction(AccessDb& db, std::string_view recording_id, bool restricted,
                                      std::string_view by, std::string_view reason,
                                      int64_t now_ms_utc) {
  if (reason.empty()) return MakeError(ErrorCode::kInvalidInput, "restriction: reason is required (RIGHTS-3)");
  Restriction state;
  RETURN_IF_ERROR(db.Write([&](WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(std::optional<Restriction> current, txn.GetRecord<RestrictionCodec>(db.restrictions(), recording_id));
    state = current.value_or(Restriction{});
    state.recording_id = std::string(recording_id);
    if (state.restricted == restricted) {
      return MakeError(ErrorCode::kConflict, std::string("restriction: recording ") + std::string(recording_id) +
                                                 (restricted ? " is already restricted" : " is not restricted"));
    }
    state.history.push_back(RestrictionChange{restricted, std::string(by), now_ms_utc, std::string(reason)});
    state.restricted = restricted;
    state.by = std::string(by);
    state.since_ms_utc = now_ms_utc;
    state.reason = std::string(reason);
    return txn.PutRecord<RestrictionCodec>(db.restrictions(), recording_id, state);
  }));
  return ToJson(state);
}

Result<nlohmann::json> PlaybackWorkflow::File(const Identity& who, const nlohmann::json& body,
                                              int64_t now_ms_utc) {
  if (!who.user.Has(Role::kListener))
    return MakeError(ErrorCode::kPermissionDenied, "only a listener may file a playback request (ACCESS-1)");
  if (!body.is_object() || !body.contains("recording_ids") || !body["recording_ids"].is_array() ||
      body["recording_ids"].empty()) {
    return MakeError(ErrorCode::kInvalidInput, "recording_ids: a non-empty array of recording ids is required");
  }
  ASSIGN_OR_RETURN(const std::string reason, BodyText(body, "reason"));
  std::optional<std::string> reason_text = PlaybackReasonText(reason);
  if (!reason_text)
    return MakeError(ErrorCode::kInvalidInput, "reason: expected one of a-g (ACCESS-3) or \"caller\" (ACCESS-5)");
  ASSIGN_OR_RETURN(const std::string justification, BodyText(body, "justification"));
  if (justification.empty())
    return MakeError(ErrorCode::kInvalidInput, "justification: required (ACCESS-3: a stated reason)");
  ASSIGN_OR_RETURN(const std::string caller_number, BodyText(body, "caller_number"));
  if (reason == "caller" && caller_number.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "caller_number: required for a caller's own request (ACCESS-5)");
  }
  std::vector<std::string> ids;
  for (const auto& id : body["recording_ids"]) {
    Result<RecordingRecord> record = RequestableRecording(id, store_, db_, "played");
    if (!record.ok()) return record.error();
    ids.push_back(record->recording_id);
    if (reason == "caller") {
      bool found = false;
      for (const auto& p : record->participants) {
        found = found || SameNumber(caller_number, p.number_e164) ||
                SameNumber(caller_number, p.number_original);
      }
      if (!found) {
        return MakeError(ErrorCode::kNotAcceptable, "caller_number does not identify a participant of recording " +
                                  ids.back() + " (ACCESS-5)");
      }
    }
  }
  PlaybackRequest request;
  request.requester = who.user.username;
  request.recording_ids = ids;
  request.reason = reason;
  request.reason_text = *reason_text;
  request.justification = justification;
  request.caller_number = caller_number;
  if (body.contains("protocol") && body["protocol"].is_object()) {
    const nlohmann::json& p = body["protocol"];
    auto text = [&](const char* key) -> std::string {
      if (!p.contains(key) || p[key].is_null()) return "";
      return p[key].is_string() ? p[key].get<std::string>() : DumpJson(p[key]);
    };
    request.protocol = IncidentDetails{text("causes"), text("actions"), text("follow_up")};
  }
  request.status = "pending";
  request.created_ms_utc = now_ms_utc;
  RETURN_IF_ERROR(db_.Write([&](WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(uint64_t n, db_.NextSequenceIn(txn, "request"));
    request.id = RequestKey(n);
    return txn.PutRecord<PlaybackRequestCodec>(db_.requests(), request.id, request);
  }));
  return ToJson(request);
}

Result<nlohmann::json> PlaybackWorkflow::Update(std::string_view id,
                                                const std::function<Status(PlaybackRequest&)>& change) {
  PlaybackRequest request;
  RETURN_IF_ERROR(db_.Write([&](WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(std::optional<PlaybackRequest> row, txn.GetRecord<PlaybackRequestCodec>(db_.requests(), id));
    if (!row) return MakeError(ErrorCode::kNotFound, "no playback request " + std::string(id));
    request = std::move(*row);
    const bool was_approved = request.status == "approved";
    RETURN_IF_ERROR(change(request));
    RETURN_IF_ERROR(txn.PutRecord<PlaybackRequestCodec>(db_.requests(), id, request));
    if (was_approved || request.status != "approved" || !request.decision) return OkStatus();
    // The grant (issue 17): one playback.granted per recording it names, in this
    // transaction. Logins only; the caller's number (reason "caller") is personal.
    for (const std::string& recording_id : request.recording_ids) {
      EventDraft granted{"playback.granted",
                         recording_id,
                         {{"request_id", request.id},
                          {"user", request.requester},
                          {"approved_by", request.decision->by},
                          {"reason", request.reason},
                          {"valid_until_ms_utc", request.decision->valid_until_ms_utc}},
                         nlohmann::json::object()};
      if (!request.caller_number.empty()) granted.personal["number"] = request.caller_number;
      RETURN_IF_ERROR(db_.EmitIn(txn, granted, request.decision->at_ms_utc));
    }
    return OkStatus();
  }));
  return ToJson(request);
}

Result<nlohmann::json> PlaybackWorkflow::Opinion(const Identity& who, std::string_view id,
                                                 const nlohmann::json& body, int64_t now_ms_utc) {
  ASSIGN_OR_RETURN(const std::string kind, BodyText(body, "kind"));
  if (kind != "dpo" && kind != "unit_head")
    return MakeError(ErrorCode::kInvalidInput, "kind: expected \"dpo\" or \"unit_head\"");
  if (kind == "dpo" && !who.user.Has(Role::kDpo))
    return MakeError(ErrorCode::kPermissionDenied, "only the data protection officer gives the dpo opinion");
  if (kind == "unit_head" && !who.user.Has(Role::kUnitHead) && !who.user.Has(Role::kApprover)) {
    return MakeError(ErrorCode::kPermissionDenied,
                     "only a head of unit (or an approver) gives the unit_head opinion (ACCESS-5)");
  }
  if (!body.contains("favourable") || !body["favourable"].is_boolean())
    return MakeError(ErrorCode::kInvalidInput, "favourable: true or false required");
  ASSIGN_OR_RETURN(const std::string text, BodyText(body, "text"));
  const RequestOpinion opinion{who.user.username, now_ms_utc, body["favourable"].get<bool>(), text};
  return Update(id, [&](PlaybackRequest& r) -> Status {
    if (r.status != "pending")
      return MakeError(ErrorCode::kConflict, "request " + std::string(id) + " is already decided");
    (kind == "dpo" ? r.dpo_opinion : r.unit_head_opinion) = opinion;
    return OkStatus();
  });
}

Result<nlohmann::json> PlaybackWorkflow::Decide(const Identity& who, std::string_view id,
                                                const nlohmann::json& body, int64_t now_ms_utc) {
  if (!who.user.Has(Role::kApprover))
    return MakeError(ErrorCode::kPermissionDenied, "only an approver decides playback requests (ACCESS-3)");
  if (!body.contains("granted") || !body["granted"].is_boolean())
    return MakeError(ErrorCode::kInvalidInput, "granted: true or false required");
  const bool granted = body["granted"].get<bool>();
  int64_t minutes = kDefaultPlaybackValidityMinutes;
  if (!ReadInt(body, "valid_minutes", minutes) || minutes <= 0 || minutes > kMaxPlaybackValidityMinutes) {
    return MakeError(ErrorCode::kInvalidInput, "valid_minutes: 1.." + std::to_string(kMaxPlaybackValidityMinutes));
  }
  ASSIGN_OR_RETURN(const std::string note, BodyText(body, "note"));
  return Update(id, [&](PlaybackRequest& r) -> Status {
    if (r.status != "pending")
      return MakeError(ErrorCode::kConflict, "request " + std::string(id) + " is already decided");
    if (r.requester == who.user.username)
      return MakeError(ErrorCode::kPermissionDenied, "an approver cannot decide their own request");
    if (granted && r.reason == "caller" && (!r.dpo_opinion || !r.unit_head_opinion)) {
      return MakeError(ErrorCode::kConflict,
                       "a caller's request needs the DPO's and the unit head's opinions first (ACCESS-5)");
    }
    r.status = granted ? "approved" : "refused";
    r.decision = ApproverDecision{who.user.username,
                                  who.user.name + " " + who.user.surname + ", " + who.user.position,
                                  now_ms_utc,
                                  granted,
                                  note,
                                  granted ? now_ms_utc + minutes * 60000 : 0};
    return OkStatus();
  });
}

Result<nlohmann::json> PlaybackWorkflow::MarkInformed(const Identity& who, std::string_view id,
                                                      const nlohmann::json& body,
                                                      int64_t now_ms_utc) {
  if (!who.user.Has(Role::kRecordsKeeper) && !who.user.Has(Role::kApprover)) {
    return MakeError(ErrorCode::kPermissionDenied,
                     "only a records keeper or an approver records that the employee was informed");
  }
  ASSIGN_OR_RETURN(const std::string recording_id, BodyText(body, "recording_id"));
  ASSIGN_OR_RETURN(const std::string how, BodyText(body, "how"));
  if (how.empty())
    return MakeError(ErrorCode::kInvalidInput, "how: required (e.g. \"in person\", \"e-mail\") (ACCESS-4)");
  int64_t at = now_ms_utc;
  if (!ReadInt(body, "at_ms_utc", at)) return MakeError(ErrorCode::kInvalidInput, "at_ms_utc: a number is required");
  return Update(id, [&](PlaybackRequest& r) -> Status {
    if (std::find(r.recording_ids.begin(), r.recording_ids.end(), recording_id) == r.recording_ids.end()) {
      return MakeError(ErrorCode::kInvalidInput, "recording_id: not part of request " + std::string(id));
    }
    r.informed[recording_id] = EmployeeInformed{who.user.username, at, how};
    return OkStatus();
  });
}

Result<nlohmann::json> PlaybackWorkflow::Get(std::string_view id) const {
  std::optional<PlaybackRequest> row;
  RETURN_IF_ERROR(db_.Read([&](const ReadTxn& txn) -> Status {
    ASSIGN_OR_RETURN(row, txn.GetRecord<PlaybackRequestCodec>(db_.requests(), id));
    return OkStatus();
  }));
  if (!row) return MakeError(ErrorCode::kNotFound, "no playback request " + std::string(id));
  return ToJson(*row);
}

Result<std::vector<PlaybackRequest>> PlaybackWorkflow::Requests() const {
  std::vector<PlaybackRequest> out;
  RETURN_IF_ERROR(db_.Read([&](const ReadTxn& txn) {
    return txn.ScanRecords<PlaybackRequestCodec>(db_.requests(), [&](std::string_view, PlaybackRequest&& r) {
      out.push_back(std::move(r));
      return true;
    });
  }));
  return out;
}

Result<std::vector<nlohmann::json>> PlaybackWorkflow::List() const {
  ASSIGN_OR_RETURN(std::vector<PlaybackRequest> all, Requests());
  std::vector<nlohmann::json> out;
  for (const PlaybackRequest& r : all) out.push_back(ToJson(r));
  return out;
}

Result<nlohmann::json> PlaybackWorkflow::AuthorisePlayback(const Identity& who,
                                                           std::string_view recording_id,
                                                           std::string_view request_id,
                                                           int64_t now_ms_utc) const {
  if (!who.user.Has(Role::kListener))
    return MakeError(ErrorCode::kPermissionDenied, "only a listener may play recordings (ACCESS-1)");
  ASSIGN_OR_RETURN(const bool restricted, IsRestricted(db_, recording_id));
  if (restricted) {
    return MakeError(ErrorCode::kPermissionDenied, "recording " + std::string(recording_id) + " is restricted (RIGHTS-3)");
  }
  ASSIGN_OR_RETURN(std::vector<PlaybackRequest> all, Requests());
  std::string why = "no approved playback request of " + who.user.username + " names recording " +
                    std::string(recording_id) + " (ACCESS-2)";
  for (const PlaybackRequest& r : all) {
    if (!request_id.empty() && r.id != request_id) continue;
    if (r.requester != who.user.username) continue;
    if (std::find(r.recording_ids.begin(), r.recording_ids.end(), recording_id) == r.recording_ids.end()) continue;
    if (r.status != "approved" || !r.decision) {
      why = "request " + r.id + " is " + r.status + " (ACCESS-3)";
      continue;
    }
    if (r.decision->valid_until_ms_utc < now_ms_utc) {
      why = "approval of request " + r.id + " expired at " + FormatUtcTime(r.decision->valid_until_ms_utc);
      continue;
    }
    if (r.informed.count(std::string(recording_id)) == 0) {
      why = "the employee on recording " + std::string(recording_id) + " has not been marked as informed (ACCESS-4)";
      continue;
    }
    return ToJson(r);
  }
  return MakeError(ErrorCode::kPermissionDenied, why);
}

}  // namespace kronika::srs
