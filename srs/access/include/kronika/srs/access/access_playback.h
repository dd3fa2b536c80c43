// The playback workflow (ACCESS-2..5, RIGHTS-3): requests, opinions, decisions, informing
// the employee, and the check made before any audio leaves the server.
//
// A request is a PlaybackRequest (access_records.h) in AccessDb `access.requests`; the
// API sees its JSON form (ToJson):
//   {id "PR-000001", requester, recording_ids[], reason "a".."g" | "caller", reason_text,
//    justification, caller_number (reason "caller" only), protocol {causes, actions,
//    follow_up} (optional REG-2 details), status "pending" | "approved" | "refused",
//    created_ms_utc, opinions {dpo, unit_head: {by, at_ms_utc, favourable, text}},
//    decision {by, at_ms_utc, granted, note, valid_until_ms_utc},
//    informed {recording id: {by, at_ms_utc, how}}}
// Rules: only listeners file; reason a-g (ACCESS-3) or "caller" (ACCESS-5: the caller's
// number must be a participant of every recording, and the DPO's and the unit head's
// opinions must be on file before a decision); restricted recordings (RIGHTS-3) cannot be
// requested nor played; only approvers decide, never on their own request; playback needs
// an approved, unexpired request of the same listener naming the recording, and the
// employee marked as informed for that recording (ACCESS-4).
// Threads: any (state in AccessDb).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/access_records.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {

inline constexpr int64_t kDefaultPlaybackValidityMinutes = 24 * 60;
inline constexpr int64_t kMaxPlaybackValidityMinutes = 7 * 24 * 60;

// ACCESS-3 a)-g) and "caller" (ACCESS-5): the text for protocols; nullopt if unknown.
std::optional<std::string> PlaybackReasonText(std::string_view code);

// RIGHTS-3 state kept per recording in AccessDb `access.restrictions`. A recording whose
// restriction row does not decode counts as restricted (reported; playback and export
// stay refused until it is repaired).
Result<bool> IsRestricted(const AccessDb& db, std::string_view recording_id);
// The state of `recording_id` (restricted false and no history when never restricted).
// Error: kCorrupt for a row that does not decode, LMDB failures.
Result<Restriction> GetRestriction(const AccessDb& db, std::string_view recording_id);

// One entry of a request's "recording_ids": must be a string naming a stored recording
// that is not restricted (RIGHTS-3). `use` completes the 403 message ("played",
// "exported"). Errors: 400 not a string, 404 unknown, 403 restricted, store errors.
Result<RecordingRecord> RequestableRecording(const nlohmann::json& id, const Store& store, const AccessDb& db,
                                             std::string_view use);
// Restrict (restricted=true) or lift. 409 when already in that state. Returns the new state JSON.
Result<nlohmann::json> SetRestriction(AccessDb& db, std::string_view recording_id, bool restricted,
                                      std::string_view by, std::string_view reason,
                                      int64_t now_ms_utc);

class PlaybackWorkflow {
 public:
  PlaybackWorkflow(AccessDb& db, const Store& store) : db_(db), store_(store) {}

  // Body: {recording_ids[], reason, justification, caller_number?, protocol?}.
  // 400 bad body, 403 not a listener / restricted, 404 unknown recording, 422 caller number
  // not among the participants.
  Result<nlohmann::json> File(const Identity& who, const nlohmann::json& body, int64_t now_ms_utc);
  // Body: {kind: "dpo"|"unit_head", favourable: bool, text}. dpo needs the dpo role,
  // unit_head the unit_head role (or approver: an office without heads of unit on the
  // system has the director give it). 409 when the request is already decided.
  Result<nlohmann::json> Opinion(const Identity& who, std::string_view id,
                                 const nlohmann::json& body, int64_t now_ms_utc);
  // Body: {granted: bool, note, valid_minutes?}. 409 decided already or missing opinions.
  Result<nlohmann::json> Decide(const Identity& who, std::string_view id,
                                const nlohmann::json& body, int64_t now_ms_utc);
  // Body: {recording_id, how, at_ms_utc?}. Records keeper or approver.
  Result<nlohmann::json> MarkInformed(const Identity& who, std::string_view id,
                                      const nlohmann::json& body, int64_t now_ms_utc);
  Result<nlohmann::json> Get(std::string_view id) const;
  // Every readable request (rows that do not decode are skipped and reported).
  Result<std::vector<nlohmann::json>> List() const;

  // The request that allows `who` to play `recording_id` now (request_id "" = any of
  // theirs). 403 with the reason (no approved request, expired, employee not informed,
  // restricted) otherwise.
  Result<nlohmann::json> AuthorisePlayback(const Identity& who, std::string_view recording_id,
                                           std::string_view request_id, int64_t now_ms_utc) const;

 private:
  Result<nlohmann::json> Update(std::string_view id,
                                const std::function<Status(PlaybackRequest&)>& change);
  Result<std::vector<PlaybackRequest>> Requests() const;
  AccessDb& db_;
  const Store& store_;
};

}  // namespace kronika::srs
