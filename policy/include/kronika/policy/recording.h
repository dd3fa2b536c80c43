// The policy module's view of a stored recording, and the deletion orders it hands back.
//
// The store (srs/) keeps the full record; the sweeper, the quota planner and the
// data-subject planner need only these fields, copied out of the store. Every plan is a
// list of DeletionOrders: the caller carries them out (file, copies, index, cached
// decrypts: RET-3), logs each one without content (RIGHTS-2), and never deletes anything
// that is not in a plan.
//
// Threads: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kronika::policy {

struct RecordingInfo {
  std::string id;                 // the store's recording id
  int64_t start_ms_utc = 0;       // recording start, ms since epoch UTC
  int64_t expires_at_ms_utc = 0;  // RetentionStamp::expires_at_ms_utc, fixed at start (RET-1)
  uint64_t size_bytes = 0;        // bytes on disk (all copies) counted against the quota
  std::vector<std::string> participants;  // canonical numbers (E.164 or extension digits)
  bool in_progress = false;               // still being written: never deleted by a plan
};

enum class DeletionCause {
  kRetentionExpired,  // RET-3: the period ended (automatic sweep)
  kEarlyDeletion,     // RET-4: relevance questioned, on a named person's request
  kErasureRequest,    // RIGHTS-2 / CONSENT-3: the data subject asked
  kQuotaEviction,     // RET-5: oldest recording evicted to make room
};

struct DeletionOrder {
  std::string recording_id;
  DeletionCause cause = DeletionCause::kRetentionExpired;
  std::string requested_by;  // person, or "retention-sweeper" / "quota" for automatic acts
  std::string reason;        // why, in the requester's words or the rule's
  int64_t decided_at_ms_utc = 0;
  std::string text;  // one line for the audit log, no content of the recording
};

// A recording a plan would have deleted but keeps, and why.
struct KeptRecording {
  std::string recording_id;
  std::vector<std::string> hold_cases;  // active legal holds (RET-2)
  std::string text;
};

// "retention-expired", "early-deletion", "erasure-request", "quota-eviction".
std::string_view DeletionCauseName(DeletionCause cause);

// Automatic requesters named in DeletionOrder::requested_by.
inline constexpr std::string_view kSweeperRequester = "retention-sweeper";
inline constexpr std::string_view kQuotaRequester = "quota";

}  // namespace kronika::policy
