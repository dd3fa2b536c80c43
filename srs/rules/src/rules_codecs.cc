// Codecs of the rules tables (see rules_codecs.h).
#include "rules_codecs.h"

#include <charconv>

#include "kronika/srs/core/json_fields.h"
#include "kronika/srs/store/record_codec.h"

namespace kronika::srs {
namespace {

constexpr char kHoldLog[] = "rules.hold_log";
constexpr char kDnr[] = "rules.dnr";
constexpr char kDeletionLog[] = "rules.deletion_log";
constexpr char kMeta[] = "rules.meta";

bool IsJson(std::string_view bytes) { return !bytes.empty() && bytes.front() == '{'; }

// The version varint of a binary row; an error for 0 or a version from a newer build.
Result<uint64_t> Version(RecordReader& r, const char* table) {
  uint64_t version = 0;
  if (!r.U(version)) return MalformedRow(table, "version");
  if (version == 0 || version > kRulesRowVersion) return UnknownRowVersion(table, version, kRulesRowVersion);
  return version;
}

Result<HoldAct> HoldActFromJson(std::string_view text) {
  const nlohmann::json j = ParseJsonObject(text);
  if (j.is_discarded()) return MalformedRow(kHoldLog, "JSON object");
  HoldAct a;
  std::string act;
  if (!ReadString(j, "act", act) || (act != "place" && act != "lift")) return MalformedRow(kHoldLog, "act");
  a.lift = act == "lift";
  if (!ReadString(j, "recording_id", a.recording_id)) return MalformedRow(kHoldLog, "recording_id");
  if (!ReadString(j, "case", a.case_ref)) return MalformedRow(kHoldLog, "case");
  if (!ReadString(j, "by", a.by)) return MalformedRow(kHoldLog, "by");
  if (!ReadInt(j, "at_ms_utc", a.at_ms_utc)) return MalformedRow(kHoldLog, "at_ms_utc");
  if (!ReadString(j, "reason", a.reason)) return MalformedRow(kHoldLog, "reason");
  return a;
}

Result<DeletionLogEntry> DeletionFromJson(std::string_view text) {
  const nlohmann::json j = ParseJsonObject(text);
  if (j.is_discarded()) return MalformedRow(kDeletionLog, "JSON object");
  DeletionLogEntry e;
  if (!ReadString(j, "recording_id", e.recording_id)) return MalformedRow(kDeletionLog, "recording_id");
  if (!ReadString(j, "cause", e.cause)) return MalformedRow(kDeletionLog, "cause");
  if (!ReadString(j, "by", e.by)) return MalformedRow(kDeletionLog, "by");
  if (!ReadString(j, "reason", e.reason)) return MalformedRow(kDeletionLog, "reason");
  if (!ReadInt(j, "decided_at_ms_utc", e.decided_at_ms_utc)) return MalformedRow(kDeletionLog, "decided_at_ms_utc");
  if (!ReadInt(j, "deleted_at_ms_utc", e.deleted_at_ms_utc)) return MalformedRow(kDeletionLog, "deleted_at_ms_utc");
  if (!ReadString(j, "site", e.site)) return MalformedRow(kDeletionLog, "site");
  if (!ReadInt(j, "start_ms_utc", e.start_ms_utc)) return MalformedRow(kDeletionLog, "start_ms_utc");
  if (!ReadUint(j, "file_bytes", e.file_bytes)) return MalformedRow(kDeletionLog, "file_bytes");
  return e;
}

}  // namespace

std::string HoldActCodec::Encode(const HoldAct& a) {
  RecordWriter w;
  w.U(kRulesRowVersion);
  w.Bool(a.lift);
  w.Str(a.recording_id);
  w.Str(a.case_ref);
  w.Str(a.by);
  w.S(a.at_ms_utc);
  w.Str(a.reason);
  return w.Take();
}

Result<HoldAct> HoldActCodec::Decode(std::string_view, std::string_view bytes) {
  if (IsJson(bytes)) return HoldActFromJson(bytes);
  RecordReader r(bytes);
  Result<uint64_t> version = Version(r, kHoldLog);
  if (!version.ok()) return version.error();
  HoldAct a;
  if (!r.Bool(a.lift)) return MalformedRow(kHoldLog, "lift");
  if (!r.Str(a.recording_id)) return MalformedRow(kHoldLog, "recording_id");
  if (!r.Str(a.case_ref)) return MalformedRow(kHoldLog, "case_ref");
  if (!r.Str(a.by)) return MalformedRow(kHoldLog, "by");
  if (!r.S(a.at_ms_utc)) return MalformedRow(kHoldLog, "at_ms_utc");
  if (!r.Str(a.reason)) return MalformedRow(kHoldLog, "reason");
  return a;
}

std::string DoNotRecordCodec::Encode(const DoNotRecordEntry& e) {
  RecordWriter w;
  w.U(kRulesRowVersion);
  w.Str(e.by);
  w.S(e.at_ms_utc);
  w.Str(e.reason);
  return w.Take();
}

Result<DoNotRecordEntry> DoNotRecordCodec::Decode(std::string_view key, std::string_view bytes) {
  DoNotRecordEntry e;
  e.number = std::string(key);
  if (IsJson(bytes)) {
    const nlohmann::json j = ParseJsonObject(bytes);
    if (j.is_discarded()) return MalformedRow(kDnr, "JSON object");
    if (!ReadString(j, "by", e.by)) return MalformedRow(kDnr, "by");
    if (!ReadInt(j, "at_ms_utc", e.at_ms_utc)) return MalformedRow(kDnr, "at_ms_utc");
    if (!ReadString(j, "reason", e.reason)) return MalformedRow(kDnr, "reason");
    return e;
  }
  RecordReader r(bytes);
  Result<uint64_t> version = Version(r, kDnr);
  if (!version.ok()) return version.error();
  if (!r.Str(e.by)) return MalformedRow(kDnr, "by");
  if (!r.S(e.at_ms_utc)) return MalformedRow(kDnr, "at_ms_utc");
  if (!r.Str(e.reason)) return MalformedRow(kDnr, "reason");
  return e;
}

std::string DeletionLogCodec::Encode(const DeletionLogEntry& e) {
  RecordWriter w;
  w.U(kRulesRowVersion);
  w.Str(e.recording_id);
  w.Str(e.cause);
  w.Str(e.by);
  w.Str(e.reason);
  w.S(e.decided_at_ms_utc);
  w.S(e.deleted_at_ms_utc);
  w.Str(e.site);
  w.S(e.start_ms_utc);
  w.U(e.file_bytes);
  return w.Take();
}

Result<DeletionLogEntry> DeletionLogCodec::Decode(std::string_view key, std::string_view bytes) {
  Result<uint64_t> seq = SeqOfKey("rules", key);
  if (!seq.ok()) return MalformedRow(kDeletionLog, "key");
  Result<DeletionLogEntry> out = [&]() -> Result<DeletionLogEntry> {
    if (IsJson(bytes)) return DeletionFromJson(bytes);
    RecordReader r(bytes);
    Result<uint64_t> version = Version(r, kDeletionLog);
    if (!version.ok()) return version.error();
    DeletionLogEntry e;
    if (!r.Str(e.recording_id)) return MalformedRow(kDeletionLog, "recording_id");
    if (!r.Str(e.cause)) return MalformedRow(kDeletionLog, "cause");
    if (!r.Str(e.by)) return MalformedRow(kDeletionLog, "by");
    if (!r.Str(e.reason)) return MalformedRow(kDeletionLog, "reason");
    if (!r.S(e.decided_at_ms_utc)) return MalformedRow(kDeletionLog, "decided_at_ms_utc");
    if (!r.S(e.deleted_at_ms_utc)) return MalformedRow(kDeletionLog, "deleted_at_ms_utc");
    if (!r.Str(e.site)) return MalformedRow(kDeletionLog, "site");
    if (!r.S(e.start_ms_utc)) return MalformedRow(kDeletionLog, "start_ms_utc");
    if (!r.U(e.file_bytes)) return MalformedRow(kDeletionLog, "file_bytes");
    return e;
  }();
  if (out.ok()) out->seq = *seq;
  return out;
}

std::string SweepClockCodec::Encode(int64_t ms_utc) {
  RecordWriter w;
  w.U(kRulesRowVersion);
  w.S(ms_utc);
  return w.Take();
}

Result<int64_t> SweepClockCodec::Decode(std::string_view, std::string_view bytes) {
  if (!bytes.empty() && (bytes.front() == '-' || (bytes.front() >= '0' && bytes.front() <= '9'))) {
    int64_t ms = 0;  // v0: decimal text
    const auto [end, ec] = std::from_chars(bytes.data(), bytes.data() + bytes.size(), ms);
    if (ec != std::errc() || end != bytes.data() + bytes.size()) return MalformedRow(kMeta, "last_sweep_ms_utc");
    return ms;
  }
  RecordReader r(bytes);
  Result<uint64_t> version = Version(r, kMeta);
  if (!version.ok()) return version.error();
  int64_t ms = 0;
  if (!r.S(ms)) return MalformedRow(kMeta, "last_sweep_ms_utc");
  return ms;
}

}  // namespace kronika::srs
