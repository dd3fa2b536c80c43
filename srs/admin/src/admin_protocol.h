// JSON forms of the admin operations' arguments and results (admin_socket.h). Decoders
// never throw: a field missing or of the wrong type is an invalid_input error naming it.
// Private to srs/admin.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/admin/admin_ops.h"

namespace kronika::srs::admin_protocol {

inline constexpr char kPlaceHolds[] = "hold.place";
inline constexpr char kLiftHolds[] = "hold.lift";
inline constexpr char kAddDnr[] = "dnr.add";
inline constexpr char kRemoveDnr[] = "dnr.remove";
inline constexpr char kErase[] = "subject.erase";
inline constexpr char kRestrict[] = "subject.restrict";
inline constexpr char kSweep[] = "retention.sweep";
inline constexpr char kDeleteEarly[] = "retention.delete";
inline constexpr char kAddUser[] = "user.add";
inline constexpr char kSetDisabled[] = "user.disable";
inline constexpr char kIssueToken[] = "user.token";
inline constexpr char kRevokeToken[] = "user.revoke";
inline constexpr char kSetPassword[] = "user.passwd";
inline constexpr char kModifyUser[] = "user.modify";
inline constexpr char kRotateKey[] = "key.rotate";

nlohmann::json ToJson(const HoldChange& c);
Result<HoldChange> HoldChangeFrom(const nlohmann::json& j);
nlohmann::json ToJson(const DoNotRecordEntry& e);
Result<DoNotRecordEntry> DoNotRecordFrom(const nlohmann::json& j);
nlohmann::json ToJson(const policy::DeletionRequest& r);
Result<policy::DeletionRequest> DeletionRequestFrom(const nlohmann::json& j);
nlohmann::json ToJson(const ErasureReport& r);
Result<ErasureReport> ErasureReportFrom(const nlohmann::json& j);
nlohmann::json ToJson(const std::vector<RestrictionOutcome>& v);
Result<std::vector<RestrictionOutcome>> RestrictionOutcomesFrom(const nlohmann::json& j);
nlohmann::json ToJson(const SweepReport& r);
Result<SweepReport> SweepReportFrom(const nlohmann::json& j);
nlohmann::json ToJson(const KeyRotationReport& r);
Result<KeyRotationReport> KeyRotationReportFrom(const nlohmann::json& j);
nlohmann::json ToJson(const User& u);
Result<User> UserFrom(const nlohmann::json& j);
nlohmann::json ToJson(const UserChanges& c);
Result<UserChanges> UserChangesFrom(const nlohmann::json& j);

// Fields of an args object.
Result<std::string> StringField(const nlohmann::json& j, const char* key);
Result<std::vector<std::string>> StringsField(const nlohmann::json& j, const char* key);
Result<int64_t> IntField(const nlohmann::json& j, const char* key);
Result<bool> BoolField(const nlohmann::json& j, const char* key);

// The error sent in an answer, and back.
nlohmann::json ErrorJson(const Error& e);
Error ErrorFrom(const nlohmann::json& j);

}  // namespace kronika::srs::admin_protocol
