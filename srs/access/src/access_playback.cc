// PlaybackWorkflow (see access_playback.h).
#include "kronika/srs/access/access_playback.h"

#include <array>
#include <cstdio>

#include "kronika/srs/core/utc_time.h"

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

}  // namespace

std::optional<std::string> PlaybackReasonText(std::string_view code) {
  for (const auto& [c, text] : kReasons) {
    if (c == code) return std::string(text);
  }
  return std::nullopt;
}

Result<bool> IsRestricted(const AccessDb& db, std::string_view recording_id) {
  auto row = db.Get(AccessTable::kRestrictions, recording_id);
  if (!row.ok()) return row.error();
  if (!row->has_value()) return false;
  return nlohmann::json::parse(**row).value("restricted", false);
}

Result<RecordingRecord> RequestableRecording(const nlohmann::json& id, const Store& store, const AccessDb& db,
                                             std::string_view use) {
  if (!id.is_string()) return MakeError(400, "recording_ids: strings expected");
  const std::string recording_id = id.get<std::string>();
  auto record = store.Get(recording_id);
  if (!record.ok()) return record.error();
  if (!record->has_value()) return MakeError(404, "no recording " + recording_id);
  auto restricted = IsRestricted(db, recording_id);
  if (!restricted.ok()) return restricted.error();
  if (*restricted) {
    return MakeError(403, "recording " + recording_id + " is restricted and cannot be " + std::string(use) +
                              " (RIGHTS-3)");
  }
  return std::move(**record);
}

Result<nlohmann::json> SetRestriction(AccessDb& db, std::string_view recording_id, bool restricted,
                                      std::string_view by, std::string_view reason,
                                      int64_t now_ms_utc) {
  if (reason.empty()) return MakeError(400, "restriction: reason is required (RIGHTS-3)");
  nlohmann::json state;
  Status s = db.Write([&](AccessWriteTxn& txn) -> Status {
    auto row = txn.Get(AccessTable::kRestrictions, recording_id);
    if (!row.ok()) return row.error();
    nlohmann::json current =
        row->has_value() ? nlohmann::json::parse(**row) : nlohmann::json::object();
    if (current.value("restricted", false) == restricted) {
      return MakeError(409, std::string("restriction: recording ") + std::string(recording_id) +
                                (restricted ? " is already restricted" : " is not restricted"));
    }
    nlohmann::json history = current.value("history", nlohmann::json::array());
    history.push_back(
        {{"restricted", restricted}, {"by", by}, {"at_ms_utc", now_ms_utc}, {"reason", reason}});
    state = {{"recording_id", recording_id}, {"restricted", restricted}, {"by", by},
             {"since_ms_utc", now_ms_utc},   {"reason", reason},         {"history", history}};
    return txn.Put(AccessTable::kRestrictions, recording_id, DumpJson(state));
  });
  if (!s.ok()) return s.error();
  return state;
}

Result<nlohmann::json> PlaybackWorkflow::File(const Identity& who, const nlohmann::json& body,
                                              int64_t now_ms_utc) {
  if (!who.user.Has(Role::kListener))
    return MakeError(403, "only a listener may file a playback request (ACCESS-1)");
  if (!body.is_object() || !body.contains("recording_ids") || !body["recording_ids"].is_array() ||
      body["recording_ids"].empty()) {
    return MakeError(400, "recording_ids: a non-empty array of recording ids is required");
  }
  const std::string reason = body.value("reason", "");
  std::optional<std::string> reason_text = PlaybackReasonText(reason);
  if (!reason_text)
    return MakeError(400, "reason: expected one of a-g (ACCESS-3) or \"caller\" (ACCESS-5)");
  const std::string justification = body.value("justification", "");
  if (justification.empty())
    return MakeError(400, "justification: required (ACCESS-3: a stated reason)");
  const std::string caller_number = body.value("caller_number", "");
  if (reason == "caller" && caller_number.empty()) {
    return MakeError(400, "caller_number: required for a caller's own request (ACCESS-5)");
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
        return MakeError(422, "caller_number does not identify a participant of recording " +
                                  ids.back() + " (ACCESS-5)");
      }
    }
  }
  nlohmann::json request = {{"requester", who.user.username},
                            {"recording_ids", ids},
                            {"reason", reason},
                            {"reason_text", *reason_text},
                            {"justification", justification},
                            {"caller_number", caller_number},
                            {"protocol", body.value("protocol", nlohmann::json::object())},
                            {"status", "pending"},
                            {"created_ms_utc", now_ms_utc},
                            {"opinions", nlohmann::json::object()},
                            {"decision", nullptr},
                            {"informed", nlohmann::json::object()}};
  Status s = db_.Write([&](AccessWriteTxn& txn) -> Status {
    auto n = txn.NextSequence("request");
    if (!n.ok()) return n.error();
    request["id"] = RequestKey(*n);
    return txn.Put(AccessTable::kRequests, request["id"].get<std::string>(), DumpJson(request));
  });
  if (!s.ok()) return s.error();
  return request;
}

Result<nlohmann::json> PlaybackWorkflow::Update(
    std::string_view id, const std::function<Status(nlohmann::json&)>& change) {
  nlohmann::json request;
  Status s = db_.Write([&](AccessWriteTxn& txn) -> Status {
    auto row = txn.Get(AccessTable::kRequests, id);
    if (!row.ok()) return row.error();
    if (!row->has_value()) return MakeError(404, "no playback request " + std::string(id));
    request = nlohmann::json::parse(**row);
    if (Status c = change(request); !c.ok()) return c;
    return txn.Put(AccessTable::kRequests, id, DumpJson(request));
  });
  if (!s.ok()) return s.error();
  return request;
}

Result<nlohmann::json> PlaybackWorkflow::Opinion(const Identity& who, std::string_view id,
                                                 const nlohmann::json& body, int64_t now_ms_utc) {
  const std::string kind = body.value("kind", "");
  if (kind != "dpo" && kind != "unit_head")
    return MakeError(400, "kind: expected \"dpo\" or \"unit_head\"");
  if (kind == "dpo" && !who.user.Has(Role::kDpo))
    return MakeError(403, "only the data protection officer gives the dpo opinion");
  if (kind == "unit_head" && !who.user.Has(Role::kApprover)) {
    return MakeError(403, "only an approver (head of unit) gives the unit_head opinion");
  }
  if (!body.contains("favourable") || !body["favourable"].is_boolean())
    return MakeError(400, "favourable: true or false required");
  return Update(id, [&](nlohmann::json& r) -> Status {
    if (r.value("status", "") != "pending")
      return MakeError(409, "request " + std::string(id) + " is already decided");
    r["opinions"][kind] = {{"by", who.user.username},
                           {"at_ms_utc", now_ms_utc},
                           {"favourable", body["favourable"]},
                           {"text", body.value("text", "")}};
    return OkStatus();
  });
}

Result<nlohmann::json> PlaybackWorkflow::Decide(const Identity& who, std::string_view id,
                                                const nlohmann::json& body, int64_t now_ms_utc) {
  if (!who.user.Has(Role::kApprover))
    return MakeError(403, "only an approver decides playback requests (ACCESS-3)");
  if (!body.contains("granted") || !body["granted"].is_boolean())
    return MakeError(400, "granted: true or false required");
  const bool granted = body["granted"].get<bool>();
  const int64_t minutes = body.value("valid_minutes", kDefaultPlaybackValidityMinutes);
  if (minutes <= 0 || minutes > kMaxPlaybackValidityMinutes) {
    return MakeError(400, "valid_minutes: 1.." + std::to_string(kMaxPlaybackValidityMinutes));
  }
  return Update(id, [&](nlohmann::json& r) -> Status {
    if (r.value("status", "") != "pending")
      return MakeError(409, "request " + std::string(id) + " is already decided");
    if (r.value("requester", "") == who.user.username)
      return MakeError(403, "an approver cannot decide their own request");
    if (granted && r.value("reason", "") == "caller" &&
        (!r["opinions"].contains("dpo") || !r["opinions"].contains("unit_head"))) {
      return MakeError(
          409, "a caller's request needs the DPO's and the unit head's opinions first (ACCESS-5)");
    }
    r["status"] = granted ? "approved" : "refused";
    r["decision"] = {{"by", who.user.username},
                     {"by_name", who.user.name + " " + who.user.surname + ", " + who.user.position},
                     {"at_ms_utc", now_ms_utc},
                     {"granted", granted},
                     {"note", body.value("note", "")},
                     {"valid_until_ms_utc", granted ? now_ms_utc + minutes * 60000 : 0}};
    return OkStatus();
  });
}

Result<nlohmann::json> PlaybackWorkflow::MarkInformed(const Identity& who, std::string_view id,
                                                      const nlohmann::json& body,
                                                      int64_t now_ms_utc) {
  if (!who.user.Has(Role::kRecordsKeeper) && !who.user.Has(Role::kApprover)) {
    return MakeError(403,
                     "only a records keeper or an approver records that the employee was informed");
  }
  const std::string recording_id = body.value("recording_id", "");
  const std::string how = body.value("how", "");
  if (how.empty())
    return MakeError(400, "how: required (e.g. \"in person\", \"e-mail\") (ACCESS-4)");
  return Update(id, [&](nlohmann::json& r) -> Status {
    bool named = false;
    for (const auto& rid : r["recording_ids"]) named = named || rid == recording_id;
    if (!named) return MakeError(400, "recording_id: not part of request " + std::string(id));
    r["informed"][recording_id] = {{"by", who.user.username},
                                   {"at_ms_utc", body.value("at_ms_utc", now_ms_utc)},
                                   {"how", how}};
    return OkStatus();
  });
}

Result<nlohmann::json> PlaybackWorkflow::Get(std::string_view id) const {
  auto row = db_.Get(AccessTable::kRequests, id);
  if (!row.ok()) return row.error();
  if (!row->has_value()) return MakeError(404, "no playback request " + std::string(id));
  return nlohmann::json::parse(**row);
}

Result<std::vector<nlohmann::json>> PlaybackWorkflow::List() const {
  auto rows = db_.List(AccessTable::kRequests);
  if (!rows.ok()) return rows.error();
  std::vector<nlohmann::json> out;
  for (const auto& [key, value] : *rows) out.push_back(nlohmann::json::parse(value));
  return out;
}

Result<nlohmann::json> PlaybackWorkflow::AuthorisePlayback(const Identity& who,
                                                           std::string_view recording_id,
                                                           std::string_view request_id,
                                                           int64_t now_ms_utc) const {
  if (!who.user.Has(Role::kListener))
    return MakeError(403, "only a listener may play recordings (ACCESS-1)");
  auto restricted = IsRestricted(db_, recording_id);
  if (!restricted.ok()) return restricted.error();
  if (*restricted)
    return MakeError(403, "recording " + std::string(recording_id) + " is restricted (RIGHTS-3)");
  auto all = List();
  if (!all.ok()) return all.error();
  std::string why = "no approved playback request of " + who.user.username + " names recording " +
                    std::string(recording_id) + " (ACCESS-2)";
  for (const auto& r : *all) {
    if (!request_id.empty() && r.value("id", "") != request_id) continue;
    if (r.value("requester", "") != who.user.username) continue;
    bool named = false;
    for (const auto& rid : r["recording_ids"]) named = named || rid == recording_id;
    if (!named) continue;
    if (r.value("status", "") != "approved") {
      why = "request " + r.value("id", "") + " is " + r.value("status", "") + " (ACCESS-3)";
      continue;
    }
    if (r["decision"].value("valid_until_ms_utc", int64_t{0}) < now_ms_utc) {
      why = "approval of request " + r.value("id", "") + " expired at " +
            FormatUtcTime(r["decision"].value("valid_until_ms_utc", int64_t{0}));
      continue;
    }
    if (!r["informed"].contains(std::string(recording_id))) {
      why = "the employee on recording " + std::string(recording_id) +
            " has not been marked as informed (ACCESS-4)";
      continue;
    }
    return r;
  }
  return MakeError(403, why);
}

}  // namespace kronika::srs
