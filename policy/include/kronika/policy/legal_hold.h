// Legal holds (RET-2): a recording that is evidence in proceedings is kept until the
// proceedings end with a final ruling, whatever its retention period says.
//
// A hold names the case, who placed it and when. Lifting is a separate act with its own
// who/when/why; the lifted hold stays in the history. A recording may carry several holds
// (several cases); it is held while at least one is active. While held, nothing deletes
// it: not the retention sweep (RET-3), not early deletion (RET-4), not quota eviction
// (RET-5), not an erasure request (RIGHTS-2). After the last hold is lifted the normal
// period applies again: a recording already past its expiry goes at the next sweep.
//
// HoldSet is an in-memory value; the daemon persists History() (LMDB) and rebuilds the set
// with FromHistory() at start.
//
// Threads: not synchronised; one owner mutates, copies may be read anywhere.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/result.h"

namespace kronika::policy {

struct HoldLift {
  std::string lifted_by;
  int64_t lifted_at_ms_utc = 0;
  std::string reason;  // e.g. "final ruling II K 123/26 of 2026-09-01"
};

struct Hold {
  std::string recording_id;
  std::string case_ref;  // e.g. "II K 123/26"
  std::string placed_by;
  int64_t placed_at_ms_utc = 0;
  std::optional<HoldLift> lift;  // set once lifted

  bool active() const { return !lift.has_value(); }
};

class HoldSet {
 public:
  HoldSet() = default;

  // Rebuilds a set from persisted history. Error when a record is incomplete or when two
  // active holds name the same recording and case.
  static Result<HoldSet> FromHistory(std::vector<Hold> history);

  // Places a hold. Errors (kInvalidInput) name the empty field; kConflict when the same case
  // already holds that recording.
  Status Place(std::string_view recording_id, std::string_view case_ref, std::string_view placed_by,
               int64_t at_ms_utc);

  // Lifts the active hold of `case_ref` on the recording; returns the lifted hold.
  // Errors: kInvalidInput empty lifted_by/reason or lift before placing, kNotFound no such
  // active hold.
  Result<Hold> Lift(std::string_view recording_id, std::string_view case_ref,
                    std::string_view lifted_by, std::string_view reason, int64_t at_ms_utc);

  bool IsHeld(std::string_view recording_id) const;
  std::vector<std::string> ActiveCases(std::string_view recording_id) const;  // in placing order
  std::vector<Hold> HoldsOf(std::string_view recording_id) const;             // active and lifted
  const std::vector<Hold>& History() const { return history_; }  // every act, placing order

 private:
  std::vector<Hold> history_;
  std::map<std::string, int, std::less<>> active_count_;  // recording id -> active holds
};

}  // namespace kronika::policy
