#include "store_codec.h"

#include <array>
#include <bit>
#include <cstring>

namespace kronika::srs {
namespace {

class Writer {
 public:
  void U(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void S(int64_t v) { U((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void Str(std::string_view s) {
    U(s.size());
    out_.append(s);
  }
  void F64(double d) {
    uint64_t bits = std::bit_cast<uint64_t>(d);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return false;
      uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool S(int64_t& v) {
    uint64_t u;
    if (!U(u)) return false;
    v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    return true;
  }
  bool I(int& v) {
    int64_t s;
    if (!S(s)) return false;
    v = static_cast<int>(s);
    return true;
  }
  bool Str(std::string& s) {
    uint64_t n;
    if (!U(n) || n > in_.size() - pos_) return false;
    s.assign(in_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool F64(double& d) {
    if (in_.size() - pos_ < 8) return false;
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += 8;
    d = std::bit_cast<double>(bits);
    return true;
  }
  size_t remaining() const { return in_.size() - pos_; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

Error Malformed(const char* field) {
  return MakeError(ErrorCode::kCorrupt, std::string("store: record truncated or malformed at ") + field);
}

// The fields every version has, in version 1's order.
Status DecodeCommon(Reader& r, RecordingRecord& rec) {
  uint64_t u = 0;
  if (!r.Str(rec.recording_id)) return Malformed("recording_id");
  if (!r.Str(rec.sip_call_id)) return Malformed("sip_call_id");
  if (!r.Str(rec.src_host)) return Malformed("src_host");
  if (!r.Str(rec.site)) return Malformed("site");
  if (!r.S(rec.start_ms_utc)) return Malformed("start_ms");
  if (!r.S(rec.end_ms_utc)) return Malformed("end_ms");
  if (!r.U(u) || u > 3) return Malformed("state");
  rec.state = static_cast<RecordingState>(u);
  if (!r.Str(rec.file_path)) return Malformed("file_path");
  if (!r.U(rec.file_bytes)) return Malformed("file_bytes");
  if (!r.F64(rec.duration_s)) return Malformed("duration_s");
  if (!r.Str(rec.codec)) return Malformed("codec");
  if (!r.U(u) || u > r.remaining()) return Malformed("participants");
  rec.participants.resize(u);
  for (ParticipantRecord& p : rec.participants) {
    if (!r.Str(p.participant_id) || !r.Str(p.name) || !r.Str(p.aor) || !r.Str(p.number_e164) ||
        !r.Str(p.number_original) || !r.I(p.channel)) {
      return Malformed("participant");
    }
  }
  if (!r.U(u) || u > r.remaining()) return Malformed("timeline");
  rec.timeline.resize(u);
  for (TimelineEvent& e : rec.timeline) {
    if (!r.S(e.time_ms_utc) || !r.Str(e.kind) || !r.Str(e.detail)) return Malformed("timeline event");
  }
  if (!r.Str(rec.metadata_xml_last)) return Malformed("metadata_xml_last");
  if (!r.S(rec.retention_expiry_ms_utc)) return Malformed("retention_expiry_ms");
  if (!r.U(u)) return Malformed("legal_hold");
  rec.legal_hold = u != 0;
  return OkStatus();
}

// Version 1: the common fields only. Migrated: metadata_status "" (never judged), no
// issues, metadata_xml_received "" (metadata_xml_last holds the bytes as received).
Result<RecordingRecord> DecodeV1(Reader& r) {
  RecordingRecord rec;
  RETURN_IF_ERROR(DecodeCommon(r, rec));
  return rec;
}

// Version 2 (current): + metadata_status, metadata_issues { reason, detail },
// metadata_xml_received.
Result<RecordingRecord> DecodeV2(Reader& r) {
  RecordingRecord rec;
  RETURN_IF_ERROR(DecodeCommon(r, rec));
  uint64_t u = 0;
  if (!r.Str(rec.metadata_status)) return Malformed("metadata_status");
  if (!r.U(u) || u > r.remaining()) return Malformed("metadata_issues");
  rec.metadata_issues.resize(u);
  for (MetadataIssueRecord& issue : rec.metadata_issues) {
    if (!r.Str(issue.reason) || !r.Str(issue.detail)) return Malformed("metadata issue");
  }
  if (!r.Str(rec.metadata_xml_received)) return Malformed("metadata_xml_received");
  return rec;
}

// One decoder per schema version; index = version. A new version adds its decoder here
// and the old decoders keep migrating their output forward (fill new fields' defaults).
using Decoder = Result<RecordingRecord> (*)(Reader&);
constexpr std::array<Decoder, 3> kDecoders = {nullptr, &DecodeV1, &DecodeV2};
static_assert(kDecoders.size() == kRecordingSchemaVersion + 1);

}  // namespace

std::string EncodeRecord(const RecordingRecord& rec) {
  Writer w;
  w.U(kRecordingSchemaVersion);
  w.Str(rec.recording_id);
  w.Str(rec.sip_call_id);
  w.Str(rec.src_host);
  w.Str(rec.site);
  w.S(rec.start_ms_utc);
  w.S(rec.end_ms_utc);
  w.U(static_cast<uint64_t>(rec.state));
  w.Str(rec.file_path);
  w.U(rec.file_bytes);
  w.F64(rec.duration_s);
  w.Str(rec.codec);
  w.U(rec.participants.size());
  for (const ParticipantRecord& p : rec.participants) {
    w.Str(p.participant_id);
    w.Str(p.name);
    w.Str(p.aor);
    w.Str(p.number_e164);
    w.Str(p.number_original);
    w.S(p.channel);
  }
  w.U(rec.timeline.size());
  for (const TimelineEvent& e : rec.timeline) {
    w.S(e.time_ms_utc);
    w.Str(e.kind);
    w.Str(e.detail);
  }
  w.Str(rec.metadata_xml_last);
  w.S(rec.retention_expiry_ms_utc);
  w.U(rec.legal_hold ? 1 : 0);
  w.Str(rec.metadata_status);
  w.U(rec.metadata_issues.size());
  for (const MetadataIssueRecord& issue : rec.metadata_issues) {
    w.Str(issue.reason);
    w.Str(issue.detail);
  }
  w.Str(rec.metadata_xml_received);
  return w.Take();
}

Result<RecordingRecord> DecodeRecord(std::string_view bytes) {
  Reader r(bytes);
  uint64_t version = 0;
  if (!r.U(version)) return Malformed("version");
  if (version == 0 || version >= kDecoders.size()) {
    return MakeError(ErrorCode::kCorrupt, "store: record has schema version " + std::to_string(version) +
                              ", this build reads up to " +
                              std::to_string(kRecordingSchemaVersion));
  }
  Result<RecordingRecord> rec = kDecoders[version](r);
  if (rec.ok()) rec->schema_version = kRecordingSchemaVersion;
  return rec;
}

}  // namespace kronika::srs
