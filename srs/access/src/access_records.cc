// JSON forms of the access records (see access_records.h).
#include "kronika/srs/access/access_records.h"

namespace kronika::srs {
namespace {

nlohmann::json DecisionJson(const std::optional<ApproverDecision>& d, bool with_validity) {
  if (!d) return nullptr;
  nlohmann::json j = {{"by", d->by},
                      {"by_name", d->by_name},
                      {"at_ms_utc", d->at_ms_utc},
                      {"granted", d->granted},
                      {"note", d->note}};
  if (with_validity) j["valid_until_ms_utc"] = d->valid_until_ms_utc;
  return j;
}

nlohmann::json OpinionJson(const RequestOpinion& o) {
  return {{"by", o.by}, {"at_ms_utc", o.at_ms_utc}, {"favourable", o.favourable}, {"text", o.text}};
}

}  // namespace

nlohmann::json ToJson(const IncidentDetails& details) {
  nlohmann::json j = nlohmann::json::object();
  if (!details.causes.empty()) j["causes"] = details.causes;
  if (!details.actions.empty()) j["actions"] = details.actions;
  if (!details.follow_up.empty()) j["follow_up"] = details.follow_up;
  return j;
}

nlohmann::json ToJson(const PlaybackRequest& r) {
  nlohmann::json opinions = nlohmann::json::object();
  if (r.dpo_opinion) opinions["dpo"] = OpinionJson(*r.dpo_opinion);
  if (r.unit_head_opinion) opinions["unit_head"] = OpinionJson(*r.unit_head_opinion);
  nlohmann::json informed = nlohmann::json::object();
  for (const auto& [recording_id, x] : r.informed) {
    informed[recording_id] = {{"by", x.by}, {"at_ms_utc", x.at_ms_utc}, {"how", x.how}};
  }
  return {{"id", r.id},
          {"requester", r.requester},
          {"recording_ids", r.recording_ids},
          {"reason", r.reason},
          {"reason_text", r.reason_text},
          {"justification", r.justification},
          {"caller_number", r.caller_number},
          {"protocol", ToJson(r.protocol)},
          {"status", r.status},
          {"created_ms_utc", r.created_ms_utc},
          {"opinions", opinions},
          {"decision", DecisionJson(r.decision, true)},
          {"informed", informed}};
}

nlohmann::json ToJson(const ExportPurge& p) {
  return {{"at_ms_utc", p.at_ms_utc},
          {"by", p.by},
          {"reason", p.reason},
          {"recording_ids", p.recording_ids},
          {"package_was_gone", p.package_was_gone}};
}

nlohmann::json ToJson(const DisclosureExport& e) {
  return {{"at_ms_utc", e.at_ms_utc},
          {"by", e.by},
          {"package", e.package},
          {"manifest_sha256", e.manifest_sha256},
          {"signed", e.signed_manifest},
          {"signature", e.signature},
          {"signer_fingerprint", e.signer_fingerprint},
          {"audio_sha256", e.audio_sha256},
          {"purged", e.purged ? ToJson(*e.purged) : nlohmann::json(nullptr)}};
}

nlohmann::json ToJson(const Disclosure& d) {
  nlohmann::json exports = nlohmann::json::array();
  for (const DisclosureExport& e : d.exports) exports.push_back(ToJson(e));
  return {{"id", d.id},
          {"filed_by", d.filed_by},
          {"requester_institution", d.requester_institution},
          {"request_date", d.request_date},
          {"request_number", d.request_number},
          {"phone_number", d.phone_number},
          {"call_date", d.call_date},
          {"justification", d.justification},
          {"purpose", d.purpose},
          {"recording_ids", d.recording_ids},
          {"created_ms_utc", d.created_ms_utc},
          {"status", d.status},
          {"decision", DecisionJson(d.decision, false)},
          {"exports", exports}};
}

nlohmann::json ToJson(const Restriction& x) {
  nlohmann::json history = nlohmann::json::array();
  for (const RestrictionChange& c : x.history) {
    history.push_back({{"restricted", c.restricted}, {"by", c.by}, {"at_ms_utc", c.at_ms_utc}, {"reason", c.reason}});
  }
  return {{"recording_id", x.recording_id}, {"restricted", x.restricted}, {"by", x.by},
          {"since_ms_utc", x.since_ms_utc}, {"reason", x.reason},         {"history", history}};
}

}  // namespace kronika::srs
