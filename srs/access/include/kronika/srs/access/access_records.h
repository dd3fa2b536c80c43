// The access module's typed records (ACCESS-1..5, DISC-1..3, RIGHTS-3): one struct per
// row of its tables (access_db.h), each with one versioned binary codec (access_codecs.h,
// private) and a JSON form for the API (the shapes docs/api.md documents).
// Value types; any thread.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace kronika::srs {

// An API token: only a salted SHA-256 of its secret is kept (access_users.h).
struct ApiToken {
  std::string id;  // 16 hex digits, the key
  std::string username;
  std::string label;
  std::string salt_hex;
  std::string sha256_hex;  // SHA-256(salt + secret)
  int64_t created_ms_utc = 0;
  int64_t expires_ms_utc = 0;    // 0 = no expiry
  int64_t last_used_ms_utc = 0;  // 0 = never used
};

// A DPO's or unit head's opinion on a playback request (ACCESS-5).
struct RequestOpinion {
  std::string by;
  int64_t at_ms_utc = 0;
  bool favourable = false;
  std::string text;
};

// An approver's decision on a playback request or a disclosure.
struct ApproverDecision {
  std::string by;
  std::string by_name;  // "Name Surname, position" for the protocols
  int64_t at_ms_utc = 0;
  bool granted = false;
  std::string note;
  int64_t valid_until_ms_utc = 0;  // playback only (0 when refused)
};

// The employee on a recording was told of the playback (ACCESS-4).
struct EmployeeInformed {
  std::string by;
  int64_t at_ms_utc = 0;
  std::string how;
};

// The REG-2 details a listener may give with a request; copied into the register.
struct IncidentDetails {
  std::string causes;
  std::string actions;
  std::string follow_up;
};

// A playback request (ACCESS-2..5), key "PR-000001".
struct PlaybackRequest {
  std::string id;
  std::string requester;
  std::vector<std::string> recording_ids;
  std::string reason;  // "a".."g" or "caller"
  std::string reason_text;
  std::string justification;
  std::string caller_number;  // reason "caller" only
  IncidentDetails protocol;
  std::string status = "pending";  // pending | approved | refused
  int64_t created_ms_utc = 0;
  std::optional<RequestOpinion> dpo_opinion;
  std::optional<RequestOpinion> unit_head_opinion;
  std::optional<ApproverDecision> decision;
  std::map<std::string, EmployeeInformed> informed;  // by recording id
};

// An export package removed because a person it contains was erased (RIGHTS-2): the
// institution that received it holds a copy and must be told of the erasure.
struct ExportPurge {
  int64_t at_ms_utc = 0;
  std::string by;      // who asked for the erasure
  std::string reason;  // the erasure request's reason
  std::vector<std::string> recording_ids;  // the erased recordings the package held
  bool package_was_gone = false;           // the directory was already gone when purged
};

// One export package made for a disclosure (DISC-3).
struct DisclosureExport {
  int64_t at_ms_utc = 0;
  std::string by;
  std::string package;  // the directory written
  std::string manifest_sha256;
  bool signed_manifest = false;
  std::string signature;  // "ed25519" | "hmac" | "none"
  std::string signer_fingerprint;
  std::map<std::string, std::string> audio_sha256;  // recording id -> hex
  std::optional<ExportPurge> purged;                // set once the package is purged
};

// A disclosure to an entitled institution (DISC-1..3), key "DR-000001".
struct Disclosure {
  std::string id;
  std::string filed_by;
  std::string requester_institution;
  std::string request_date;
  std::string request_number;
  std::string phone_number;
  std::string call_date;
  std::vector<std::string> recording_ids;
  std::string justification;
  std::string purpose;
  int64_t created_ms_utc = 0;
  std::string status = "pending";  // pending | granted | refused
  std::optional<ApproverDecision> decision;
  std::vector<DisclosureExport> exports;
};

// RIGHTS-3 state of a recording, with every change.
struct RestrictionChange {
  bool restricted = false;
  std::string by;
  int64_t at_ms_utc = 0;
  std::string reason;
};
struct Restriction {
  std::string recording_id;  // the key
  bool restricted = false;
  std::string by;
  int64_t since_ms_utc = 0;
  std::string reason;
  std::vector<RestrictionChange> history;
};

// The API's JSON of each record (docs/api.md): the same field names the API has always
// used ("protocol" holds the non-empty details; "decision" is null until decided;
// "opinions" and "informed" are objects).
nlohmann::json ToJson(const PlaybackRequest& request);
nlohmann::json ToJson(const Disclosure& disclosure);
nlohmann::json ToJson(const DisclosureExport& record);  // "purged": null or ToJson(ExportPurge)
nlohmann::json ToJson(const ExportPurge& purge);
nlohmann::json ToJson(const Restriction& restriction);
nlohmann::json ToJson(const IncidentDetails& details);

}  // namespace kronika::srs
