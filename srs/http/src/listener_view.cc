// The listener's view of recordings (see listener_view.h).
#include "listener_view.h"

#include "kronika/srs/access/access_playback.h"
#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {
namespace {

constexpr size_t kShownDigits = 3;

void MaskField(nlohmann::json& object, const char* key) {
  if (object.contains(key) && object[key].is_string()) object[key] = MaskDigits(object[key].get<std::string>());
}

}  // namespace

bool SeesMaskedRecordings(const User& user) {
  return user.Has(Role::kListener) && !user.Has(Role::kRecordsKeeper) && !user.Has(Role::kApprover) &&
         !user.Has(Role::kDpo) && !user.Has(Role::kAuditor);
}

Result<std::set<std::string>> UnmaskedRecordings(const AccessContext& c, std::string_view username) {
  ASSIGN_OR_RETURN(std::vector<nlohmann::json> all, c.playback().List());
  std::set<std::string> out;
  for (const nlohmann::json& r : all) {
    if (r.value("requester", "") != username || r.value("status", "") != "approved") continue;
    if (!r.contains("recording_ids") || !r["recording_ids"].is_array()) continue;
    for (const auto& id : r["recording_ids"]) {
      if (id.is_string()) out.insert(id.get<std::string>());
    }
  }
  return out;
}

std::string MaskDigits(std::string_view text) {
  size_t digits = 0;
  for (char ch : text) digits += (ch >= '0' && ch <= '9') ? 1 : 0;
  std::string out(text);
  size_t seen = 0;
  for (char& ch : out) {
    if (ch < '0' || ch > '9') continue;
    if (++seen + kShownDigits <= digits) ch = '*';
  }
  return out;
}

Status ShapeRecordingList(const AccessContext& c, nlohmann::json& list, bool masked,
                          const std::set<std::string>& unmasked) {
  if (!list.contains("recordings") || !list["recordings"].is_array()) return OkStatus();
  nlohmann::json rows = nlohmann::json::array();
  for (nlohmann::json& row : list["recordings"]) {
    const std::string id = row.value("recording_id", "");
    if (masked && row.value("state", "") == "active") continue;  // ACCESS-2: no live monitoring
    ASSIGN_OR_RETURN(const bool restricted, IsRestricted(c.db(), id));
    row["restricted"] = restricted;
    if (masked) {
      const bool hide = unmasked.count(id) == 0;
      row["numbers_masked"] = hide;
      if (hide) {
        if (row.contains("participants") && row["participants"].is_array()) {
          for (auto& p : row["participants"]) {
            MaskField(p, "number");
            MaskField(p, "aor");
          }
        }
        if (row.contains("numbers") && row["numbers"].is_array()) {
          for (auto& n : row["numbers"]) {
            if (n.is_string()) n = MaskDigits(n.get<std::string>());
          }
        }
        row["sip_call_id"] = "";
      }
    }
    rows.push_back(std::move(row));
  }
  list["count"] = rows.size();
  list["recordings"] = std::move(rows);
  return OkStatus();
}

void MaskRecordingDetail(nlohmann::json& detail) {
  if (detail.contains("participants") && detail["participants"].is_array()) {
    for (auto& p : detail["participants"]) {
      MaskField(p, "number_e164");
      MaskField(p, "number_original");
      MaskField(p, "aor");
    }
  }
  detail["sip_call_id"] = "";
  detail["metadata_xml_last"] = "";
  if (detail.contains("timeline") && detail["timeline"].is_array()) {
    for (auto& e : detail["timeline"]) MaskField(e, "detail");
  }
  detail["numbers_masked"] = true;
}

Status AddRecordingStates(const AccessContext& c, nlohmann::json& request) {
  nlohmann::json states = nlohmann::json::object(), starts = nlohmann::json::object();
  if (request.contains("recording_ids") && request["recording_ids"].is_array()) {
    for (const auto& id_json : request["recording_ids"]) {
      if (!id_json.is_string()) continue;
      const std::string id = id_json.get<std::string>();
      ASSIGN_OR_RETURN(std::optional<RecordingRecord> record, c.store().Get(id));
      if (!record) {
        states[id] = "erased";
        continue;
      }
      ASSIGN_OR_RETURN(const bool restricted, IsRestricted(c.db(), id));
      states[id] = restricted ? "restricted" : "available";
      starts[id] = FormatUtcTime(record->start_ms_utc);
    }
  }
  request["recording_states"] = std::move(states);
  request["recording_starts"] = std::move(starts);
  return OkStatus();
}

}  // namespace kronika::srs
