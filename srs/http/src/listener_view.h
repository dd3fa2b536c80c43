// What a listener who holds no other reading role sees of the recordings (issue 16 item 3;
// ACCESS-2, ACCESS-3): no call in progress (no continuous monitoring), and every phone
// number masked - in the list, the detail and the metadata - until a request of theirs
// naming that recording is approved. The records keeper, approver, DPO and auditor see
// recordings as before. Also the state of each recording a playback request names, so the
// page offers playback only for one that can be played.
// Threads: any (reads AccessDb and the store).
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "kronika/result.h"
#include "kronika/srs/access/access_context.h"
#include "kronika/srs/access/access_users.h"

namespace kronika::srs {

// True for a listener holding none of records_keeper, approver, dpo, auditor.
bool SeesMaskedRecordings(const User& user);

// The recordings named by an approved request of `username`: their numbers are shown.
Result<std::set<std::string>> UnmaskedRecordings(const AccessContext& c, std::string_view username);

// "+48123456789" -> "+*********789": every digit but the last three hidden.
std::string MaskDigits(std::string_view text);

// GET /api/v1/recordings's JSON for a masked listener: rows of calls in progress dropped,
// numbers masked outside `unmasked`; each row gets "numbers_masked". Every row (any reader)
// gets "restricted" (RIGHTS-3: the page does not offer it for a request).
Status ShapeRecordingList(const AccessContext& c, nlohmann::json& list, bool masked,
                          const std::set<std::string>& unmasked);

// GET /api/v1/recordings/{id}'s JSON for a masked listener, when `id` is not unmasked:
// numbers, addresses, SIP Call-ID and the raw metadata masked or removed.
void MaskRecordingDetail(nlohmann::json& detail);

// A playback request's JSON with "recording_states" {id: "available" | "erased" |
// "restricted"} and "recording_starts" {id: start, ISO-8601 UTC} (kept recordings only).
Status AddRecordingStates(const AccessContext& c, nlohmann::json& request);

}  // namespace kronika::srs
