#include "store_codec.h"

#include <array>
#include <cstring>

#include "kronika/srs/store/record_codec.h"

namespace kronika::srs {
namespace {

using Writer = RecordWriter;
using Reader = RecordReader;

Error Malformed(const char* field) {
  return MalformedRow("store: recordings", field);
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

// Version 2: + metadata_status, metadata_issues { reason, detail },
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

// The completeness verdict and its evidence (schema 3).
Status DecodeCompleteness(Reader& r, RecordingRecord& rec) {
  uint64_t u = 0;
  CompletenessRecord& c = rec.completeness;
  if (!r.Str(rec.verdict)) return Malformed("verdict");
  if (!r.S(c.media_start_ms_utc) || !r.S(c.duration_ms)) return Malformed("completeness");
  if (!r.U(u) || u > r.remaining()) return Malformed("completeness legs");
  c.legs.resize(u);
  for (LegEvidenceRecord& leg : c.legs) {
    uint64_t mline = 0;
    if (!r.U(mline) || !r.Str(leg.label) || !r.I(leg.channel) || !r.S(leg.active_from_ms) ||
        !r.S(leg.active_to_ms) || !r.U(leg.packets_expected) || !r.U(leg.packets_received) ||
        !r.U(leg.packets_lost) || !r.U(leg.packets_late) || !r.U(leg.packets_duplicate) ||
        !r.U(leg.packets_foreign_source) || !r.U(leg.packets_wrong_ssrc) || !r.U(leg.packets_invalid) ||
        !r.U(leg.comfort_noise_packets) || !r.S(leg.first_packet_ms) || !r.S(leg.last_packet_ms)) {
      return Malformed("completeness leg");
    }
    leg.mline_index = static_cast<uint32_t>(mline);
    if (!r.U(u) || u > r.remaining()) return Malformed("completeness gaps");
    leg.gaps.resize(u);
    for (GapRecord& gap : leg.gaps) {
      uint64_t missing = 0;
      if (!r.Str(gap.kind) || !r.S(gap.from_ms) || !r.S(gap.to_ms) || !r.U(missing)) return Malformed("gap");
      gap.missing_packets = static_cast<uint32_t>(missing);
    }
    if (!r.U(u) || !r.S(leg.gap_total_ms)) return Malformed("completeness gaps omitted");
    leg.gaps_omitted = static_cast<uint32_t>(u);
    if (!r.U(u) || u > r.remaining()) return Malformed("completeness pauses");
    leg.pauses.resize(u);
    for (SpanRecord& span : leg.pauses) {
      if (!r.S(span.from_ms) || !r.S(span.to_ms)) return Malformed("pause");
    }
    if (!r.F64(leg.rms_dbfs) || !r.F64(leg.peak_dbfs) || !r.S(leg.audio_ms) || !r.S(leg.signal_ms)) {
      return Malformed("completeness level");
    }
    if (!r.U(u) || u > r.remaining()) return Malformed("completeness codecs");
    leg.codecs.resize(u);
    for (std::string& codec : leg.codecs) {
      if (!r.Str(codec)) return Malformed("codec seen");
    }
    uint64_t ssrc = 0, relatches = 0;
    if (!r.Str(leg.latched_source) || !r.Str(leg.sdp_source) || !r.U(ssrc) || !r.U(relatches)) {
      return Malformed("completeness source");
    }
    leg.ssrc = static_cast<uint32_t>(ssrc);
    leg.relatches = static_cast<uint32_t>(relatches);
  }
  if (!r.U(u) || u > r.remaining()) return Malformed("completeness findings");
  c.findings.resize(u);
  for (FindingRecord& f : c.findings) {
    if (!r.Str(f.kind) || !r.I(f.leg) || !r.S(f.from_ms) || !r.S(f.to_ms)) return Malformed("finding");
  }
  return OkStatus();
}

// Version 3 (current): version 2 + the completeness verdict and evidence. Versions 1 and 2
// are migrated with verdict "" (never judged) and no evidence.
Result<RecordingRecord> DecodeV3(Reader& r) {
  Result<RecordingRecord> rec = DecodeV2(r);
  if (!rec.ok()) return rec;
  RETURN_IF_ERROR(DecodeCompleteness(r, *rec));
  return rec;
}

// One decoder per schema version; index = version. A new version adds its decoder here
// and the old decoders keep migrating their output forward (fill new fields' defaults).
using Decoder = Result<RecordingRecord> (*)(Reader&);
constexpr std::array<Decoder, 4> kDecoders = {nullptr, &DecodeV1, &DecodeV2, &DecodeV3};
static_assert(kDecoders.size() == kRecordingSchemaVersion + 1);

void EncodeCompleteness(const RecordingRecord& rec, Writer& w) {
  const CompletenessRecord& c = rec.completeness;
  w.Str(rec.verdict);
  w.S(c.media_start_ms_utc);
  w.S(c.duration_ms);
  w.U(c.legs.size());
  for (const LegEvidenceRecord& leg : c.legs) {
    w.U(leg.mline_index);
    w.Str(leg.label);
    w.S(leg.channel);
    w.S(leg.active_from_ms);
    w.S(leg.active_to_ms);
    for (uint64_t n : {leg.packets_expected, leg.packets_received, leg.packets_lost, leg.packets_late,
                       leg.packets_duplicate, leg.packets_foreign_source, leg.packets_wrong_ssrc, leg.packets_invalid,
                       leg.comfort_noise_packets}) {
      w.U(n);
    }
    w.S(leg.first_packet_ms);
    w.S(leg.last_packet_ms);
    w.U(leg.gaps.size());
    for (const GapRecord& gap : leg.gaps) {
      w.Str(gap.kind);
      w.S(gap.from_ms);
      w.S(gap.to_ms);
      w.U(gap.missing_packets);
    }
    w.U(leg.gaps_omitted);
    w.S(leg.gap_total_ms);
    w.U(leg.pauses.size());
    for (const SpanRecord& span : leg.pauses) {
      w.S(span.from_ms);
      w.S(span.to_ms);
    }
    w.F64(leg.rms_dbfs);
    w.F64(leg.peak_dbfs);
    w.S(leg.audio_ms);
    w.S(leg.signal_ms);
    w.U(leg.codecs.size());
    for (const std::string& codec : leg.codecs) w.Str(codec);
    w.Str(leg.latched_source);
    w.Str(leg.sdp_source);
    w.U(leg.ssrc);
    w.U(leg.relatches);
  }
  w.U(c.findings.size());
  for (const FindingRecord& f : c.findings) {
    w.Str(f.kind);
    w.S(f.leg);
    w.S(f.from_ms);
    w.S(f.to_ms);
  }
}

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
  EncodeCompleteness(rec, w);
  return w.Take();
}

Result<RecordingRecord> DecodeRecord(std::string_view bytes) {
  Reader r(bytes);
  uint64_t version = 0;
  if (!r.U(version)) return Malformed("version");
  if (version == 0 || version >= kDecoders.size()) {
    return UnknownRowVersion("store: recordings", version, kRecordingSchemaVersion);
  }
  Result<RecordingRecord> rec = kDecoders[version](r);
  if (rec.ok()) rec->schema_version = kRecordingSchemaVersion;
  return rec;
}

}  // namespace kronika::srs
