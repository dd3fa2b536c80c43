// Data subjects' rights under GDPR (RIGHTS-1..3, CONSENT-3).
//
// RIGHTS-1 access: every recording in which a number takes part.
// RIGHTS-2 erasure / objection: delete a subject's recordings on request, except those
//   under legal hold (kept, with the cases named); log the act, not the content.
// RIGHTS-3 restriction: a restricted recording is kept but neither played nor exported.
//   Restriction governs access only: retention, holds, quota and erasure treat a
//   restricted recording like any other (to keep it past its period, place a hold).
//
// Threads: pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/policy/legal_hold.h"
#include "kronika/policy/recording.h"
#include "kronika/policy/retention.h"
#include "kronika/policy/site_policy.h"
#include "kronika/result.h"

namespace kronika::policy {

// RIGHTS-1. `number` as typed ("+48 601 234 567", "601234567"); compared canonically with
// the site's plan. Ids in the order of `recordings`. Error kInvalidInput when `number` is not a
// number.
Result<std::vector<std::string>> FindRecordingsOf(const SitePolicy& policy,
                                                  const std::vector<RecordingInfo>& recordings,
                                                  std::string_view number);

struct ErasurePlan {
  std::string subject;               // canonical number
  std::vector<DeletionOrder> erase;  // cause kErasureRequest
  std::vector<KeptRecording> kept;   // held (RET-2) or still being recorded
  std::string
      text;  // "rights: erase 3 recording(s) of +48601234567, keep 1 under legal hold (RIGHTS-2)"
};

// RIGHTS-2 / CONSENT-3. Errors: kInvalidInput empty requested_by / reason, or `number` not a
// number.
Result<ErasurePlan> PlanErasure(const SitePolicy& policy,
                                const std::vector<RecordingInfo>& recordings, const HoldSet& holds,
                                std::string_view number, const DeletionRequest& request);

// RIGHTS-3 state of one recording.
struct Restriction {
  bool restricted = false;
  std::string by;            // who restricted or last lifted it
  int64_t since_ms_utc = 0;  // when
  std::string reason;
};

// Restrict / lift a restriction: the new state. Errors: kInvalidInput empty by/reason; kConflict
// already restricted (Restrict) or not restricted (Unrestrict).
Result<Restriction> Restrict(const Restriction& current, std::string_view by,
                             std::string_view reason, int64_t at_ms_utc);
Result<Restriction> Unrestrict(const Restriction& current, std::string_view by,
                               std::string_view reason, int64_t at_ms_utc);

enum class UseKind {
  kPlayback,  // listening, streaming, download for listening
  kExport,    // DISC-3 export package
  kMetadata,  // listing/searching metadata (RIGHTS-1 answers) and deletion
};

// OkStatus() when the use is allowed under the restriction state; else kPermissionDenied
// "rights: recording restricted since <time> by <who>: playback refused (RIGHTS-3)".
Status CheckUse(const Restriction& restriction, UseKind use, const TimeZone& zone);

}  // namespace kronika::policy
