// One versioned codec per rules table (record_codec.h): the legal-hold log, the
// do-not-record list, the deletion log and the sweep clock. Version 1 is the binary
// layout below; version 0 is the JSON object the rules db wrote before (read when a
// database is migrated, and wherever such a row is met). Decoders never throw: a field of
// the wrong type, truncated bytes or an unknown version is a kCorrupt error naming the
// table and the field, and the row is skipped and reported by the reader (bad_rows.h).
//
//   rules.hold_log      key: sequence (8-byte big-endian)
//                       v1: lift, recording_id, case_ref, by, at_ms_utc, reason
//   rules.dnr           key: canonical number (personal data)
//                       v1: by, at_ms_utc, reason
//   rules.deletion_log  key: sequence (8-byte big-endian)
//                       v1: recording_id, cause, by, reason, decided_at_ms_utc,
//                           deleted_at_ms_utc, site, start_ms_utc, file_bytes
//   rules.meta          "last_sweep_ms_utc": v1: ms (zig-zag varint); v0: decimal text
//                       "schema_version": decimal text (kRulesSchemaVersion)
// Pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kronika/result.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/store/record_codec.h"

namespace kronika::srs {

inline constexpr uint64_t kRulesRowVersion = 1;

// Sequence-log keys: SeqKey and SeqOfKey of kronika/srs/store/record_codec.h.

struct HoldActCodec {
  using Record = HoldAct;
  static std::string Encode(const HoldAct& act);
  static Result<HoldAct> Decode(std::string_view key, std::string_view bytes);
};

struct DoNotRecordCodec {
  using Record = DoNotRecordEntry;
  static std::string Encode(const DoNotRecordEntry& entry);  // the number is the key
  static Result<DoNotRecordEntry> Decode(std::string_view key, std::string_view bytes);
};

struct DeletionLogCodec {
  using Record = DeletionLogEntry;
  static std::string Encode(const DeletionLogEntry& entry);  // the seq is the key
  static Result<DeletionLogEntry> Decode(std::string_view key, std::string_view bytes);
};

struct SweepClockCodec {
  using Record = int64_t;
  static std::string Encode(int64_t ms_utc);
  static Result<int64_t> Decode(std::string_view key, std::string_view bytes);
};

}  // namespace kronika::srs
